"""Import bindings, and what a decorator or base-class expression refers to after them.

``from metaflow import batch as b`` makes ``@b`` mean Metaflow's ``batch``; ``import metaflow as
mf`` makes ``@mf.step`` mean ``step``. A name bound to nothing (the user has not typed the
import yet) keeps its written spelling and is reported as not from Metaflow; callers decide how
tolerant to be (the step detector accepts an unbound ``step``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from metaflow_expert.model import DecoratorUse, ImportBinding
from metaflow_expert.parsing.source import SourceText
from metaflow_expert.parsing.tree import unparen

#: The package whose names the model resolves. Everything below it counts as Metaflow
#: (``metaflow.decorators``, ``metaflow.plugins...``).
METAFLOW_PACKAGE = "metaflow"

#: Key prefix for ``from <module> import *`` bindings in :attr:`FlowFile.imports`.
STAR_PREFIX = "*"


def is_metaflow_module(module: str) -> bool:
    return module == METAFLOW_PACKAGE or module.startswith(METAFLOW_PACKAGE + ".")


def collect_imports(src: SourceText, root: Node) -> dict[str, ImportBinding]:
    """Every import in the file, later bindings of a name replacing earlier ones.

    ``import a.b`` binds ``a`` (module ``a``); ``import a.b as c`` binds ``c`` (module ``a.b``);
    ``from m import x as y`` binds ``y`` (module ``m``, name ``x``); ``from m import *`` is
    stored under the key ``"*m"`` with local ``"*"``.
    """
    out: dict[str, ImportBinding] = {}
    for imp in _module_level_imports(root):
        span = src.span(imp)
        if imp.type == "import_statement":
            for item in imp.children_by_field_name("name"):
                if item.type == "aliased_import":
                    name = item.child_by_field_name("name")
                    alias = item.child_by_field_name("alias")
                    if name is None or alias is None:
                        continue
                    local = src.node_text(alias)
                    out[local] = ImportBinding(local, _dotted(src, name), None, span)
                elif item.type == "dotted_name":
                    full = _dotted(src, item)
                    top = full.split(".")[0]
                    if top:
                        out[top] = ImportBinding(top, top, None, span)
        else:
            mod_node = imp.child_by_field_name("module_name")
            if mod_node is None:
                continue
            module = _dotted(src, mod_node)
            if any(c.type == "wildcard_import" for c in imp.children):
                key = STAR_PREFIX + module
                out[key] = ImportBinding(STAR_PREFIX, module, None, span)
                continue
            for item in imp.children_by_field_name("name"):
                if item.type == "aliased_import":
                    name = item.child_by_field_name("name")
                    alias = item.child_by_field_name("alias")
                    if name is None or alias is None:
                        continue
                    local = src.node_text(alias)
                    out[local] = ImportBinding(local, module, _dotted(src, name), span)
                elif item.type == "dotted_name":
                    nm = _dotted(src, item)
                    out[nm] = ImportBinding(nm, module, nm, span)
    return out


_IMPORTS = ("import_statement", "import_from_statement")
#: Compound statements whose blocks still bind at module level (``try: import x``).
_MODULE_BLOCKS = frozenset(
    {
        "if_statement",
        "else_clause",
        "elif_clause",
        "try_statement",
        "except_clause",
        "finally_clause",
        "with_statement",
        "block",
        "ERROR",
    }
)


def _module_level_imports(root: Node) -> list[Node]:
    """Import statements at module level, in source order, without entering defs/classes."""
    out: list[Node] = []
    stack = list(reversed(root.children))
    while stack:
        n = stack.pop()
        t = n.type
        if t in _IMPORTS:
            out.append(n)
        elif t in _MODULE_BLOCKS:
            stack.extend(reversed(n.children))
    return out


def _dotted(src: SourceText, node: Node) -> str:
    text = src.node_text(node)
    return text if text.isidentifier() else "".join(text.split())


@dataclass(frozen=True)
class Resolved:
    """What an expression like ``b``, ``mf.step`` or ``metaflow.plugins.retry`` names."""

    written: str
    name: str
    from_metaflow: bool
    #: the full dotted target (``metaflow.batch``) when it resolved through an import
    target: str | None = None
    #: the written root name is bound by an import or a local definition
    bound: bool = False


class NameResolver:
    """Resolves names through the file's imports and its own top-level definitions."""

    def __init__(self, imports: dict[str, ImportBinding], local_defs: set[str]) -> None:
        self.imports = imports
        self.local_defs = local_defs
        self._cache: dict[str, Resolved] = {}
        #: decorators already read, by text and position shape (see ``steps.decorator_use``)
        self.decorator_memo: dict[tuple[bytes, int], DecoratorUse | None] = {}
        self.star_metaflow = any(
            k.startswith(STAR_PREFIX) and is_metaflow_module(b.module) for k, b in imports.items()
        )

    def resolve(self, src: SourceText, expr: Node | None) -> Resolved | None:
        """Resolve an identifier or attribute chain; None for other expressions."""
        node = unparen(expr)
        if node is None:
            return None
        if node.type == "identifier":
            key = src.node_text(node)
            hit = self._cache.get(key)
            if hit is None:
                hit = self._resolve_parts([key])
                self._cache[key] = hit
            return hit
        parts: list[str] = []
        cur: Node | None = node
        while cur is not None and cur.type == "attribute":
            attr = cur.child_by_field_name("attribute")
            if attr is None:
                return None
            parts.append(src.node_text(attr))
            cur = unparen(cur.child_by_field_name("object"))
        if cur is None or cur.type != "identifier":
            return None
        parts.append(src.node_text(cur))
        parts.reverse()
        return self._resolve_parts(parts)

    def _resolve_parts(self, parts: list[str]) -> Resolved:
        root = parts[0]
        written = ".".join(parts)
        binding = self.imports.get(root)
        if binding is not None:
            base = binding.module if binding.name is None else f"{binding.module}.{binding.name}"
            full = ".".join([base, *parts[1:]])
            mf = is_metaflow_module(full)
            name = full.rsplit(".", 1)[-1]
            return Resolved(written, name, mf, full, True)
        if root in self.local_defs:
            return Resolved(written, written, False, None, True)
        if len(parts) == 1 and self.star_metaflow:
            return Resolved(written, root, True, f"{METAFLOW_PACKAGE}.{root}", True)
        if len(parts) > 1 and root == METAFLOW_PACKAGE:
            # ``@metaflow.step`` before ``import metaflow`` is typed: still Metaflow's.
            return Resolved(written, parts[-1], True, written, False)
        return Resolved(written, written, False, None, False)

    def is_bound(self, name: str) -> bool:
        return name in self.imports or name in self.local_defs

    def is_metaflow_name(self, res: Resolved | None, name: str) -> bool:
        """``res`` is Metaflow's ``name``, or the bare unbound ``name`` (import not typed yet)."""
        if res is None or res.name != name:
            return False
        return res.from_metaflow or (not res.bound and res.written == name)
