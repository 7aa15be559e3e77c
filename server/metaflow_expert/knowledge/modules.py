"""Reading Metaflow modules with ``ast`` and following their imports, without importing them.

Why: the catalog needs facts that only the syntax tree has (a class's ``defaults`` dict, where a
public name is really defined). ``metaflow/__init__.py`` re-exports most of the public API
(``from .flowspec import FlowSpec``), and decorator classes inherit ``allow_multiple`` from base
classes in other files, so names are resolved by following ``from … import …`` statements.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from metaflow_expert.knowledge.cache import file_stamp
from metaflow_expert.knowledge.source import EXT_PACKAGE, MetaflowSource

#: where the base classes a decorator inherits behaviour from live (its own class aside)
PLUGIN_PREFIXES = ("metaflow/plugins/", EXT_PACKAGE)
#: how many generations of base classes :meth:`ModuleReader.plugin_lineage` follows
LINEAGE_DEPTH = 6


@dataclass(frozen=True)
class Definition:
    """A module-level (or class-level, for dotted names) definition: file, node, module name."""

    rel: str
    module: str
    node: ast.AST


class ModuleReader:
    """Parses files of one source tree on demand (each once) and records their stamps."""

    def __init__(self, source: MetaflowSource) -> None:
        self.source = source
        self._trees: dict[str, ast.Module | None] = {}
        self._lines: dict[str, list[str]] = {}
        self.stamps: dict[str, tuple[int, int]] = {}
        #: module aliases extensions create (``metaflow.plugins.x`` → the extension's module,
        #: see :func:`extensions.promoted_aliases`), consulted when a module is not found
        self.aliases: dict[str, str] = {}

    # -- files -------------------------------------------------------------------------------
    def rel_of_module(self, dotted: str) -> str | None:
        """``metaflow.plugins.retry_decorator`` → ``metaflow/plugins/retry_decorator.py``."""
        parts = dotted.split(".")
        for rel in ("/".join(parts) + ".py", "/".join(parts) + "/__init__.py"):
            if self.source.absolute(rel).is_file():
                return rel
        for alias, target in self.aliases.items():
            if dotted == alias or dotted.startswith(alias + "."):
                return self.rel_of_module(target + dotted[len(alias) :])
        return None

    @staticmethod
    def module_of_rel(rel: str) -> str:
        mod = rel[:-3] if rel.endswith(".py") else rel
        if mod.endswith("/__init__"):
            mod = mod[: -len("/__init__")]
        return mod.replace("/", ".")

    def tree(self, rel: str) -> ast.Module | None:
        if rel not in self._trees:
            path = self.source.absolute(rel)
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
                self._trees[rel] = ast.parse(text)
                self._lines[rel] = text.splitlines()
                stamp = file_stamp(path)
                if stamp:
                    self.stamps[rel] = stamp
            except (OSError, SyntaxError, ValueError):
                self._trees[rel] = None
                self._lines[rel] = []
        return self._trees[rel]

    def lines(self, rel: str) -> list[str]:
        self.tree(rel)
        return self._lines.get(rel, [])

    def segment(self, rel: str, node: ast.AST) -> str:
        """Source text of ``node`` (joined, whitespace-normalised for multi-line values)."""
        lines = self.lines(rel)
        lo, hi = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
        if not lo or not hi or hi > len(lines):
            return ast.unparse(node)
        if lo == hi:
            return lines[lo - 1][node.col_offset : node.end_col_offset]  # type: ignore[attr-defined]
        parts = [lines[lo - 1][node.col_offset :]]  # type: ignore[attr-defined]
        parts += [ln.strip() for ln in lines[lo : hi - 1]]
        parts.append(lines[hi - 1][: node.end_col_offset].strip())  # type: ignore[attr-defined]
        return " ".join(p.strip() for p in parts if p.strip())

    # -- names -------------------------------------------------------------------------------
    def resolve_relative(
        self, module: str, is_package: bool, target: str | None, level: int
    ) -> str:
        if level == 0:
            return target or ""
        base = module.split(".")
        if not is_package:
            base = base[:-1]
        if level > 1:
            base = base[: len(base) - (level - 1)]
        return ".".join(base + ([target] if target else []))

    def find(self, rel: str, name: str, _depth: int = 0) -> Definition | None:
        """Where ``name`` bound at module level of ``rel`` is defined (following imports)."""
        tree = self.tree(rel)
        if tree is None or _depth > 8:
            return None
        module = self.module_of_rel(rel)
        found: ast.AST | None = None
        imported: tuple[str, str] | None = None
        for node in _top_level(tree):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name == name:
                    found = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    found = found or node
            elif isinstance(node, ast.ImportFrom) and found is None and imported is None:
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        mod = self.resolve_relative(
                            module, rel.endswith("__init__.py"), node.module, node.level
                        )
                        imported = (mod, alias.name)
        if found is not None:
            return Definition(rel, module, found)
        if imported is not None:
            mod, orig = imported
            target = self.rel_of_module(mod)
            if target is None:  # ``from . import x``: x is a submodule
                sub = self.rel_of_module(f"{mod}.{orig}")
                if sub is not None and self.tree(sub) is not None:
                    return Definition(sub, self.module_of_rel(sub), self.tree(sub))  # type: ignore[arg-type]
                return None
            return self.find(target, orig, _depth + 1)
        return None

    def string_constant(self, rel: str, name: str) -> str | None:
        """The string ``name`` holds at module level of ``rel`` (``NAME = "literal"``, found
        as :meth:`find` finds it); None for anything else. The one lookup of a module
        constant, for a name a decorator sets on the flow and the config file names
        ``from_conf`` reads."""
        found = self.find(rel, name)
        if found is None or not isinstance(found.node, ast.Assign):
            return None
        value = found.node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        return None

    def find_dotted(self, dotted: str) -> Definition | None:
        """``metaflow.plugins.retry_decorator.RetryDecorator`` → its class definition."""
        mod, _, name = dotted.rpartition(".")
        rel = self.rel_of_module(mod)
        return self.find(rel, name) if rel else None

    def base_classes(self, d: Definition) -> list[Definition]:
        """The base classes of a class definition that can be found in the source tree."""
        out: list[Definition] = []
        if not isinstance(d.node, ast.ClassDef):
            return out
        for b in d.node.bases:
            name = (
                b.id
                if isinstance(b, ast.Name)
                else b.attr
                if isinstance(b, ast.Attribute)
                else None
            )
            if not name:
                continue
            found = self.find(d.rel, name)
            if found is None and isinstance(b, ast.Attribute):
                found = self.find_dotted(ast.unparse(b))
            if found is not None and isinstance(found.node, ast.ClassDef):
                out.append(found)
        return out

    def plugin_lineage(self, d: Definition) -> Iterator[Definition]:
        """The class ``d``, then its base classes breadth first that live in Metaflow's plugins
        or an extension, each once: what a decorator inherits its hooks from (a subclass
        inherits its base's ``step_init``). Bases elsewhere (``StepDecorator``) are passed
        through, not yielded. The one walk the catalog's checks, run requirements and flow
        writes share."""
        todo, depth, seen = [d], 0, set()
        while todo and depth < LINEAGE_DEPTH:
            nxt: list[Definition] = []
            for cls in todo:
                key = (cls.rel, getattr(cls.node, "lineno", 0))
                if key in seen or not isinstance(cls.node, ast.ClassDef):
                    continue
                seen.add(key)
                if cls is d or cls.rel.startswith(PLUGIN_PREFIXES):
                    yield cls
                nxt += self.base_classes(cls)
            todo, depth = nxt, depth + 1

    def class_attr(
        self, d: Definition, attr: str, _depth: int = 0
    ) -> tuple[Definition, ast.stmt] | None:
        """The class-body assignment of ``attr`` in ``d`` or its bases (MRO-ish, depth first)."""
        if not isinstance(d.node, ast.ClassDef) or _depth > 10:
            return None
        for stmt in d.node.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == attr for t in stmt.targets
            ):
                return d, stmt
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == attr
            ):
                return d, stmt
        for base in self.base_classes(d):
            got = self.class_attr(base, attr, _depth + 1)
            if got is not None:
                return got
        return None


def _top_level(tree: ast.Module) -> list[ast.stmt]:
    """Module-level statements, looking inside ``try``/``if`` blocks (guarded imports)."""
    out: list[ast.stmt] = []
    stack = list(tree.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, ast.Try):
            stack[0:0] = node.body + [s for h in node.handlers for s in h.body] + node.orelse
        elif isinstance(node, ast.If):
            stack[0:0] = node.body + node.orelse
        else:
            out.append(node)
    return out
