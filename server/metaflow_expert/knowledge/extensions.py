"""Which files of installed ``metaflow_extensions`` packages register plugins, as Metaflow decides.

Why a module of its own: Metaflow's loader (``metaflow/extension_support/__init__.py`` finds
the files, ``extension_support/plugins.py`` merges what they declare) has rules a glob does not
reproduce, and getting them wrong makes whole extensions invisible (``metaflow-checkpoint``
registers ``@checkpoint`` in ``plugins/__init__.py``, not in an ``mfextinit_*.py``):

- ``metaflow_extensions`` is an implicit namespace package, spread over every ``sys.path``
  entry that has one (``MetaflowSource.extension_roots``); each top-level package
  ``metaflow_extensions/<org>/`` contributes to the ``plugins`` extension point through its
  ``plugins/`` folder.
- The module Metaflow reads there is ``plugins/mfextinit_<name>.py`` when one exists, else
  ``plugins/__init__.py`` (two configuration files in one package make Metaflow refuse it; the
  first in name order is read here).
- Relative class paths are resolved against that module's ``__package__``
  (``metaflow_extensions.<org>.plugins``), both for an ``__init__.py`` and an ``mfextinit_*``.
- ``__mf_promote_submodules__ = ["x"]`` and submodules the file imports make
  ``metaflow.plugins.x`` an alias of ``metaflow_extensions.<org>.plugins.x``.

Only the file list and the aliases are decided here; :mod:`catalog_build` reads the registry
lists and toggles from these files like it reads Metaflow's own ``plugins/__init__.py``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from metaflow_expert.knowledge.source import EXT_PACKAGE, MetaflowSource

#: ``EXT_CONFIG_REGEXP`` of ``metaflow/extension_support/__init__.py``.
CONFIG_FILE = re.compile(r"^mfextinit_[a-zA-Z0-9_-]+\.py$")
#: The extension point decorators are registered at.
PLUGINS_POINT = "plugins"
PROMOTE_LIST = "__mf_promote_submodules__"
#: The extension point whose module adds names to ``metaflow`` itself, and the variable of
#: its configuration naming that module (read by ``metaflow/__init__.py``).
TOPLEVEL_POINT = "toplevel"
TOPLEVEL_NAME = "toplevel"
#: The package promoted submodules appear under (``metaflow.plugins.<x>``).
CORE_PLUGINS = "metaflow." + PLUGINS_POINT


@dataclass(frozen=True)
class PluginModule:
    """One extension package's plugin configuration file.

    ``rel`` is the citation path (``metaflow_extensions/<org>/plugins/__init__.py``);
    ``org`` the top-level package name; ``root`` the namespace portion it was found in."""

    rel: str
    org: str
    root: Path
    point: str = PLUGINS_POINT

    @property
    def package(self) -> str:
        """The module's ``__package__``: what relative class paths start from."""
        return f"{EXT_PACKAGE}.{self.org}.{self.point}"


def plugin_modules(source: MetaflowSource, point: str = PLUGINS_POINT) -> list[PluginModule]:
    """Every extension package's configuration file for the extension ``point`` (``plugins``,
    ``toplevel``), in load order (the order of the namespace portions, then package name; a
    package found in two portions counts once, from the first, as Python's import would)."""
    out: list[PluginModule] = []
    seen: set[str] = set()
    for root in source.extension_roots:
        for org_dir in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
            org = org_dir.name
            folder = org_dir / point
            if org in seen or not org.isidentifier() or not folder.is_dir():
                continue
            configs = sorted(f.name for f in folder.iterdir() if CONFIG_FILE.match(f.name))
            name = configs[0] if configs else "__init__.py"
            if not (folder / name).is_file():
                continue  # a namespace folder without a configuration contributes nothing
            seen.add(org)
            out.append(PluginModule(f"{EXT_PACKAGE}/{org}/{point}/{name}", org, root, point))
    return out


def toplevel_module(module: PluginModule, tree: ast.Module | None) -> str | None:
    """The module a ``toplevel`` configuration names (``toplevel = "aliases"``), whose
    globals ``metaflow/__init__.py`` copies into ``metaflow`` (``from metaflow import x``)."""
    for node in tree.body if tree is not None else []:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == TOPLEVEL_NAME for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return f"{module.package}.{node.value.value}"
    return None


def descriptor_files(source: MetaflowSource) -> list[str]:
    """The configuration files present now, as absolute paths: a new one (a newly installed
    extension) must invalidate a cached catalog even though no stamped file changed."""
    found = plugin_modules(source) + plugin_modules(source, TOPLEVEL_POINT)
    return sorted(str(m.root / m.rel.split("/", 1)[1]) for m in found)


def promoted_aliases(module: PluginModule, tree: ast.Module | None) -> dict[str, str]:
    """``metaflow.plugins.<x>`` → ``metaflow_extensions.<org>.plugins.<x>`` for every name of
    the module's ``__mf_promote_submodules__`` and every submodule it imports
    (``from . import x``), as ``alias_submodules`` makes them."""
    names: list[str] = []
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == PROMOTE_LIST for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, (list, tuple)):
                names += [v for v in value if isinstance(v, str)]
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
            names += [a.asname or a.name for a in node.names]
    return {f"{CORE_PLUGINS}.{n}": f"{module.package}.{n}" for n in names}
