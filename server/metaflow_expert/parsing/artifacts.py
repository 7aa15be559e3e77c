"""Artifact reads and writes inside step bodies.

The rule is deliberately simple and syntactic: ``self.x = ...`` (and tuple/list/starred
targets, ``for self.x in``, ``with ... as self.x``) is a write, ``self.x += ...`` a read and a
write, ``del self.x`` a delete, ``setattr/getattr/delattr(self, "x")`` with a literal name the
same, and any other ``self.x`` that is not immediately called is a read (step references
inside ``self.next(...)`` are targets, not reads). Nested functions, lambdas and
comprehensions belong to the step around them. In a join, ``inputs.a.x``, ``inputs[0].x`` and
``inp.x`` for ``inp in inputs`` are reads of ``x`` via ``"input"``. Which names are reserved
(``self.input``, ...) is left to the rules: every write is recorded in ``assigns_reserved``.

Two ways to find them, one the reference of the other:

- **The walk** (:meth:`Collector.walk`) is the definition: a preorder walk over a subtree in
  which assignments, deletes and calls mark the role of the ``self.x`` nodes below them. A
  whole step walked this way is the reference result; broken steps and joins that rebind
  ``self`` always take it.
- **The token scan** (:mod:`~metaflow_expert.parsing.self_tokens`) is the one fast path: it
  reads the common shapes of ``self`` tokens from the text and hands any other token's
  statement to the walk.

Both record through :meth:`Collector.record`; call sites are built in :meth:`Collector.call`.

Why a Python walk and not tree-sitter queries: measured on a 3,000-line flow, a walk over the
step subtrees dispatching on ``kind_id`` costs about half of one query pass with ``#eq?``
predicates, and it visits only step bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

from tree_sitter import Node

from metaflow_expert.model import ArtifactAccess, ArtifactAccessKind, CallSite, Span, Step
from metaflow_expert.parsing.calls import call_args, literal
from metaflow_expert.parsing.self_tokens import TokenScan
from metaflow_expert.parsing.source import SourceText
from metaflow_expert.parsing.transition import NEXT, SELF
from metaflow_expert.parsing.tree import (
    LEFT_HOLDERS,
    TARGET_PATTERNS,
    code_children,
    kind_id,
    unparen,
)

#: FlowSpec members the model has dedicated fields for (``Step.uses_input``, ...).
INPUT = "input"
INDEX = "index"
MERGE_ARTIFACTS = "merge_artifacts"

#: False: every step takes the reference walk (the tests compare the token scan with it).
USE_TOKENS = True

#: Roles that record one access: role -> (kind, via). A plain read (role None) and ``+=``
#: (``"aug"``, a read and a write) are spelled out in :meth:`Collector.record`; ``"call"`` and
#: ``"target"`` (``self.method(``, ``self.next(self.a)``) record nothing.
_ACCESS_OF_ROLE: dict[str, tuple[ArtifactAccessKind, str]] = {
    "write": ("write", "attr"),
    "delete": ("delete", "attr"),
    "setattr": ("write", "setattr"),
    "getattr": ("read", "getattr"),
    "delattr": ("delete", "delattr"),
    "input": ("read", "input"),
}
_new = tuple.__new__
_FUNC_ROLE = {b"setattr": "setattr", b"getattr": "getattr", b"delattr": "delattr"}

_ATTR = kind_id("attribute")
_CALL = kind_id("call")
_IDENT = kind_id("identifier")
_AUG = kind_id("augmented_assignment")
_DELETE = kind_id("delete_statement")
_EXPR_LIST = kind_id("expression_list")
_FOR = kind_id("for_statement")
_FOR_IN = kind_id("for_in_clause")
_SUBSCRIPT = kind_id("subscript")
_DICT = kind_id("dictionary")
_PAIR = kind_id("pair")
_ARGLIST = kind_id("argument_list")
#: Subtrees with nothing to find (numbers, comments, constants).
_LEAFLIKE = frozenset(kind_id(k) for k in ("comment", "integer", "float", "true", "false", "none"))
_SELF = SELF.encode()
#: Bytes of a name (``inputs`` inside ``myinputs`` is not the parameter).
_IDENT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class StepRange(NamedTuple):
    """A step's ``def`` node (or ERROR node holding it), where its accesses are collected."""

    start: int
    end: int
    step: Step
    tail_call_start: int | None
    inputs_param: str | None
    node: Node
    body_start: int = 0
    body_end: int = 0
    #: the tail call ends here and holds only step references (nothing to collect inside)
    plain_call_end: int | None = None


