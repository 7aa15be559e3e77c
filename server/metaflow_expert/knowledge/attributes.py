"""Which flow attributes a decorator's code sets: what dataflow must count as written.

Why: Metaflow persists every attribute set on the flow object during a task, whoever sets it.
``@catch(var="failed")`` stores the exception as ``self.failed`` (``_set_var``:
``setattr(flow, self.attributes.get("var"), …)``) and extensions set names in their hooks
(``setattr(flow, "obtb", …)``, ``flow.obtb = …``) or in helpers the hooks hand the flow to
(``_set_output(flow, attrs, value)`` doing ``setattr(flow, attrs.get("output_artifact"), …)``);
a later step that reads them is right, and a linter that only counts ``self.x = …`` in step
bodies calls the read "never set".

Read here, with ``ast``, from the decorator class and its plugin base classes, and from the
plugin functions its methods pass the flow to (followed ``_MAX_CALLS`` calls deep, each
argument bound to the callee's parameter):

- a literal name (a string, or a module constant holding one) → :attr:`FlowWrites.names`;
- ``self.attributes["var"]`` / ``.get("var")``, directly, through a local, through a
  parameter of a helper method called with it, through a function handed ``self.attributes``
  (``attrs.get("var")``) or through a parameter filled from ``**self.attributes`` →
  :attr:`FlowWrites.var_args` (the argument whose *value* is the name);
- any other computed name → :attr:`FlowWrites.unknown` (the decorator may set anything).

The flow object is recognised as a hook parameter named ``flow`` (or ``*_flow``),
``self.flow``/``self._flow``, as Metaflow's decorator hooks name it, and, in a followed
function, as whatever parameter the caller passed it to.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from metaflow_expert.knowledge.modules import PLUGIN_PREFIXES, Definition, ModuleReader

#: How many calls deep a flow handed to a plugin function is followed.
_MAX_CALLS = 4
#: How many bindings a name is followed through (caller to caller, local to local).
_MAX_HOPS = 8

_Function = ast.FunctionDef | ast.AsyncFunctionDef
#: what a name may stand for: the flow, the decorator's ``attributes`` dict
_FLOW = "flow"
_ATTRS = "attributes"


@dataclass
class FlowWrites:
    names: set[str] = field(default_factory=set)
    var_args: set[str] = field(default_factory=set)
    unknown: bool = False


@dataclass(frozen=True)
class _AttrKey:
    """A parameter filled from ``**self.attributes``: its value is the argument ``key``."""

    key: str


@dataclass(frozen=True, eq=False)
class _Arg:
    """An argument a caller passed, read in the caller's scope."""

    expr: ast.expr
    scope: _Scope


_Bound = str | _AttrKey | _Arg


@dataclass(frozen=True, eq=False)
class _Scope:
    """A function being read: its file, what its parameters are bound to, and whether it is a
    method of the decorator class (then ``self`` is the decorator)."""

    fn: _Function
    rel: str
    env: dict[str, _Bound]
    method: bool


def flow_writes(reader: ModuleReader, d: Definition) -> FlowWrites:
    """What the class of ``d`` (and its plugin base classes) sets on the flow object."""
    out = FlowWrites()
    for cls in reader.plugin_lineage(d):
        _ClassReader(reader, cls, out).read()
    return out


