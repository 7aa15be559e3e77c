"""Classes of a file, and which of them are flows with which steps and parameters.

A flow is a class that reaches ``FlowSpec`` through its bases (however imported), directly or
through other classes of the file; a class with bases we cannot see (imported) that has
``@step`` methods is treated as a flow too. Members are merged over the in-file MRO (C3, like
Python): the most-derived definition of a name wins, a name defined twice in one body keeps the
last, and plain mixins with ``@step`` methods contribute steps, as ``dir(flow)`` would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from tree_sitter import Node

from metaflow_expert.model import (
    DecoratorUse,
    FlowClass,
    ParameterDecl,
    ShadowedStep,
    Span,
    Step,
)
from metaflow_expert.parsing.calls import call_args
from metaflow_expert.parsing.names import NameResolver
from metaflow_expert.parsing.source import SourceText
from metaflow_expert.parsing.steps import (
    MethodInfo,
    body_statements,
    decorator_use,
    def_parts,
    docstring_of,
    error_def_parts,
    method_info,
)
from metaflow_expert.parsing.tree import code_children, unparen

#: Metaflow names the model gives dedicated meaning to.
FLOWSPEC = "FlowSpec"
PARAMETER_KINDS = ("Parameter", "IncludeFile", "Config")
_BUILTIN_BASES = frozenset({"object"})


class Member(NamedTuple):
    """The last definition of one name in a class body."""

    kind: str  # "step" | "method" | "attr" | "param"
    span: Span
    step: Step | None = None
    param: ParameterDecl | None = None


@dataclass
class ClassInfo:
    name: str
    node: Node
    outer: Node
    supers: Node | None
    span: Span
    name_span: Span
    decorators: list[DecoratorUse]
    docstring: str | None
    bases: list[str] = field(default_factory=list)
    local_bases: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    flowspec_base: bool = False
    members: dict[str, Member] = field(default_factory=dict)
    methods: list[MethodInfo] = field(default_factory=list)
    shadowed: list[ShadowedStep] = field(default_factory=list)


def top_level_definitions(root: Node) -> list[tuple[Node, Node]]:
    """(outer, definition) for module-level classes and functions, looking inside ERROR nodes
    so that a syntax error elsewhere does not hide the flow."""
    out: list[tuple[Node, Node]] = []
    stack = list(reversed(root.children))
    while stack:
        n = stack.pop()
        t = n.type
        if t in ("class_definition", "function_definition"):
            out.append((n, n))
        elif t == "decorated_definition":
            d = n.child_by_field_name("definition")
            if d is not None:
                out.append((n, d))
        elif t == "ERROR":
            stack.extend(reversed(n.children))
    return out


def class_header(outer: Node, node: Node) -> tuple[Node, Node | None, list[Node]] | None:
    """(name, superclasses, decorator nodes) of a class definition, or of an ERROR node that
    holds ``[@decorators] class Name(bases)`` without its ``:``."""
    if node.type == "class_definition":
        name = node.child_by_field_name("name")
        if name is None:
            return None
        decos = [d for d in outer.children if d.type == "decorator"] if outer is not node else []
        return name, node.child_by_field_name("superclasses"), decos
    kids = node.children
    kinds = [c.type for c in kids]
    if "class" not in kinds:
        return None
    i = kinds.index("class")
    if i + 1 >= len(kids) or kinds[i + 1] != "identifier":
        return None
    supers = kids[i + 2] if i + 2 < len(kids) and kinds[i + 2] == "argument_list" else None
    return kids[i + 1], supers, [d for d in kids[:i] if d.type == "decorator"]


def read_class(
    src: SourceText,
    resolver: NameResolver,
    outer: Node,
    node: Node,
    members: list[Node] | None = None,
) -> ClassInfo | None:
    """A class from its definition node; ``members`` replaces the body's statements when the
    class was parsed piecewise (see :mod:`segments`)."""
    header = class_header(outer, node)
    if header is None:
        return None
    name_node, supers, deco_nodes = header
    body = node.child_by_field_name("body") if node.type == "class_definition" else None
    stmts = members if members is not None else body_statements(body)
    info = ClassInfo(
        name=src.node_text(name_node),
        node=node,
        outer=outer,
        supers=supers,
        span=src.span(outer) if members is None else _class_span(src, outer, stmts),
        name_span=src.span(name_node),
        decorators=[decorator_use(src, resolver, d) for d in deco_nodes],
        docstring=docstring_of(src, [s for s in stmts if s.type != "comment"]),
    )
    if supers is not None:
        for b in code_children(supers):
            if b.type in ("keyword_argument", "list_splat", "dictionary_splat"):
                continue
            info.bases.append(src.node_text(b))
    _read_body(src, resolver, info, stmts)
    return info


def _class_span(src: SourceText, outer: Node, stmts: list[Node]) -> Span:
    return src.span_between(outer, stmts[-1]) if stmts else src.span(outer)


def _read_body(src: SourceText, resolver: NameResolver, info: ClassInfo, stmts: list[Node]) -> None:
    for stmt in stmts:
        t = stmt.type
        if t in ("function_definition", "decorated_definition"):
            fn = stmt if t == "function_definition" else stmt.child_by_field_name("definition")
            if fn is None or fn.type != "function_definition":
                continue
            parts = def_parts(stmt, fn)
        elif t == "ERROR":
            parts = error_def_parts(stmt)
            if parts is None:
                # an ERROR wrapping intact members: read what is inside
                _read_body(src, resolver, info, code_children(stmt))
                continue
        elif t == "expression_statement":
            for a in code_children(stmt):
                if a.type == "assignment":
                    _read_assignment(src, resolver, info, stmt, a)
            continue
        else:
            continue
        if parts is None:
            continue
        m = method_info(src, resolver, info.name, parts)
        info.methods.append(m)
        _note_shadowed(info, m.name, m.name_span, m.step is not None)
        if m.step is not None:
            info.members[m.name] = Member("step", m.step.def_span, step=m.step)
        else:
            info.members[m.name] = Member("method", src.span(parts.fn))


def _note_shadowed(info: ClassInfo, name: str, by: Span, by_step: bool) -> None:
    """Record the step that binding ``name`` again in the class body replaces."""
    prev = info.members.get(name)
    if prev is not None and prev.step is not None:
        info.shadowed.append(ShadowedStep(prev.step, by, by_step))


def _read_assignment(
    src: SourceText, resolver: NameResolver, info: ClassInfo, stmt: Node, a: Node
) -> None:
    left = a.child_by_field_name("left")
    right = a.child_by_field_name("right")
    if left is None:
        return
    targets = (
        [left]
        if left.type == "identifier"
        else [c for c in code_children(left) if c.type == "identifier"]
    )
    decl_kind = None
    call = unparen(right)
    if call is not None and call.type == "call" and left.type == "identifier":
        fn = call.child_by_field_name("function")
        res = resolver.resolve(src, fn) if fn is not None else None
        for kind in PARAMETER_KINDS:
            if resolver.is_metaflow_name(res, kind):
                decl_kind = kind
                break
    for tnode in targets:
        name = src.node_text(tnode)
        tspan = src.span(tnode)
        _note_shadowed(info, name, tspan, False)
        if decl_kind is None or call is None:
            info.members[name] = Member("attr", tspan)
            continue
        args = call_args(src, call.child_by_field_name("arguments"))
        pname = None
        if args and args[0].name is None and not args[0].star and isinstance(args[0].value, str):
            pname = args[0].value
        else:
            kw = next((x for x in args if x.name == "name"), None)
            if kw is not None and isinstance(kw.value, str):
                pname = kw.value
        decl = ParameterDecl(name, decl_kind, src.span(stmt), tspan, pname, args, info.name)  # type: ignore[arg-type]
        info.members[name] = Member("param", tspan, param=decl)


def classify_bases(src: SourceText, resolver: NameResolver, classes: dict[str, ClassInfo]) -> None:
    for info in classes.values():
        supers = info.supers
        if supers is None:
            continue
        for b in code_children(supers):
            if b.type in ("keyword_argument", "list_splat", "dictionary_splat"):
                continue
            res = resolver.resolve(src, b)
            text = src.node_text(b)
            if res is not None and resolver.is_metaflow_name(res, FLOWSPEC):
                info.flowspec_base = True
            elif res is not None and res.written in classes and res.written != info.name:
                info.local_bases.append(res.written)
            elif res is not None and res.written in _BUILTIN_BASES and not res.bound:
                continue
            else:
                info.unresolved.append(text)


def linearizations(classes: dict[str, ClassInfo]) -> dict[str, list[str]]:
    """C3 linearisation (Python's MRO) of every class over the file's classes.

    Bases are computed before subclasses with an explicit stack (a 2,000-class chain must not
    hit the recursion limit); a cycle or an inconsistent hierarchy (errors in Python) falls
    back to depth-first order instead of failing."""
    lins: dict[str, list[str]] = {}
    for start in classes:
        if start in lins:
            continue
        stack: list[tuple[str, bool]] = [(start, False)]
        visiting: set[str] = set()
        while stack:
            n, ready = stack.pop()
            if n in lins:
                continue
            bases = [b for b in classes[n].local_bases if b in classes]
            if not ready:
                if n in visiting:
                    continue  # a cycle: finish this class with what its bases have so far
                visiting.add(n)
                stack.append((n, True))
                stack.extend(
                    (b, False) for b in reversed(bases) if b not in lins and b not in visiting
                )
                continue
            lins[n] = _c3(n, [lins.get(b, [b]) for b in bases], bases)
    return lins


def _c3(name: str, base_lins: list[list[str]], bases: list[str]) -> list[str]:
    if not bases:
        return [name]
    if len(bases) == 1:
        return [name, *(c for c in base_lins[0] if c != name)]
    seqs = [list(s) for s in [*base_lins, bases] if s]
    heads = [0] * len(seqs)
    result = [name]
    seen = {name}
    while True:
        live = [i for i in range(len(seqs)) if heads[i] < len(seqs[i])]
        if not live:
            return result
        tails: dict[str, int] = {}
        for i in live:
            for c in seqs[i][heads[i] + 1 :]:
                tails[c] = tails.get(c, 0) + 1
        head = next((seqs[i][heads[i]] for i in live if seqs[i][heads[i]] not in tails), None)
        if head is None:  # inconsistent: depth-first for the rest
            for i in live:
                for c in seqs[i][heads[i] :]:
                    if c not in seen:
                        seen.add(c)
                        result.append(c)
            return result
        if head not in seen:
            seen.add(head)
            result.append(head)
        for i in live:
            if seqs[i][heads[i]] == head:
                heads[i] += 1


def find_flows(classes: dict[str, ClassInfo]) -> list[FlowClass]:
    lins = linearizations(classes)
    has_steps = {
        n: any(any(m.kind == "step" for m in classes[c].members.values()) for c in lins[n])
        for n in classes
    }
    is_flow = {
        n: any(classes[c].flowspec_base for c in lins[n])
        or (has_steps[n] and any(classes[c].unresolved for c in lins[n]))
        for n in classes
    }
    subclassed = {b for info in classes.values() for b in info.local_bases}
    flows: list[FlowClass] = []
    for n, info in classes.items():
        if is_flow[n]:
            flows.append(_flow(info, lins[n], classes, n not in subclassed))
    flows.sort(key=lambda f: (f.span.start_line, f.span.start_col))
    return flows


def _flow(
    info: ClassInfo, lin: list[str], classes: dict[str, ClassInfo], is_leaf: bool
) -> FlowClass:
    merged: dict[str, tuple[str, Member]] = {}
    for c in lin:
        for name, m in classes[c].members.items():
            merged.setdefault(name, (c, m))
    steps = sorted(
        (
            (name, m.step)
            for name, (_, m) in merged.items()
            if m.kind == "step" and m.step is not None
        ),
        key=lambda x: (x[1].def_span.start_line, x[1].def_span.start_col),
    )
    params = sorted(
        (m.param for _, m in merged.values() if m.kind == "param" and m.param is not None),
        key=lambda p: (p.span.start_line, p.span.start_col),
    )
    misplaced: list[DecoratorUse] = []
    unresolved: list[str] = []
    for c in lin:
        ci = classes[c]
        for meth in ci.methods:
            if meth.step is None:
                misplaced.extend(d for d in meth.decorators if d.from_metaflow)
        for u in ci.unresolved:
            if u not in unresolved:
                unresolved.append(u)
    return FlowClass(
        name=info.name,
        span=info.span,
        name_span=info.name_span,
        bases=list(info.bases),
        decorators=list(info.decorators),
        steps=dict(steps),
        own_step_names=[
            name for name, (c, m) in merged.items() if c == info.name and m.kind == "step"
        ],
        parameters=params,
        class_attributes={
            name: m.span for name, (_, m) in merged.items() if m.kind in ("attr", "param")
        },
        docstring=info.docstring,
        is_leaf=is_leaf,
        unresolved_bases=unresolved,
        non_step_methods={name: m.span for name, (_, m) in merged.items() if m.kind == "method"},
        misplaced_step_decorators=misplaced,
        shadowed_steps=[s for c in lin for s in classes[c].shadowed],
    )
