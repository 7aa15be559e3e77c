"""Which flow attributes a decorator's code sets: what dataflow must count as written.

Why: Metaflow persists every attribute set on the flow object during a task, whoever sets it.
``@catch(var="failed")`` stores the exception as ``self.failed`` (``_set_var``:
``setattr(flow, self.attributes.get("var"), …)``) and extensions set names in their hooks
(``setattr(flow, "obtb", …)``, ``flow.obtb = …``); a later step that reads them is right, and
a linter that only counts ``self.x = …`` in step bodies calls the read "never set".

Read here, with ``ast``, from the decorator class and its plugin base classes:

- a literal name (a string, or a module constant holding one) → :attr:`FlowWrites.names`;
- ``self.attributes["var"]`` / ``.get("var")``, directly, through a local, or through a
  parameter of a helper method called with it → :attr:`FlowWrites.var_args` (the argument
  whose *value* is the name);
- any other computed name → :attr:`FlowWrites.unknown` (the decorator may set anything).

The flow object is recognised as a hook parameter named ``flow`` (or ``*_flow``) or
``self.flow``/``self._flow``, as Metaflow's decorator hooks name it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from metaflow_expert.knowledge.modules import Definition, ModuleReader
from metaflow_expert.knowledge.source import EXT_PACKAGE

#: Where base classes are followed (the framework's own ``Decorator`` sets no artifacts).
_PLUGIN_PREFIXES = ("metaflow/plugins/", EXT_PACKAGE)
_MAX_DEPTH = 6


@dataclass
class FlowWrites:
    names: set[str] = field(default_factory=set)
    var_args: set[str] = field(default_factory=set)
    unknown: bool = False


def flow_writes(reader: ModuleReader, d: Definition) -> FlowWrites:
    """What the class of ``d`` (and its plugin base classes) sets on the flow object."""
    out = FlowWrites()
    todo, seen, depth = [d], set(), 0
    while todo and depth < _MAX_DEPTH:
        nxt: list[Definition] = []
        for cls in todo:
            key = (cls.rel, getattr(cls.node, "lineno", 0))
            if key in seen or not isinstance(cls.node, ast.ClassDef):
                continue
            seen.add(key)
            if cls is d or cls.rel.startswith(_PLUGIN_PREFIXES):
                _ClassReader(reader, cls, out).read()
            nxt += reader.base_classes(cls)
        todo, depth = nxt, depth + 1
    return out


class _ClassReader:
    def __init__(self, reader: ModuleReader, d: Definition, out: FlowWrites) -> None:
        assert isinstance(d.node, ast.ClassDef)
        self.reader = reader
        self.d = d
        self.out = out
        self.methods = {
            m.name: m for m in d.node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
        }

    def read(self) -> None:
        for fn in self.methods.values():
            for name_expr in _flow_sets(fn):
                self._name(fn, name_expr, 0)

    def _name(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, expr: ast.expr, hops: int) -> None:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            self.out.names.add(expr.value)
            return
        arg = _attribute_arg(expr)
        if arg is not None:
            self.out.var_args.add(arg)
            return
        if isinstance(expr, ast.Name):
            local = _local_value(fn, expr.id)
            if local is not None:
                self._name(fn, local, hops)
                return
            params = [a.arg for a in fn.args.args]
            if expr.id in params and hops < 2:
                self._callers(fn, params.index(expr.id), hops)
                return
            const = self.reader.find(self.d.rel, expr.id)
            value = const.node.value if const and isinstance(const.node, ast.Assign) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.out.names.add(value.value)
                return
        self.out.unknown = True

    def _callers(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, index: int, hops: int) -> None:
        """The name is a parameter of a helper: what each ``self.<helper>(…)`` passes."""
        found = False
        for caller in self.methods.values():
            for call in ast.walk(caller):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == fn.name
                    and _is_self(call.func.value)
                ):
                    continue
                pos = index - 1  # ``self`` is passed implicitly
                if 0 <= pos < len(call.args):
                    found = True
                    self._name(caller, call.args[pos], hops + 1)
        if not found:
            self.out.unknown = True


def _flow_sets(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.expr]:
    """The name expressions of every ``setattr(<flow>, name, …)`` and ``<flow>.name = …``."""
    flows = {a.arg for a in fn.args.args if a.arg == "flow" or a.arg.endswith("_flow")}
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) >= 2
            and _is_flow(node.args[0], flows)
        ):
            yield node.args[1]
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for sub in ast.walk(t):
                    if (
                        isinstance(sub, ast.Attribute)
                        and isinstance(sub.ctx, ast.Store)
                        and _is_flow(sub.value, flows)
                    ):
                        yield ast.Constant(sub.attr)


def _is_flow(expr: ast.expr, flows: set[str]) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id in flows
    return (
        isinstance(expr, ast.Attribute) and _is_self(expr.value) and expr.attr.lstrip("_") == "flow"
    )


def _is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


def _attribute_arg(expr: ast.expr) -> str | None:
    """``self.attributes["var"]`` or ``self.attributes.get("var"[, default])`` → ``"var"``."""
    if isinstance(expr, ast.Subscript):
        owner, key = expr.value, expr.slice
    elif (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and expr.args
    ):
        owner, key = expr.func.value, expr.args[0]
    else:
        return None
    if (
        isinstance(owner, ast.Attribute)
        and owner.attr == "attributes"
        and _is_self(owner.value)
        and isinstance(key, ast.Constant)
        and isinstance(key.value, str)
    ):
        return key.value
    return None


def _local_value(fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.expr | None:
    """The value of the one plain ``name = …`` assignment in ``fn`` (None if zero or several)."""
    values = [
        node.value
        for node in ast.walk(fn)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == name
    ]
    return values[0] if len(values) == 1 else None
