"""Artifact reads and writes inside step bodies, from one query pass over the whole file.

The rule is deliberately simple and syntactic: ``self.x = ...`` (and tuple/list/starred
targets, ``for self.x in``, ``with ... as self.x``) is a write, ``self.x += ...`` a read and a
write, ``del self.x`` a delete, ``setattr/getattr/delattr(self, "x")`` with a literal name the
same, and any other ``self.x`` that is not immediately called is a read. Nested functions,
lambdas and comprehensions belong to the step around them. In a join, ``inputs.a.x``,
``inputs[0].x`` and ``inp.x`` for ``inp in inputs`` are reads of ``x`` via ``"input"``.
Which names are reserved (``self.input``, ...) is left to the rules: every write is recorded.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from tree_sitter import Node

from metaflow_expert.model import ArtifactAccess, CallSite, Step
from metaflow_expert.parsing.calls import call_args, literal
from metaflow_expert.parsing.source import SourceText
from metaflow_expert.parsing.transition import NEXT
from metaflow_expert.parsing.tree import (
    ATTR_FUNC_QUERY,
    IDENT_QUERY,
    OBJ_ATTR_QUERY,
    SELF_ATTR_QUERY,
    captures,
    matches,
    unparen,
)

#: FlowSpec members the model has dedicated fields for (``Step.uses_input``, ...).
INPUT = "input"
INDEX = "index"
MERGE_ARTIFACTS = "merge_artifacts"

_FUNC_KIND = {
    "setattr": ("write", "setattr"),
    "getattr": ("read", "getattr"),
    "delattr": ("delete", "delattr"),
}


@dataclass
class StepRange:
    """A step's ``def`` byte range, where its accesses are collected."""

    start: int
    end: int
    step: Step
    tail_call_start: int | None
    inputs_param: str | None
    node: Node
    body_start: int = 0
    body_end: int = 0


def collect(src: SourceText, roots: Sequence[Node], ranges: Sequence[StepRange]) -> None:
    """Fill ``artifacts``, ``uses_*``, calls and ``assigns_reserved`` of every step in ``ranges``
    (``roots``: the file's tree, or its pieces when it was parsed piecewise)."""
    if not ranges:
        return
    ordered = sorted(ranges, key=lambda r: r.start)
    starts = [r.start for r in ordered]

    def owner(node: Node) -> StepRange | None:
        b = node.start_byte
        i = bisect.bisect_right(starts, b) - 1
        if i < 0:
            return None
        r = ordered[i]
        return r if b < r.end else None

    lo, hi = ordered[0].start, max(r.end for r in ordered)
    special: set[int] = set()  # start bytes of attribute nodes whose role is already decided
    plain: list[Node] = []
    next_args: list[tuple[int, int]] = []  # argument lists of self.next calls: targets, not reads
    found = [m for root in roots for _, m in matches(SELF_ATTR_QUERY, root, lo, hi)]
    attr_calls = [m for root in roots for _, m in matches(ATTR_FUNC_QUERY, root, lo, hi)]
    for m in found:
        anys = m.get("any")
        if anys:
            plain.append(anys[0])
            continue
        for role in ("write", "aug", "del", "callee"):
            nodes = m.get(role)
            if not nodes:
                continue
            node = nodes[0]
            special.add(node.start_byte)
            r = owner(node)
            if r is None:
                break
            name = _attr_name(src, node)
            if role == "callee":
                call = m["call"][0]
                _record_call(src, r, name, call)
                if name == NEXT:
                    al = call.child_by_field_name("arguments")
                    if al is not None:
                        next_args.append((al.start_byte, al.end_byte))
            elif role == "write":
                _write(r.step, ArtifactAccess(name, "write", src.span(node)))
            elif role == "aug":
                sp = src.span(node)
                r.step.artifacts.append(ArtifactAccess(name, "read", sp, "augassign"))
                _write(r.step, ArtifactAccess(name, "write", sp, "augassign"))
            else:
                r.step.artifacts.append(ArtifactAccess(name, "delete", src.span(node)))
            break
    for node in plain:
        if node.start_byte in special:
            continue
        r = owner(node)
        if r is None:
            continue
        if next_args and _is_next_target(node, next_args):
            continue
        name = _attr_name(src, node)
        if name == INPUT:
            r.step.uses_input.append(src.span(node))
        elif name == INDEX:
            r.step.uses_index.append(src.span(node))
        elif name in (NEXT, MERGE_ARTIFACTS):
            continue
        else:
            r.step.artifacts.append(ArtifactAccess(name, "read", src.span(node)))
    for m in attr_calls:
        call = m["call"][0]
        r = owner(call)
        if r is None:
            continue
        value = literal(src.node_text(m["name"][0]))
        if not isinstance(value, str):
            continue
        kind, via = _FUNC_KIND[src.node_text(m["fn"][0])]
        acc = ArtifactAccess(value, kind, src.span(call), via)  # type: ignore[arg-type]
        if kind == "write":
            _write(r.step, acc)
        else:
            r.step.artifacts.append(acc)
    for r in ordered:
        if r.inputs_param:
            _join_inputs(src, r)
        r.step.artifacts.sort(key=lambda a: (a.span.start_line, a.span.start_col))