def collect(src: SourceText, ranges: Sequence[StepRange]) -> None:
    """Fill ``artifacts``, ``uses_*``, calls and ``assigns_reserved`` of every step in
    ``ranges``, walking each step's own node."""
    for r in ranges:
        Collector(src, r).run()


class Collector:
    """The accesses of one step: the reference walk and what the token scan shares with it."""

    #: ``self.<name>(...)`` calls the walk records (:meth:`call`); every other method call
    #: records nothing, which the scan may conclude from the text alone.
    KEPT_CALLS = frozenset([NEXT.encode(), MERGE_ARTIFACTS.encode()])

    def __init__(self, src: SourceText, r: StepRange) -> None:
        self.src = src
        self.data = src.data
        self.r = r
        self.step = r.step
        self.roles: dict[int, str] = {}
        self.param = r.inputs_param.encode() if r.inputs_param else None
        self.param_uses: list[Node] = []
        #: attributes ``v.x`` whose object is an identifier (None: found on demand)
        self.input_objs: list[Node] | None = []

    def run(self) -> None:
        """Collect the step's accesses, then sort them by position (the order rules see)."""
        param = self.param
        top = self.r.node
        if not USE_TOKENS or top.has_error or param == _SELF:
            self.walk(top, 0, param is not None)
        else:
            TokenScan(self).run()
            if param is not None:
                self.input_objs = None  # found by text once the loop variables are known
                self.param_uses = self._identifiers(param)
        if param is not None:
            self._join_inputs()
        s = self.step
        s.artifacts.sort(key=_pos)
        s.assigns_reserved.sort(key=_pos)
        s.uses_input.sort()
        s.uses_index.sort()
        s.uses_inputs_param.sort()
        s.non_tail_next_calls.sort(key=_pos)
        s.merge_artifacts_calls.sort(key=_pos)

    # -- shared by both paths -------------------------------------------------------------
    def record(self, name: str, role: str | None, sp: Span) -> None:
        """The one place an access of ``name`` at ``sp`` is recorded, by its role.

        Accesses are built with ``tuple.__new__`` and every field given (what the named
        tuple's own ``__new__`` makes, without its Python-level call): a 3,000-line flow
        records thousands."""
        step = self.step
        if role is None:  # a plain read of ``self.<name>``
            if name == INPUT:
                step.uses_input.append(sp)
            elif name == INDEX:
                step.uses_index.append(sp)
            elif name != NEXT and name != MERGE_ARTIFACTS:
                step.artifacts.append(_new(ArtifactAccess, (name, "read", sp, "attr")))
        elif role == "aug":
            step.artifacts.append(_new(ArtifactAccess, (name, "read", sp, "augassign")))
            acc = _new(ArtifactAccess, (name, "write", sp, "augassign"))
            step.artifacts.append(acc)
            step.assigns_reserved.append(acc)
        elif role in _ACCESS_OF_ROLE:
            kind, via = _ACCESS_OF_ROLE[role]
            acc = _new(ArtifactAccess, (name, kind, sp, via))
            step.artifacts.append(acc)
            if kind == "write":
                step.assigns_reserved.append(acc)

    def call(self, call: Node, children: list[Node], lo: int) -> None:
        """A call the walk meets: ``self.next``/``self.merge_artifacts`` become call sites
        (and mark ``self.next``'s step references as targets), ``setattr(self, "x", ...)``
        and its siblings accesses; only those whose ``self`` token is at ``lo`` or after
        are recorded."""
        fn = children[0] if children else None
        if fn is None:
            return
        data = self.data
        if fn.kind_id == _ATTR:
            obj = fn.child(0)
            if obj is None or obj.kind_id != _IDENT or data[obj.start_byte : obj.end_byte] != _SELF:
                return
            self.roles[fn.start_byte] = "call"
            name = _attr_name(self.src, fn)
            if name == NEXT:
                args = call.child_by_field_name("arguments")
                if args is not None:
                    self._mark_targets(args)
                if call.start_byte != self.r.tail_call_start and fn.start_byte >= lo:
                    self._call_site(name, call, args, self.step.non_tail_next_calls)
            elif name == MERGE_ARTIFACTS and fn.start_byte >= lo:
                args = call.child_by_field_name("arguments")
                self._call_site(name, call, args, self.step.merge_artifacts_calls)
        elif fn.kind_id == _IDENT:
            role = _FUNC_ROLE.get(data[fn.start_byte : fn.end_byte])
            if role is None:
                return
            args = call.child_by_field_name("arguments")
            if args is None or args.kind_id != _ARGLIST:
                return
            named = code_children(args)
            if len(named) < 2 or named[0].kind_id != _IDENT or named[0].start_byte < lo:
                return
            if data[named[0].start_byte : named[0].end_byte] != _SELF:
                return
            value = literal(self.src.node_text(named[1]))
            if isinstance(value, str):
                self.record(value, role, self.src.span(call))

    def _call_site(self, name: str, call: Node, args: Node | None, into: list[CallSite]) -> None:
        into.append(CallSite(name, self.src.span(call), call_args(self.src, args)))

    def _mark_targets(self, args: Node) -> None:
        """Step references in ``self.next(...)``: positional ``self.x`` and switch values."""
        for c in code_children(args):
            c = unparen(c) or c
            if c.kind_id == _ATTR:
                self.roles[c.start_byte] = "target"
            elif c.kind_id == _DICT:
                for pair in c.named_children:
                    v = pair.child_by_field_name("value") if pair.kind_id == _PAIR else None
                    v = unparen(v)
                    if v is not None and v.kind_id == _ATTR:
                        self.roles[v.start_byte] = "target"

    # -- the reference --------------------------------------------------------------------
    def walk(self, root: Node, lo: int, inputs: bool) -> None:
        """The reference: one preorder walk over ``root``, recording what the ``self`` tokens
        at ``lo`` or after do (the whole step: ``lo`` 0), and with ``inputs`` the uses of a
        join's inputs parameter too.

        A parent is seen before its children, so assignments, deletes and calls mark the role
        of the ``self.x`` nodes below them (by start byte: ``self.x.y = 1`` writes ``x``) and
        the attribute visit only looks its role up: no ``Node.parent`` calls, which
        tree-sitter answers by descending from the root."""
        data = self.data
        src = self.src
        stack = [root]
        roles = self.roles
        param = self.param if inputs else None
        body_start = self.r.body_start
        input_objs = self.input_objs if self.input_objs is not None else []
        param_uses = self.param_uses
        attr_k, call_k, ident_k, skip = _ATTR, _CALL, _IDENT, _LEAFLIKE
        left_k, targets_k, del_k = LEFT_HOLDERS, TARGET_PATTERNS, _DELETE
        pop, push, append, find = stack.pop, stack.extend, stack.append, data.find
        prune = param is None  # a join also follows loop variables over its inputs
        while stack:
            n = pop()
            # Without the inputs everything we look for spells ``self``: a subtree whose text
            # does not is skipped with one C-level search.
            if prune and find(_SELF, n.start_byte, n.end_byte) < 0:
                continue
            k = n.kind_id
            if k == attr_k:
                obj = n.child(0)
                if obj is None:
                    continue
                if obj.kind_id == ident_k:
                    if data[obj.start_byte : obj.end_byte] == _SELF:
                        role = roles.get(n.start_byte)
                        if n.start_byte >= lo and role != "call" and role != "target":
                            self.record(_attr_name(src, n), role, src.span(n))
                    elif param is not None:
                        input_objs.append(n)
                        append(obj)
                else:
                    append(obj)  # the attribute name itself holds nothing of interest
                continue
            if k == ident_k:
                if (
                    param is not None
                    and n.start_byte >= body_start
                    and data[n.start_byte : n.end_byte] == param
                ):
                    param_uses.append(n)
                continue
            if k in skip:
                continue
            children = n.named_children
            if k == call_k:
                self.call(n, children, lo)
            elif k in left_k:
                left = n.child_by_field_name("left")
                if left is not None and left.kind_id == attr_k:
                    roles[left.start_byte] = "aug" if k == _AUG else "write"
            elif k in targets_k:
                for c in children:
                    if c.kind_id == attr_k:
                        roles[c.start_byte] = "write"
            elif k == del_k:
                for c in children:
                    if c.kind_id == attr_k:
                        roles[c.start_byte] = "delete"
                    elif c.kind_id == _EXPR_LIST:
                        for d in c.named_children:
                            if d.kind_id == attr_k:
                                roles[d.start_byte] = "delete"
            push(children)

    # -- joins ----------------------------------------------------------------------------
    def _identifiers(self, name: bytes) -> list[Node]:
        """The identifiers ``name`` in the body that the walk would see as such, by text
        search: not part of a longer name, and not the name part of an attribute
        (``x.inputs``)."""
        data = self.data
        top = self.r.node
        end = top.end_byte
        n = len(name)
        out: list[Node] = []
        pos = data.find(name, self.r.body_start, end)
        while pos >= 0:
            after = pos + n
            if (not pos or data[pos - 1] not in _IDENT_BYTES) and (
                after >= len(data) or data[after] not in _IDENT_BYTES
            ):
                node = top.descendant_for_byte_range(pos, after)
                if (
                    node is not None
                    and node.kind_id == _IDENT
                    and node.start_byte == pos
                    and node.end_byte == after
                ):
                    parent = node.parent
                    if parent is None or parent.kind_id != _ATTR or parent.child(0) == node:
                        out.append(node)
            pos = data.find(name, after, end)
        return out

    def _objects_of(self, names: set[bytes]) -> list[Node]:
        """Attributes ``v.x`` whose object is one of ``names`` (identifiers)."""
        if self.input_objs is not None:
            return self.input_objs
        out: list[Node] = []
        for name in names:
            if name == _SELF:
                continue  # ``self.x`` is an artifact of the join itself
            for ident in self._identifiers(name):
                parent = ident.parent
                if parent is not None and parent.kind_id == _ATTR:
                    out.append(parent)
        return out

    def _join_inputs(self) -> None:
        """Uses of a join's inputs parameter and the artifact reads made through it."""
        src = self.src
        step = self.step
        loop_vars: set[bytes] = set()
        for ident in self.param_uses:
            step.uses_inputs_param.append(src.span(ident))
            parent = ident.parent
            if parent is None:
                continue
            pk = parent.kind_id
            if pk in (_FOR, _FOR_IN) and _field_is(parent, "right", ident):
                left = unparen(parent.child_by_field_name("left"))
                if left is not None and left.kind_id == _IDENT:
                    loop_vars.add(self.data[left.start_byte : left.end_byte])
                continue
            # inputs.branch.x  /  inputs[0].x
            if not (
                (pk == _ATTR and _field_is(parent, "object", ident))
                or (pk == _SUBSCRIPT and _field_is(parent, "value", ident))
            ):
                continue
            outer = parent.parent
            if (
                outer is not None
                and outer.kind_id == _ATTR
                and _field_is(outer, "object", parent)
                and not _is_called(outer)
            ):
                attr = outer.child_by_field_name("attribute")
                if attr is not None:
                    self.record(src.node_text(attr), "input", src.span(outer))
        if not loop_vars:
            return
        for node in self._objects_of(loop_vars):
            obj = node.child(0)
            if obj is None or self.data[obj.start_byte : obj.end_byte] not in loop_vars:
                continue
            if node.start_byte < self.r.body_start or _is_called(node):
                continue
            attr = node.child_by_field_name("attribute")
            if attr is not None:
                self.record(src.node_text(attr), "input", src.span(node))


#: An access's or call's start ``(line, col)``, the order rules see them in: an ``attrgetter``
#: (C) rather than a Python function, since every access of every step is keyed by it.
_pos = attrgetter("span.start_line", "span.start_col")


def _attr_name(src: SourceText, attr_node: Node) -> str:
    text = src.node_text(attr_node)
    if text.startswith("self.") and text[5:].isidentifier():
        return text[5:]
    a = attr_node.child_by_field_name("attribute")
    return src.node_text(a) if a is not None else ""


def _field_is(parent: Node, field: str, child: Node) -> bool:
    f = parent.child_by_field_name(field)
    return f is not None and f.start_byte == child.start_byte and f.end_byte == child.end_byte


def _is_called(node: Node) -> bool:
    parent = node.parent
    return parent is not None and parent.kind_id == _CALL and parent.start_byte == node.start_byte
