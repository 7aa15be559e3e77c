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
- **The token scan** (:meth:`Collector.scan_tokens`) is the one fast path. Everything recorded
  outside a join's ``inputs`` involves a ``self`` token, so it finds each with a C-level text
  search and reads the common shapes (``self.x = ``, ``self.x += ``, ``f(self.x)``,
  ``self.method(``) from the bytes after it plus one or two node look-ups. Any other token
  hands its whole statement to the walk, from that token on. ``tests/parsing/
  test_self_tokens.py`` checks that the scan gives the walk's model on fixed and generated
  flows.

Both record through :meth:`Collector.record` and build call sites in :meth:`Collector.call`.

Why a Python walk and not tree-sitter queries: measured on a 3,000-line flow, a walk over the
step subtrees dispatching on ``kind_id`` costs about half of one query pass with ``#eq?``
predicates, and it visits only step bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from tree_sitter import Node

from metaflow_expert.model import ArtifactAccess, ArtifactAccessKind, CallSite, Span, Step
from metaflow_expert.parsing.calls import call_args, literal
from metaflow_expert.parsing.source import SourceText, make_span
from metaflow_expert.parsing.transition import NEXT, SELF
from metaflow_expert.parsing.tree import LANGUAGE, unparen

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
_FUNC_ROLE = {b"setattr": "setattr", b"getattr": "getattr", b"delattr": "delattr"}


def _kid(name: str) -> int:
    return LANGUAGE.id_for_node_kind(name, True) or -1


_ATTR = _kid("attribute")
_CALL = _kid("call")
_IDENT = _kid("identifier")
_ASSIGN = _kid("assignment")
_AUG = _kid("augmented_assignment")
_DELETE = _kid("delete_statement")
_EXPR_LIST = _kid("expression_list")
_FOR = _kid("for_statement")
_FOR_IN = _kid("for_in_clause")
_SUBSCRIPT = _kid("subscript")
_DICT = _kid("dictionary")
_PAIR = _kid("pair")
_BLOCK = _kid("block")
_ARGLIST = _kid("argument_list")
#: Nodes whose ``left`` field is an assignment target.
_LEFT_HOLDERS = frozenset(
    _kid(k) for k in ("assignment", "augmented_assignment", "for_statement", "for_in_clause")
)
#: Nodes that only ever hold assignment targets.
_TARGETS = frozenset(
    _kid(k)
    for k in (
        "pattern_list",
        "tuple_pattern",
        "list_pattern",
        "list_splat_pattern",
        "as_pattern_target",
    )
)
#: Subtrees with nothing to find (numbers, comments, constants).
_LEAFLIKE = frozenset(_kid(k) for k in ("comment", "integer", "float", "true", "false", "none"))

# -- what the token scan reads from the bytes ---------------------------------------------
_SELF = SELF.encode()
_NEXT = NEXT.encode()
_MERGE = MERGE_ARTIFACTS.encode()
#: ``.name`` right after a ``self`` token, then the whitespace and the one character after it.
_NAME_AFTER_SELF = re.compile(rb"\.([A-Za-z_][A-Za-z0-9_]*)([ \t\r\n]*.?)", re.S)
_IDENT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
#: Bytes that make a ``self`` token part of a longer name or attribute (``myself``, ``x.self``).
_IDENT_OR_DOT = _IDENT_BYTES | {ord(".")}
#: Whitespace a ``.`` may stand behind before ``self`` (``x. self.y`` is not ``self.y``).
_SPACE_BYTES = frozenset(b" \t")
_DOT_OR_LINE_END = frozenset(b".\\\r\n")
#: Closers and binary operators after ``self.x`` (aug-assignments are told apart first).
_CLOSERS = frozenset([b")", b"]", b"}", b","])
_OPERATORS = frozenset([b"+", b"-", b"*", b"/", b"%", b"<", b">", b"!", b"&", b"|", b"^", b"@"])
#: First characters of an augmented assignment operator (``!=`` is a comparison).
_AUG_FIRST = _OPERATORS - {b"!"}
_AUG_OP = re.compile(rb"(?:\+|-|\*\*|\*|//|/|%|>>|<<|&|\^|\||@)=")
#: What may follow ``self.x`` and give it an attribute or continued ancestor, or hide it from a
#: one-line look (``self.x.y = 1`` writes ``x``): those go to the walk (``[`` is read first).
_SLOW_NEXT = frozenset([b".", b"[", b"#", b"\\"] + [bytes([b]) for b in range(0x80, 0x100)])
#: What follows a parameter named ``self`` in a ``def`` line (it records nothing).
_PARAMETER_END = re.compile(rb"[ \t]*[,):]")
#: The smallest node holding ``self.x`` plus a closer or operator after it, when ``self.x`` is
#: a plain read. Each holds the character after ``self.x``, so it is the attribute's parent
#: or an ancestor of it whose children in between end with ``self.x`` and are expressions
#: (``a + self.x``, ``k=self.x``, ``not self.x``): none of them is a target, a ``del`` or a
#: ``for`` variable. Target patterns (``tuple_pattern``, ``list_pattern``, ``pattern_list``)
#: and ``expression_list`` (``del a, self.x``) are left out on purpose.
_READ_CONTAINERS = frozenset(
    _kid(k)
    for k in (
        "argument_list",
        "parenthesized_expression",
        "tuple",
        "list",
        "set",
        "dictionary",
        "subscript",
        "slice",
        "interpolation",
        "binary_operator",
        "comparison_operator",
        "generator_expression",
        "list_comprehension",
        "set_comprehension",
        "dictionary_comprehension",
    )
)
#: Nodes that continue a chain from ``self.x[i]`` (``self.x[i].y = 1`` writes ``x``).
_OBJECT_HOLDERS = frozenset([_ATTR, _SUBSCRIPT, _CALL])
#: Parents under which ``self.x`` may be a target, a delete or a call: the walk decides.
_UNSAFE_PARENTS = _LEFT_HOLDERS | _TARGETS | {_DELETE, _EXPR_LIST, _CALL}


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
    """The accesses of one step: the reference walk, the token scan, and what they share."""

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
        top = r.node
        row, col = top.start_point
        #: (byte, its line, that line's first byte) of the last token the scan placed
        self.cursor_start = (top.start_byte, row, top.start_byte - col)
        self.cursor = self.cursor_start

    def run(self) -> None:
        """Collect the step's accesses, then sort them by position (the order rules see)."""
        param = self.param
        top = self.r.node
        if not USE_TOKENS or top.has_error or param == _SELF:
            self.walk(top, 0, param is not None)
        else:
            self.scan_tokens()
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
        """The one place an access of ``name`` at ``sp`` is recorded, by its role."""
        step = self.step
        if role is None:  # a plain read of ``self.<name>``
            if name == INPUT:
                step.uses_input.append(sp)
            elif name == INDEX:
                step.uses_index.append(sp)
            elif name != NEXT and name != MERGE_ARTIFACTS:
                step.artifacts.append(ArtifactAccess(name, "read", sp))
        elif role == "aug":
            step.artifacts.append(ArtifactAccess(name, "read", sp, "augassign"))
            acc = ArtifactAccess(name, "write", sp, "augassign")
            step.artifacts.append(acc)
            step.assigns_reserved.append(acc)
        elif role in _ACCESS_OF_ROLE:
            kind, via = _ACCESS_OF_ROLE[role]
            acc = ArtifactAccess(name, kind, sp, via)
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
            named = [c for c in args.named_children if c.type != "comment"]
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
        for c in args.named_children:
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
        left_k, targets_k, del_k = _LEFT_HOLDERS, _TARGETS, _DELETE
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

    # -- the fast path --------------------------------------------------------------------
    def scan_tokens(self) -> None:
        """Every ``self`` token of an unbroken step, by text search: a token the bytes after
        it classify (:meth:`_classify`) is recorded at once; any other hands its statement
        to :meth:`walk` from the token on, and the scan resumes after that statement."""
        data = self.data
        top = self.r.node
        end = top.end_byte
        find = data.find
        match_name = _NAME_AFTER_SELF.match
        descend = top.descendant_for_byte_range
        pos = find(_SELF, top.start_byte, end)
        chain = [top]  # the ancestors of the last token that needed the tree, kept for the next
        walked_until = -1
        tail_start = self.r.tail_call_start
        plain_end = self.r.plain_call_end
        body_start = self.r.body_start
        while pos >= 0:
            if pos == tail_start and plain_end is not None:
                pos = find(_SELF, plain_end, end)  # the tail ``self.next(self.a, ...)``
                continue
            after_self = pos + 4
            if pos < walked_until or (pos and data[pos - 1] in _IDENT_OR_DOT):
                pos = find(_SELF, after_self, end)  # walked already, or ``myself``/``x.self``
                continue
            m = match_name(data, after_self)
            if m is not None:
                if self._classify(pos, m, descend):
                    pos = find(_SELF, after_self, end)
                    continue
            elif pos < body_start and _PARAMETER_END.match(data, after_self):
                pos = find(_SELF, after_self, end)  # ``def step(self):``: a parameter name
                continue
            stmt = _statement_of_token(chain, pos)
            if stmt is not None:
                self.walk(stmt, pos, False)
                walked_until = stmt.end_byte
            pos = find(_SELF, after_self, end)

    def _classify(
        self, pos: int, m: re.Match[bytes], descend: Callable[[int, int], Node | None]
    ) -> bool:
        """Record ``self.<name>`` at ``pos`` from the text after it when its role is certain;
        False: the walk decides. A method call records nothing wherever it is (code, string
        or comment), except the two the model keeps."""
        name_end = m.end(1)
        nxt = m.group(2)
        c = nxt[-1:] if nxt else b""
        newline = b"\n" in nxt or b"\r" in nxt
        if c == b"(":
            name = m.group(1)
            return not newline and name != _NEXT and name != _MERGE
        data = self.data
        after = m.end()
        if c == b"[" and not newline and self.src.is_ascii:
            # ``self.x[i]`` is a plain read: roles mark attributes only, and an attribute
            # starting where ``self.x`` does would be a parent of the subscript (its object
            # is a chain of subscripts, calls and attributes down to ``self.x``)
            n = descend(pos, after)
            if n is None or n.kind_id != _SUBSCRIPT or n.start_byte != pos:
                return False
            p = n.parent
            if p is not None and p.start_byte == pos and p.kind_id in _OBJECT_HOLDERS:
                return False
            self.record(m.group(1).decode(), None, self._span_at(pos, name_end))
            return True
        if not c or c in _SLOW_NEXT:
            return False
        assign = c == b"=" and data[after : after + 1] != b"="
        ascii_line = not newline and self.src.is_ascii
        if ascii_line and not assign:
            # One C call: the smallest node holding ``self.x`` and the character after it.
            # Inside a string or comment that is the string or comment; otherwise it is the
            # attribute's parent or, below a closer or operator, a container of it that
            # nothing between can turn into a target (see ``_READ_CONTAINERS``).
            if c in _CLOSERS or (c in _OPERATORS and not _AUG_OP.match(data, after - 1)):
                n = descend(pos, after)
                if n is not None and n.kind_id in _READ_CONTAINERS and not _dot_before(data, pos):
                    self.record(m.group(1).decode(), None, self._span_at(pos, name_end))
                    return True
        elif ascii_line:
            n = descend(pos, after)
            if n is not None and n.kind_id == _ASSIGN and n.start_byte == pos:
                # ``self.x =`` opening an assignment: its target (``y: self.x = 1`` is an
                # annotation, and ``a, self.x =`` a pattern: both go to the walk)
                self.record(m.group(1).decode(), "write", self._span_at(pos, name_end))
                return True
        a = descend(pos, name_end)
        if a is None or a.kind_id != _ATTR or a.start_byte != pos or a.end_byte != name_end:
            return False
        p = a.parent
        if p is None:
            return False
        pk = p.kind_id
        role: str | None = None
        if assign:  # ``self.x = ...``
            if newline or not ((pk == _ASSIGN and p.start_byte == pos) or pk in _TARGETS):
                return False  # e.g. ``f"{self.x=}"``
            role = "write"
        elif c in _AUG_FIRST and _AUG_OP.match(data, after - 1):  # ``self.x += ...``
            if newline or pk != _AUG or p.start_byte != pos:
                return False
            role = "aug"
        elif pk in _UNSAFE_PARENTS:
            # a plain read, unless it is a target (``for self.x in``, ``a, self.x = ``) or
            # deleted: only the value side of ``=``/``+=``/``for ... in`` is certain
            if pk not in _LEFT_HOLDERS:
                return False
            left = p.child_by_field_name("left")
            if left is None or left.start_byte <= pos < left.end_byte:
                return False
        if self.src.is_ascii:  # ``self.name`` is one line of plain bytes
            row, col = a.start_point
            sp = make_span(row, col, row, col + name_end - pos)
        else:
            sp = self.src.span(a)
        self.record(m.group(1).decode(), role, sp)
        return True

    def _span_at(self, pos: int, end: int) -> Span:
        """The span of bytes ``pos..end`` on one line of an ASCII text, counting lines on
        from the token placed before (tokens come in order)."""
        last, row, line_start = self.cursor
        if pos < last:
            last, row, line_start = self.cursor_start
        data = self.data
        newlines = data.count(b"\n", last, pos)
        if newlines:
            row += newlines
            line_start = data.rfind(b"\n", last, pos) + 1
        self.cursor = (pos, row, line_start)
        col = pos - line_start
        return make_span(row, col, row, col + end - pos)

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


def _statement_of_token(chain: list[Node], pos: int) -> Node | None:
    """The statement holding the ``self`` identifier at byte ``pos`` (or the whole step when
    it is in the ``def`` line); None when the token is not that identifier (a string, a
    comment, part of a longer name). ``chain`` holds the ancestors found for the previous
    token, from the step node down; it is updated in place (shared ancestors are kept)."""
    while len(chain) > 1 and not chain[-1].start_byte <= pos < chain[-1].end_byte:
        chain.pop()
    cur = chain[-1].walk()
    while cur.goto_first_child_for_byte(pos) is not None:
        chain.append(cur.node)  # type: ignore[arg-type]
    leaf = chain[-1]
    if not (
        len(chain) >= 2
        and leaf.kind_id == _IDENT
        and leaf.start_byte == pos
        and leaf.end_byte == pos + 4
    ):
        return None
    for j in range(len(chain) - 1, 0, -1):
        if chain[j - 1].kind_id == _BLOCK:
            return chain[j]
    return chain[0]


def _dot_before(data: bytes, pos: int) -> bool:
    """``self`` at ``pos`` may be the name of an attribute (``x. self``, or ``x.`` on the line
    before): the byte before the spaces before it is a ``.``, or the token opens its line (a
    continuation line goes to the walk)."""
    i = pos - 1
    while i >= 0 and data[i] in _SPACE_BYTES:
        i -= 1
    return i < 0 or data[i] in _DOT_OR_LINE_END


def _pos(x: ArtifactAccess | CallSite) -> tuple[int, int]:
    sp: Span = x.span
    return sp.start_line, sp.start_col


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