class _ClassReader:
    def __init__(self, reader: ModuleReader, d: Definition, out: FlowWrites) -> None:
        assert isinstance(d.node, ast.ClassDef)
        self.reader = reader
        self.d = d
        self.out = out
        self.methods = {m.name: m for m in d.node.body if isinstance(m, _Function)}

    def read(self) -> None:
        for fn in self.methods.values():
            self._visit(_Scope(fn, self.d.rel, _flow_params(fn), method=True), 0)

    # -- where the flow is written, and where it is handed on -------------------------------
    def _visit(self, scope: _Scope, calls: int) -> None:
        for node in ast.walk(scope.fn):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
                    if self._kind(scope, node.args[0], 0) == _FLOW:
                        self._name(scope, node.args[1], 0)
                    continue
                if calls < _MAX_CALLS:
                    self._follow(scope, node, calls)
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for sub in (s for t in targets for s in ast.walk(t)):
                    if (
                        isinstance(sub, ast.Attribute)
                        and isinstance(sub.ctx, ast.Store)
                        and self._kind(scope, sub.value, 0) == _FLOW
                    ):
                        self.out.names.add(sub.attr)

    def _follow(self, scope: _Scope, call: ast.Call, calls: int) -> None:
        """Read a plugin function the flow is passed to, its parameters bound to the call's
        arguments (methods of the class are read on their own, see :meth:`_callers`)."""
        if not isinstance(call.func, ast.Name):
            return
        values = [*call.args, *(k.value for k in call.keywords)]
        if not any(self._kind(scope, v, 0) == _FLOW for v in values):
            return  # the callee never sees the flow
        callee = self._function(scope, call.func.id)
        if callee is None:
            return
        fn, rel = callee
        env = _bind(fn, call, lambda e: self._binding(scope, e))
        if _FLOW in env.values():
            self._visit(_Scope(fn, rel, env, method=False), calls + 1)

    def _function(self, scope: _Scope, name: str) -> tuple[_Function, str] | None:
        """The plugin function ``name`` stands for in ``scope``: defined or imported at module
        level, or imported inside the function (``from .job import run`` in a hook)."""
        if name in scope.env or _local_value(scope.fn, name) is not None:
            return None
        found: Definition | None = None
        for node in ast.walk(scope.fn):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        mod = self.reader.resolve_relative(
                            self.reader.module_of_rel(scope.rel),
                            scope.rel.endswith("__init__.py"),
                            node.module,
                            node.level,
                        )
                        target = self.reader.rel_of_module(mod)
                        found = self.reader.find(target, alias.name) if target else None
        if found is None:
            found = self.reader.find(scope.rel, name)
        if found is None or not isinstance(found.node, _Function):
            return None
        if not found.rel.startswith(PLUGIN_PREFIXES):
            return None
        return found.node, found.rel

    def _binding(self, scope: _Scope, expr: ast.expr) -> _Bound:
        kind = self._kind(scope, expr, 0)
        return kind if kind is not None else _Arg(expr, scope)

    # -- what an expression is -------------------------------------------------------------
    def _kind(self, scope: _Scope, expr: ast.expr, hops: int) -> str | None:
        """``_FLOW`` or ``_ATTRS`` when ``expr`` is the flow or the decorator's attributes."""
        if hops > _MAX_HOPS:
            return None
        if isinstance(expr, ast.Attribute) and scope.method and _is_self(expr.value):
            if expr.attr.lstrip("_") == "flow":
                return _FLOW
            return _ATTRS if expr.attr == "attributes" else None
        if not isinstance(expr, ast.Name):
            return None
        bound = scope.env.get(expr.id)
        if isinstance(bound, str):
            return bound
        if isinstance(bound, _Arg):
            return self._kind(bound.scope, bound.expr, hops + 1)
        if bound is None:
            local = _local_value(scope.fn, expr.id)
            if local is not None:
                return self._kind(scope, local, hops + 1)
        return None

    def _name(self, scope: _Scope, expr: ast.expr, hops: int) -> None:
        """Record what the name expression ``expr`` (the second argument of a
        ``setattr(flow, …)``) may evaluate to."""
        if hops > _MAX_HOPS:
            self.out.unknown = True
            return
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            self.out.names.add(expr.value)
            return
        if isinstance(expr, ast.BoolOp):  # ``attrs.get("name") or "default"``
            for value in expr.values:
                self._name(scope, value, hops + 1)
            return
        if isinstance(expr, ast.IfExp):
            self._name(scope, expr.body, hops + 1)
            self._name(scope, expr.orelse, hops + 1)
            return
        arg = self._attribute_arg(scope, expr, hops)
        if arg is not None:
            self.out.var_args.add(arg)
            return
        if isinstance(expr, ast.Name) and self._name_of(scope, expr.id, hops):
            return
        self.out.unknown = True

    def _name_of(self, scope: _Scope, name: str, hops: int) -> bool:
        """:meth:`_name` for a variable; False when nothing it may hold is known."""
        bound = scope.env.get(name)
        if isinstance(bound, _AttrKey):
            self.out.var_args.add(bound.key)
            return True
        if isinstance(bound, _Arg):
            self._name(bound.scope, bound.expr, hops + 1)
            return True
        local = _local_value(scope.fn, name)
        if local is not None:
            self._name(scope, local, hops + 1)
            return True
        params = [a.arg for a in scope.fn.args.args]
        if scope.method and name in params and hops < 2:
            self._callers(scope.fn, params.index(name), hops)
            return True
        default = _default(scope.fn, name)
        if not scope.method and default is not None:
            self._name(scope, default, hops + 1)
            return True
        const = self.reader.string_constant(scope.rel, name)
        if const is not None:
            self.out.names.add(const)
            return True
        return False

    def _attribute_arg(self, scope: _Scope, expr: ast.expr, hops: int) -> str | None:
        """``<attributes>["var"]`` or ``<attributes>.get("var"[, default])`` → ``"var"``."""
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
            isinstance(key, ast.Constant)
            and isinstance(key.value, str)
            and self._kind(scope, owner, hops) == _ATTRS
        ):
            return key.value
        return None

    def _callers(self, fn: _Function, index: int, hops: int) -> None:
        """The name is a parameter of a helper method: what each ``self.<helper>(…)`` passes."""
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
                    scope = _Scope(caller, self.d.rel, _flow_params(caller), method=True)
                    self._name(scope, call.args[pos], hops + 1)
        if not found:
            self.out.unknown = True


def _flow_params(fn: _Function) -> dict[str, _Bound]:
    """A hook's or helper's parameters that hold the flow (``flow``, ``*_flow``)."""
    return {a.arg: _FLOW for a in fn.args.args if a.arg == "flow" or a.arg.endswith("_flow")}


def _bind(
    fn: _Function, call: ast.Call, binding: Callable[[ast.expr], _Bound]
) -> dict[str, _Bound]:
    """The callee's parameters bound to the call's arguments; ``**<attributes>`` fills every
    parameter left with the argument of its name."""
    positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    env: dict[str, _Bound] = {}
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred) or i >= len(positional):
            break
        env[positional[i]] = binding(arg)
    splat = False
    for kw in call.keywords:
        if kw.arg is not None:
            env[kw.arg] = binding(kw.value)
        elif binding(kw.value) == _ATTRS:
            splat = True
    if splat:
        for name in (*positional, *(a.arg for a in fn.args.kwonlyargs)):
            env.setdefault(name, _AttrKey(name))
    return env


def _default(fn: _Function, name: str) -> ast.expr | None:
    """The default value of parameter ``name`` of ``fn``, if it has one."""
    positional = [*fn.args.posonlyargs, *fn.args.args]
    defaults = fn.args.defaults
    for param, default in zip(positional[len(positional) - len(defaults) :], defaults, strict=True):
        if param.arg == name:
            return default
    for param, kw_default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
        if param.arg == name:
            return kw_default
    return None


def _is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


def _local_value(fn: _Function, name: str) -> ast.expr | None:
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
