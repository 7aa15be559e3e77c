"""The tail ``self.next(...)`` of a step, read exactly as ``DAGNode._parse`` in ``metaflow/graph.py``.

Metaflow looks only at the **last statement** of the body: it must be an expression statement
whose value is a call of exactly ``self.next``. Then, in order: a single positional dict plus a
``condition=`` keyword is tried as a switch; otherwise every positional argument must have an
``.attr`` (anything else raises ``AttributeError`` inside Metaflow, leaving the node invalid
with no targets); the keywords (by name, values kept only when they are ``ast.Constant``)
decide foreach / parallel foreach / split / linear-or-join. This module reproduces each branch,
including what Metaflow leaves behind in the invalid cases, and explains the failure in words.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tree_sitter import Node

from metaflow_expert.model import NOT_LITERAL, CallArg, Span, SwitchCase, TargetRef, Transition
from metaflow_expert.parsing.calls import call_args, constant_value, literal
from metaflow_expert.parsing.source import SourceText, make_span
from metaflow_expert.parsing.tree import code_children, unparen

#: The receiver and method Metaflow's graph parser requires, spelled exactly so.
SELF = "self"
NEXT = "next"
#: Keywords of ``FlowSpec.next`` that ``DAGNode._parse`` interprets.
KW_CONDITION = "condition"
KW_FOREACH = "foreach"
KW_NUM_PARALLEL = "num_parallel"


class TailResult(NamedTuple):
    transition: Transition | None
    last_statement_span: Span | None
    #: start byte of the tail ``self.next`` call, so the artifact pass can skip it
    tail_call_start: int | None
    #: end byte of the tail call when it holds nothing but step references and one constant
    #: keyword (the artifact pass can jump over it: it reads no artifact)
    plain_call_end: int | None = None


def is_self_next(src: SourceText, func: Node | None) -> bool:
    """``func`` is ``self.next`` (parentheses allowed, as in Python's AST)."""
    func = unparen(func)
    if func is None or func.type != "attribute":
        return False
    obj = unparen(func.child_by_field_name("object"))
    attr = func.child_by_field_name("attribute")
    return (
        obj is not None
        and attr is not None
        and obj.type == "identifier"
        and src.node_text(obj) == SELF
        and src.node_text(attr) == NEXT
    )


def parse_tail(src: SourceText, stmts: list[Node], num_args: int) -> TailResult:
    """Read the transition from a body's statements (comments already removed)."""
    if not stmts:
        return TailResult(None, None, None)
    tail = stmts[-1]
    if src.is_ascii:
        quick = plain_tail(src, tail, num_args)
        if quick is not None:
            return quick
    last_span = src.span(tail)
    if tail.type != "expression_statement":
        return TailResult(None, last_span, None)
    parts = code_children(tail)
    if len(parts) != 1:
        return TailResult(None, last_span, None)
    call = unparen(parts[0])
    if (
        call is None
        or call.type != "call"
        or not is_self_next(src, call.child_by_field_name("function"))
    ):
        return TailResult(None, last_span, None)
    arglist = call.child_by_field_name("arguments")
    args = call_args(src, arglist)
    return TailResult(_transition(src, tail, arglist, args, num_args), last_span, call.start_byte)


#: ``self.next(self.a, self.b)`` / ``self.next(self.a, foreach="xs")`` written on one line as
#: formatters write it: most tails. Read from the text, with the same result as the tree path
#: (``test_transition_fuzz`` compares the two).
_PLAIN_TAIL = re.compile(
    rb"self\.next\(((?:self\.[A-Za-z_][A-Za-z0-9_]*, )*self\.[A-Za-z_][A-Za-z0-9_]*)"
    rb"(?:, (foreach|num_parallel)=(\"[A-Za-z0-9_]*\"|'[A-Za-z0-9_]*'|0|[1-9][0-9]{0,8}))?\)"
)
_EXPRESSION_STATEMENT = "expression_statement"


def plain_tail(src: SourceText, tail: Node, num_args: int) -> TailResult | None:
    """The tail from its text when it has the plain one-line shape, else None."""
    sb = tail.start_byte
    m = _PLAIN_TAIL.fullmatch(src.data, sb, tail.end_byte)
    if m is None or tail.type != _EXPRESSION_STATEMENT or tail.has_error:
        return None
    row, col0 = tail.start_point
    col0 -= sb  # column of byte ``b`` on this line: ``col0 + b``
    span = make_span(row, col0 + sb, row, col0 + tail.end_byte)
    targets = []
    args = []
    pos = m.start(1)
    for part in m.group(1).split(b", "):
        end = pos + len(part)
        sp = make_span(row, col0 + pos, row, col0 + end)
        args.append(CallArg(None, NOT_LITERAL, part.decode(), sp, sp))
        targets.append(
            TargetRef(part[5:].decode(), make_span(row, col0 + pos + 5, row, col0 + end))
        )
        pos = end + 2
    tg = tuple(targets)
    key = m.group(2)
    if key is None:
        if len(tg) > 1:
            t = Transition("split", span, tg, node_type="split", args=tuple(args))
        else:
            node_type = "join" if num_args > 1 else "linear"
            t = Transition("linear", span, tg, node_type=node_type, args=tuple(args))
        return TailResult(t, span, sb, m.end())
    if len(tg) != 1:
        return None
    vtext = m.group(3).decode()
    value = literal(vtext)
    vspan = make_span(row, col0 + m.start(3), row, col0 + m.end(3))
    kw = CallArg(
        key.decode(),
        value,
        vtext,
        make_span(row, col0 + m.start(2), row, col0 + m.end(3)),
        vspan,
        make_span(row, col0 + m.start(2), row, col0 + m.end(2)),
    )
    if key == b"foreach":
        t = Transition(
            "foreach",
            span,
            tg,
            foreach=value,
            foreach_span=vspan,
            node_type="foreach",
            args=tuple(args),
            keywords=(kw,),
        )
    else:
        t = Transition(
            "parallel",
            span,
            tg,
            num_parallel=value,
            num_parallel_span=vspan,
            node_type="foreach",
            args=tuple(args),
            keywords=(kw,),
        )
    return TailResult(t, span, sb, m.end())


def _arg_nodes(arglist: Node | None) -> tuple[list[Node], list[Node]]:
    """(positional argument nodes, keyword-ish nodes) as Python's AST would split them."""
    if arglist is None:
        return [], []
    if arglist.type != "argument_list":
        return [arglist], []
    pos: list[Node] = []
    kws: list[Node] = []
    for c in code_children(arglist):
        if c.type in ("keyword_argument", "dictionary_splat"):
            kws.append(c)
        else:
            pos.append(c)
    return pos, kws


def _kw_name(src: SourceText, node: Node) -> str | None:
    if node.type != "keyword_argument":
        return None  # ``**kw``: ast.keyword(arg=None)
    name = node.child_by_field_name("name")
    return src.node_text(name) if name is not None else None


def _transition(
    src: SourceText, tail: Node, arglist: Node | None, args: tuple[CallArg, ...], num_args: int
) -> Transition:
    span = src.span(tail)
    pos, kws = _arg_nodes(arglist)
    positional = tuple(a for a in args if a.name is None and a.star != "**")
    keywords = tuple(a for a in args if a.name is not None or a.star == "**")
    base = {"span": span, "args": positional, "keywords": keywords}

    # --- switch: one positional dict and a ``condition=`` keyword -------------------------
    if (
        len(pos) == 1
        and unparen(pos[0]) is not None
        and unparen(pos[0]).type == "dictionary"  # type: ignore[union-attr]
        and any(_kw_name(src, k) == KW_CONDITION for k in kws)
    ):
        cases, switch_map, why = _switch_cases(src, unparen(pos[0]))  # type: ignore[arg-type]
        cond_node = None
        condition = None
        for k in kws:
            if _kw_name(src, k) == KW_CONDITION:
                cond_node = k.child_by_field_name("value")
                ok, value = constant_value(src, cond_node)
                if ok and isinstance(value, str):
                    condition = value
                break
        cond_span = src.span(cond_node) if cond_node is not None else None
        if switch_map and condition:
            return Transition(
                kind="switch",
                targets=tuple(switch_map.values()),
                condition=condition,
                condition_span=cond_span,
                switch_cases=cases,
                node_type="split-switch",
                **base,  # type: ignore[arg-type]
            )
        if why is None:
            why = "the switch condition= must be a string literal naming the condition"
        # Metaflow falls through with no targets; only the keyword count is still looked at.
        return Transition(
            kind="invalid",
            condition=condition,
            condition_span=cond_span,
            switch_cases=cases,
            invalid_reason=why,
            node_type=None,
            **base,  # type: ignore[arg-type]
        )

    # --- targets: the ``.attr`` of every positional argument -------------------------------
    targets: list[TargetRef] = []
    for p in pos:
        node = unparen(p)
        attr = (
            node.child_by_field_name("attribute")
            if node is not None and node.type == "attribute"
            else None
        )
        if attr is None:
            return Transition(
                kind="invalid",
                invalid_reason=(
                    f"'{src.node_text(p)}' is not a step reference: every argument of "
                    "self.next must be written self.<step_name>"
                ),
                node_type=None,
                **base,  # type: ignore[arg-type]
            )
        targets.append(TargetRef(src.node_text(attr), src.span(attr)))
    tg = tuple(targets)

    # --- keywords: ``dict((k.arg, constant)) `` ----------------------------------------------
    kwmap: dict[str | None, tuple[object, Node]] = {}
    for k in kws:
        value_node = k.child_by_field_name("value") if k.type == "keyword_argument" else k
        ok, value = (
            constant_value(src, value_node) if k.type == "keyword_argument" else (False, None)
        )
        kwmap[_kw_name(src, k)] = (
            value if ok else None,
            value_node if value_node is not None else k,
        )

    if len(kwmap) == 1:
        ((key, (value, vnode)),) = kwmap.items()
        vspan = src.span(vnode)
        if key == KW_FOREACH:
            if len(tg) == 1:
                return Transition(
                    kind="foreach",
                    targets=tg,
                    foreach=value,
                    foreach_span=vspan,
                    node_type="foreach",
                    **base,  # type: ignore[arg-type]
                )
            return Transition(
                kind="invalid",
                targets=tg,
                foreach_span=vspan,
                node_type="foreach",
                invalid_reason=f"a foreach transition must name exactly one step, not {len(tg)}",
                **base,  # type: ignore[arg-type]
            )
        if key == KW_NUM_PARALLEL:
            if len(tg) == 1:
                return Transition(
                    kind="parallel",
                    targets=tg,
                    num_parallel=value,
                    num_parallel_span=vspan,
                    node_type="foreach",
                    **base,  # type: ignore[arg-type]
                )
            return Transition(
                kind="invalid",
                targets=tg,
                num_parallel_span=vspan,
                node_type="foreach",
                invalid_reason=f"a num_parallel transition must name exactly one step, not {len(tg)}",
                **base,  # type: ignore[arg-type]
            )
        label = f"'{key}='" if key is not None else "'**' unpacking"
        return Transition(
            kind="invalid",
            targets=tg,
            node_type=None,
            invalid_reason=(
                f"unexpected keyword argument {label}: self.next only accepts foreach= "
                f"or num_parallel= (or condition= with a dict of cases)"
            ),
            **base,  # type: ignore[arg-type]
        )
    if len(kwmap) > 1:
        names = ", ".join(f"{k}=" if k is not None else "**" for k in kwmap)
        return Transition(
            kind="invalid",
            targets=tg,
            node_type=None,
            invalid_reason=f"self.next takes at most one keyword argument, got {names}",
            **base,  # type: ignore[arg-type]
        )
    if len(tg) > 1:
        return Transition(kind="split", targets=tg, node_type="split", **base)  # type: ignore[arg-type]
    if len(tg) == 1:
        return Transition(
            kind="linear",
            targets=tg,
            node_type="join" if num_args > 1 else "linear",
            **base,  # type: ignore[arg-type]
        )
    return Transition(
        kind="invalid",
        node_type=None,
        invalid_reason="self.next() names no step to go to",
        **base,  # type: ignore[arg-type]
    )


def _switch_cases(
    src: SourceText, dict_node: Node
) -> tuple[tuple[SwitchCase, ...], dict[object, TargetRef], str | None]:
    """All written cases, Metaflow's ``switch_cases`` (empty if it would reject the dict), and
    why it was rejected."""
    cases: list[SwitchCase] = []
    mapping: dict[object, TargetRef] = {}
    why: str | None = None
    for entry in code_children(dict_node):
        if entry.type != "pair":
            cases.append(SwitchCase(None, src.node_text(entry), src.span(entry), None))
            why = why or "switch cases cannot be unpacked with '**': write each case out"
            continue
        key = entry.child_by_field_name("key")
        value = entry.child_by_field_name("value")
        if key is None or value is None:
            continue
        case_key = _case_key(src, key)
        target = _case_target(src, value)
        cases.append(SwitchCase(case_key, src.node_text(key), src.span(key), target))
        if why is not None:
            continue
        if case_key is None:
            why = f"switch case key {src.node_text(key)} must be a constant or self.<config>.<key>"
        elif target is None:
            why = f"switch case value {src.node_text(value)} must be written self.<step_name>"
        else:
            mapping[case_key] = target
    if why is not None:
        return tuple(cases), {}, why
    if not mapping:
        return tuple(cases), {}, "the switch dict has no cases"
    return tuple(cases), mapping, None


def _case_key(src: SourceText, key: Node) -> object:
    ok, value = constant_value(src, key)
    if ok:
        return value  # None for a ``None`` key, which Metaflow rejects too
    node = unparen(key)
    if node is None or node.type != "attribute":
        return None
    inner = unparen(node.child_by_field_name("object"))
    if inner is None or inner.type != "attribute":
        return None
    root = unparen(inner.child_by_field_name("object"))
    if root is None or root.type != "identifier" or src.node_text(root) != SELF:
        return None
    cfg = inner.child_by_field_name("attribute")
    attr = node.child_by_field_name("attribute")
    if cfg is None or attr is None:
        return None
    return f"config:{src.node_text(cfg)}.{src.node_text(attr)}"


def _case_target(src: SourceText, value: Node) -> TargetRef | None:
    node = unparen(value)
    if node is None or node.type != "attribute":
        return None
    obj = unparen(node.child_by_field_name("object"))
    attr = node.child_by_field_name("attribute")
    if obj is None or attr is None or obj.type != "identifier" or src.node_text(obj) != SELF:
        return None
    return TargetRef(src.node_text(attr), src.span(attr))
