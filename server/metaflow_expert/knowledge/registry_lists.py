"""Metaflow's plugin registry lists, ``NAME_DESC = [("name", ".module.Class"), …]`` in
``metaflow/plugins/__init__.py``: where they are, and the one plain reading of them.

Why a module of its own: the generated docs list the registered environments and CLI groups,
and the run facts offer a setting's choices from the registry its click option reads
(``[m.TYPE for m in ENVIRONMENTS]`` → ``ENVIRONMENTS_DESC``). Each used to walk the file with
its own ``ast`` matching and its own copy of the path, so a change of shape in Metaflow could
be followed by one and not the other. The catalog's decorator registries need more (``X += Y``,
extensions' plugin files, class paths made absolute) and read them in :mod:`catalog_build`,
from the same :data:`CORE_REGISTRY`.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from metaflow_expert.knowledge.modules import ModuleReader

#: the file Metaflow's own plugins are registered in
CORE_REGISTRY = "metaflow/plugins/__init__.py"


class RegistryList(NamedTuple):
    """One ``*_DESC`` list: its name, line, and ``(name, class path, line)`` per entry."""

    name: str
    line: int
    entries: list[tuple[str, str, int]]


def registry_lists(reader: ModuleReader) -> list[RegistryList]:
    """Every module-level ``*_DESC = [...]`` of :data:`CORE_REGISTRY`, in file order, with its
    entries written as two literals."""
    tree = reader.tree(CORE_REGISTRY)
    out: list[RegistryList] = []
    for node in tree.body if tree else []:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.List)):
            continue
        names = [t.id for t in node.targets if isinstance(t, ast.Name) and t.id.endswith("_DESC")]
        if not names:
            continue
        entries: list[tuple[str, str, int]] = []
        for elt in node.value.elts:
            if isinstance(elt, ast.Tuple) and len(elt.elts) == 2:
                a, b = elt.elts
                if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
                    entries.append((str(a.value), str(b.value), a.lineno))
        out.append(RegistryList(names[0], node.lineno, entries))
    return out


def registered_names(reader: ModuleReader, list_name: str) -> list[str]:
    """The names registered in the first list called ``list_name`` (``["conda", "pypi", …]``
    for ``ENVIRONMENTS_DESC``); empty when there is none."""
    found = next((r for r in registry_lists(reader) if r.name == list_name), None)
    return [name for name, _target, _line in found.entries] if found is not None else []