def _is_next_target(node: Node, next_args: list[tuple[int, int]]) -> bool:
    """``self.a`` written as a step reference inside ``self.next(...)`` (not in a keyword)."""
    b = node.start_byte
    if not any(s <= b < e for s, e in next_args):
        return False
    cur = node.parent
    while cur is not None and cur.type != "argument_list":
        if cur.type == "keyword_argument":
            return False
        cur = cur.parent
    return True


def _attr_name(src: SourceText, attr_node: Node) -> str:
    a = attr_node.child_by_field_name("attribute")
    return src.node_text(a) if a is not None else ""


def _write(step: Step, acc: ArtifactAccess) -> None:
    step.artifacts.append(acc)
    step.assigns_reserved.append(acc)


def _record_call(src: SourceText, r: StepRange, name: str, call: Node) -> None:
    if name == NEXT:
        if call.start_byte != r.tail_call_start:
            args = call_args(src, call.child_by_field_name("arguments"))
            r.step.non_tail_next_calls.append(CallSite(name, src.span(call), args))
    elif name == MERGE_ARTIFACTS:
        args = call_args(src, call.child_by_field_name("arguments"))
        r.step.merge_artifacts_calls.append(CallSite(name, src.span(call), args))


def _join_inputs(src: SourceText, r: StepRange) -> None:
    """Uses of a join's inputs parameter and the artifact reads made through it."""
    param = r.inputs_param
    if param is None or r.body_end <= r.body_start:
        return
    step = r.step
    loop_vars: set[str] = set()
    for ident in captures(IDENT_QUERY, r.node, r.body_start, r.body_end).get("id", []):
        if ident.start_byte < r.body_start or src.node_text(ident) != param:
            continue
        step.uses_inputs_param.append(src.span(ident))
        parent = ident.parent
        if parent is None:
            continue
        ptype = parent.type
        if ptype in ("for_statement", "for_in_clause") and _field_is(parent, "right", ident):
            left = unparen(parent.child_by_field_name("left"))
            if left is not None and left.type == "identifier":
                loop_vars.add(src.node_text(left))
            continue
        # inputs.branch.x  /  inputs[0].x
        holder: Node | None = None
        if (ptype == "attribute" and _field_is(parent, "object", ident)) or (
            ptype == "subscript" and _field_is(parent, "value", ident)
        ):
            holder = parent
        if holder is None:
            continue
        outer = holder.parent
        if outer is not None and outer.type == "attribute" and _field_is(outer, "object", holder):
            if _is_called(outer):
                continue
            attr = outer.child_by_field_name("attribute")
            if attr is not None:
                step.artifacts.append(
                    ArtifactAccess(src.node_text(attr), "read", src.span(outer), "input")
                )
    if not loop_vars:
        return
    for _, m in matches(OBJ_ATTR_QUERY, r.node, r.body_start, r.body_end):
        obj = m["obj"][0]
        if src.node_text(obj) not in loop_vars:
            continue
        node = m["node"][0]
        if _is_called(node):
            continue
        step.artifacts.append(
            ArtifactAccess(src.node_text(m["attr"][0]), "read", src.span(node), "input")
        )


def _field_is(parent: Node, field: str, child: Node) -> bool:
    f = parent.child_by_field_name(field)
    return f is not None and f.start_byte == child.start_byte and f.end_byte == child.end_byte


def _is_called(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.type == "call" and _field_is(parent, "function", node)
