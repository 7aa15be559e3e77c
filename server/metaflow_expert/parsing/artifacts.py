"""Artifact reads and writes inside step bodies, from one walk over each step.

The rule is deliberately simple and syntactic: ``self.x = ...`` (and tuple/list/starred
targets, ``for self.x in``, ``with ... as self.x``) is a write, ``self.x += ...`` a read and a
write, ``del self.x`` a delete, ``setattr/getattr/delattr(self, "x")`` with a literal name the
same, and any other ``self.x`` that is not immediately called is a read (step references
inside ``self.next(...)`` are targets, not reads). Nested functions, lambdas and
comprehensions belong to the step around them. In a join, ``inputs.a.x``, ``inputs[0].x`` and
``inp.x`` for ``inp in inputs`` are reads of ``x`` via ``"input"``. Which names are reserved
(``self.input``, ...) is left to the rules: every write is recorded in ``assigns_reserved``.

Why a Python walk and not tree-sitter queries: measured on a 3,000-line flow, a walk over the
step subtrees dispatching on ``kind_id`` costs about half of one query pass with ``#eq?``
predicates, and it visits only step bodies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from tree_sitter import Node

from metaflow_expert.model import ArtifactAccess, CallSite, Span, Step
from metaflow_expert.parsing.calls import call_args, literal
from metaflow_expert.parsing.fast import access as _access
from metaflow_expert.parsing.fast import span as _fast_span
from metaflow_expert.parsing.source import SourceText
from metaflow_expert.parsing.transition import NEXT, SELF
from metaflow_expert.parsing.tree import LANGUAGE, unparen

#: FlowSpec members the model has dedicated fields for (``Step.uses_input``, ...).
INPUT = "input"
INDEX = "index"
MERGE_ARTIFACTS = "merge_artifacts"

_FUNC_KIND = {
    b"setattr": ("write", "setattr"),
    b"getattr": ("read", "getattr"),
    b"delattr": ("delete", "delattr"),
}


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
_PAREN = _kid("parenthesized_expression")
_COMMENT = _kid("comment")
_PAIR = _kid("pair")
#: Nodes whose ``left`` field is an assignment target.
_LEFT_HOLDERS = frozenset(
    _kid(k) for k in ("assignment", "augmented_assignment", "for_statement", "for_in_clause")
)
_ARGLIST = _kid("argument_list")
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
#: Closers and binary operators after ``self.x`` (aug-assignments are told apart first).
_CLOSERS = frozenset([b")", b"]", b"}", b","])
_OPERATORS = frozenset([b"+", b"-", b"*", b"/", b"%", b"<", b">", b"!", b"&", b"|", b"^", b"@"])
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
#: Parents under which ``self.x`` may be a target, a delete or a call: the general path decides.
_UNSAFE_PARENTS = _LEFT_HOLDERS | _TARGETS | {_DELETE, _EXPR_LIST, _CALL}
_SELF = SELF.encode()
_NEXT = NEXT.encode()
_MERGE = MERGE_ARTIFACTS.encode()
#: ``.name`` right after a ``self`` token, then the whitespace and the one character after it.
_NAME_AFTER_SELF = re.compile(rb"\.([A-Za-z_][A-Za-z0-9_]*)([ \t\r\n]*.?)", re.S)
_IDENT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
#: Bytes that make a ``self`` token part of a longer name or attribute (``myself``, ``x.self``).
_IDENT_OR_DOT = _IDENT_BYTES | {ord(".")}
#: What may follow ``self.x`` and give it an attribute, subscript or continued ancestor, or hide
#: it from a one-line look (``self.x.y = 1`` writes ``x``): those take the general path.
_SLOW_NEXT = frozenset([b".", b"[", b"#", b"\\"] + [bytes([b]) for b in range(0x80, 0x100)])
#: First characters of an augmented assignment operator (``!=`` is a comparison).
_AUG_FIRST = _OPERATORS - {b"!"}
#: What follows a parameter named ``self`` in a ``def`` line (it records nothing).
_PARAMETER_END = re.compile(rb"[ \t]*[,):]")
_AUG_OP = re.compile(rb"(?:\+|-|\*\*|\*|//|/|%|>>|<<|&|\^|\||@)=")
#: Subtrees with nothing to find (strings, numbers, comments).
_LEAFLIKE = frozenset(_kid(k) for k in ("comment", "integer", "float", "true", "false", "none"))


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
        _Walker(src, r).run()


class _Walker:
    def __init__(self, src: SourceText, r: StepRange) -> None:
        self.src = src
        self.data = src.data
        self.r = r
        self.step = r.step
        self.roles: dict[int, str] = {}
        self.param = r.inputs_param.encode() if r.inputs_param else None
        self.param_uses: list[Node] = []
        top = r.node
        row, col = top.start_point
        #: (byte, its line, that line's first byte) of the last position converted
        self._cursor_start = (top.start_byte, row, top.start_byte - col)
        self._cursor = self._cursor_start
        #: attributes ``v.x`` whose object is an identifier (None: found on demand)
        self.input_objs: list[Node] | None = []

    #: False: every step takes the full walk (tests compare the token paths with it)
    USE_TOKENS = True

    def run(self) -> None:
        """Collect the step's accesses, then sort them by position (the order rules see)."""
        param = self.param
        if not self.USE_TOKENS:
            self._walk_all()
        elif param is None:
            self._from_self_tokens()
        elif param == _SELF or self.r.node.has_error:
            self._walk_all()
        else:
            self._from_self_tokens()
            self._param_tokens(param)
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

    def _walk_all(self) -> None:
        """One preorder walk. A parent is seen before its children, so assignments, deletes
        and calls mark the role of the ``self.x`` nodes below them (by start byte) and the
        attribute visit only looks its role up: no ``Node.parent`` calls, which tree-sitter
        answers by descending from the root."""
        data = self.data
        stack = [self.r.node]
        roles = self.roles
        param = self.param
        body_start = self.r.body_start
        input_objs = self.input_objs if self.input_objs is not None else []
        param_uses = self.param_uses
        attr_k, call_k, ident_k, skip = _ATTR, _CALL, _IDENT, _LEAFLIKE
        left_k, targets_k, del_k = _LEFT_HOLDERS, _TARGETS, _DELETE
        pop, push, append, find = stack.pop, stack.extend, stack.append, data.find
        prune = param is None  # a join also follows loop variables over its inputs
        while stack:
            n = pop()
            # Outside joins everything we look for spells ``self``: a subtree whose text does
            # not is skipped with one C-level search.
            if prune and find(_SELF, n.start_byte, n.end_byte) < 0:
                continue
            k = n.kind_id
            if k == attr_k:
                obj = n.child(0)
                if obj is None:
                    continue
                if obj.kind_id == ident_k:
                    if data[obj.start_byte : obj.end_byte] == _SELF:
                        self._self_attr(n, roles.get(n.start_byte))
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
                self._call(n, children)
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

    def _from_self_tokens(self) -> None:
        """Outside joins everything recorded involves a ``self`` token: find each one with a
        C-level text search and classify the common shapes (``self.x = ``, ``self.x += ``,
        ``f(self.x)``, ``self.method(``) from the text around it plus the attribute node and
        its parent (two C calls). Anything else (``self.x.y``, ``self.x[i]``, targets of
        ``for``/``with``/``del``, ``self.next(...)`` and what is inside it, text in a broken
        step) descends to the token with a tree cursor and decides its role from all its
        ancestors exactly as :meth:`_walk_all` would. ``test_self_tokens`` checks both paths
        against that walk."""
        data = self.data
        top = self.r.node
        end = top.end_byte
        find = data.find
        fast = not top.has_error
        match_name = _NAME_AFTER_SELF.match
        descend = top.descendant_for_byte_range
        pos = find(_SELF, top.start_byte, end)
        chain = [top]
        #: tokens before this byte are inside a ``self.next``/``merge_artifacts`` call
        slow_until = -1
        tail_start = self.r.tail_call_start
        plain_end = self.r.plain_call_end
        body_start = self.r.body_start
        while pos >= 0:
            if pos == tail_start and plain_end is not None:
                pos = find(_SELF, plain_end, end)  # the tail ``self.next(self.a, ...)``
                continue
            if fast and pos >= slow_until:
                before = data[pos - 1] if pos else 32
                if before in _IDENT_OR_DOT:
                    pos = find(_SELF, pos + 4, end)  # ``myself``, ``x.self``: not ours
                    continue
                m = match_name(data, pos + 4)
                if m is not None:
                    done = self._fast_token(data, pos, m, descend)
                    if done:
                        pos = find(_SELF, pos + 4, end)
                        continue
                elif pos < body_start and _PARAMETER_END.match(data, pos + 4):
                    pos = find(_SELF, pos + 4, end)  # ``def step(self):``: a parameter name
                    continue
            # the general path: descend with a cursor, keeping shared ancestors
            while len(chain) > 1 and chain[-1].end_byte <= pos:
                chain.pop()
            cur = chain[-1].walk()
            while cur.goto_first_child_for_byte(pos) is not None:
                chain.append(cur.node)  # type: ignore[arg-type]
            leaf = chain[-1]
            if (
                len(chain) >= 2
                and leaf.kind_id == _IDENT
                and leaf.start_byte == pos
                and leaf.end_byte == pos + 4
            ):
                call = self._self_token(chain)
                if call is not None and call.end_byte > slow_until:
                    slow_until = call.end_byte
            pos = find(_SELF, pos + 4, end)

    def _fast_token(self, data: bytes, pos: int, m: re.Match[bytes], descend: Any) -> bool:
        """Classify ``self.<name>`` at ``pos`` from the text after it; False: take the
        general path. See :meth:`_from_self_tokens` for why each shape is safe."""
        name_end = m.end(1)
        nxt = m.group(2)
        c = nxt[-1:] if nxt else b""
        newline = b"\n" in nxt or b"\r" in nxt
        if c == b"(":
            if newline:
                return False
            name = m.group(1)
            # a method call records nothing, wherever it is (code, string or comment), except
            # the two calls the model keeps
            return name != _NEXT and name != _MERGE
        if not c or c in _SLOW_NEXT:
            return False
        if not newline and self.src._ascii:
            # One C call: the smallest node holding ``self.x`` and the character after it.
            # Inside a string or comment that is the string or comment; otherwise it is the
            # attribute's parent or, below a closer or operator, a container of it that
            # nothing between can turn into a target (see ``_READ_CONTAINERS``).
            after = m.end()
            if c in _CLOSERS or (c in _OPERATORS and not _AUG_OP.match(data, after - 1)):
                n = descend(pos, after)
                if n is not None and n.kind_id in _READ_CONTAINERS:
                    self._quick(pos, m.group(1), name_end, None)
                    return True
            elif c == b"=" and data[after : after + 1] != b"=":
                n = descend(pos, after)
                if n is not None and n.kind_id == _ASSIGN and n.start_byte == pos:
                    # ``self.x =`` opening an assignment: its target (``y: self.x = 1`` is an
                    # annotation, and ``a, self.x =`` a pattern: both take the general path)
                    self._quick(pos, m.group(1), name_end, "write")
                    return True
        a = descend(pos, name_end)
        if a is None or a.kind_id != _ATTR or a.start_byte != pos or a.end_byte != name_end:
            return False
        p = a.parent
        if p is None:
            return False
        pk = p.kind_id
        after = m.end()
        role: str | None = None
        if c == b"=" and data[after : after + 1] != b"=":  # ``self.x = ...``
            if newline:
                return False
            if (pk == _ASSIGN and p.start_byte == pos) or pk in _TARGETS:
                role = "write"
            else:
                return False  # e.g. ``f"{self.x=}"``
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
        name = m.group(1).decode()
        if self.src._ascii and role != "aug":
            # ``self.name`` is one line of plain bytes: its span is known without asking
            row, col = a.start_point
            self._record(name, _fast_span(row, col, row, col + name_end - pos), role)
            return True
        self._self_attr_named(a, name, role)
        return True

    def _quick(self, pos: int, raw: bytes, name_end: int, role: str | None) -> None:
        """Record a plain read or write of ``self.<raw>`` found at ``pos`` (ASCII text)."""
        # line and column counted on from the previous token's (tokens come in order)
        last, row, line_start = self._cursor
        if pos < last:
            last, row, line_start = self._cursor_start
        data = self.data
        newlines = data.count(b"\n", last, pos)
        if newlines:
            row += newlines
            line_start = data.rfind(b"\n", last, pos) + 1
        self._cursor = (pos, row, line_start)
        col = pos - line_start
        self._record(raw.decode(), _fast_span(row, col, row, col + name_end - pos), role)

    def _record(self, name: str, sp: Span, role: str | None) -> None:
        """A plain read (``role`` None) or write of ``self.<name>`` at ``sp``."""
        step = self.step
        if role == "write":
            acc = _access(name, "write", sp)
            step.artifacts.append(acc)
            step.assigns_reserved.append(acc)
        elif name == INPUT:
            step.uses_input.append(sp)
        elif name == INDEX:
            step.uses_index.append(sp)
        elif name != NEXT and name != MERGE_ARTIFACTS:
            step.artifacts.append(_access(name, "read", sp))

    def _self_token(self, chain: list[Node]) -> Node | None:
        """``chain``: the ancestors of one ``self`` identifier, from the step node down.
        Returns the call when the token is ``self.next(...)`` (its arguments are targets)."""
        ident = chain[-1]
        parent = chain[-2]
        pk = parent.kind_id
        if pk == _ATTR:
            if parent.child(0) != ident:
                return None  # ``x.self``: the attribute's name, not its object
            role = _role(chain, len(chain) - 2)
            if role == "call":
                return self._self_method_call(chain[-3], parent)
            self._self_attr(parent, role)
        elif pk == _ARGLIST and len(chain) >= 3:
            # ``setattr(self, "x", v)``: only as the first argument (once per call)
            call = chain[-3]
            if call.kind_id != _CALL:
                return None
            first = next((c for c in parent.named_children if c.kind_id != _COMMENT), None)
            fn = call.named_children[0] if call.named_child_count else None
            if first == ident and fn is not None and fn.kind_id == _IDENT:
                self._call(call, [fn])
        return None

    def _self_method_call(self, call: Node, fn: Node) -> Node | None:
        """``self.next(...)`` / ``self.merge_artifacts(...)``: the call sites the model keeps
        (step references inside ``self.next`` are found as targets by :func:`_role`)."""
        name = _attr_name(self.src, fn)
        if name == NEXT:
            if call.start_byte != self.r.tail_call_start:
                args = call.child_by_field_name("arguments")
                self.step.non_tail_next_calls.append(
                    CallSite(name, self.src.span(call), call_args(self.src, args))
                )
            return call
        if name == MERGE_ARTIFACTS:
            args = call.child_by_field_name("arguments")
            self.step.merge_artifacts_calls.append(
                CallSite(name, self.src.span(call), call_args(self.src, args))
            )
        return None

    # -- calls ---------------------------------------------------------------------------
    def _call(self, call: Node, children: list[Node]) -> None:
        fn = children[0] if children else None
        if fn is None:
            return
        if fn.kind_id == _ATTR:
            obj = fn.child(0)
            if (
                obj is None
                or obj.kind_id != _IDENT
                or self.data[obj.start_byte : obj.end_byte] != _SELF
            ):
                return
            self.roles[fn.start_byte] = "call"
            name = _attr_name(self.src, fn)
            if name == NEXT:
                args = call.child_by_field_name("arguments")
                if args is not None:
                    self._mark_targets(args)
                if call.start_byte != self.r.tail_call_start:
                    self.step.non_tail_next_calls.append(
                        CallSite(name, self.src.span(call), call_args(self.src, args))
                    )
            elif name == MERGE_ARTIFACTS:
                args = call.child_by_field_name("arguments")
                self.step.merge_artifacts_calls.append(
                    CallSite(name, self.src.span(call), call_args(self.src, args))
                )
        elif fn.kind_id == _IDENT:
            kind = _FUNC_KIND.get(self.data[fn.start_byte : fn.end_byte])
            if kind is None:
                return
            args = call.child_by_field_name("arguments")
            if args is None or args.kind_id != _ARGLIST:
                return
            named = [c for c in args.named_children if c.type != "comment"]
            if len(named) < 2 or named[0].kind_id != _IDENT:
                return
            if self.data[named[0].start_byte : named[0].end_byte] != _SELF:
                return
            value = literal(self.src.node_text(named[1]))
            if not isinstance(value, str):
                return
            acc = _access(value, kind[0], self.src.span(call), kind[1])  # type: ignore[arg-type]
            if kind[0] == "write":
                self._write(acc)
            else:
                self.step.artifacts.append(acc)

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

    # -- self.x --------------------------------------------------------------------------
    def _self_attr(self, a: Node, role: str | None) -> None:
        if role == "call" or role == "target":
            return
        self._self_attr_named(a, _attr_name(self.src, a), role)

    def _self_attr_named(self, a: Node, name: str, role: str | None) -> None:
        src = self.src
        if role == "write":
            self._write(_access(name, "write", src.span(a)))
        elif role == "aug":
            sp = src.span(a)
            self.step.artifacts.append(_access(name, "read", sp, "augassign"))
            self._write(_access(name, "write", sp, "augassign"))
        elif role == "delete":
            self.step.artifacts.append(_access(name, "delete", src.span(a)))
        elif name == INPUT:
            self.step.uses_input.append(src.span(a))
        elif name == INDEX:
            self.step.uses_index.append(src.span(a))
        elif name not in (NEXT, MERGE_ARTIFACTS):
            self.step.artifacts.append(_access(name, "read", src.span(a)))

    def _write(self, acc: ArtifactAccess) -> None:
        self.step.artifacts.append(acc)
        self.step.assigns_reserved.append(acc)

    # -- joins ---------------------------------------------------------------------------
    def _param_tokens(self, param: bytes) -> None:
        """The identifiers :meth:`_walk_all` would collect as uses of the inputs parameter,
        from a text search: every ``inputs`` token in the body that is an identifier node
        and not the name part of an attribute (``x.inputs``). The attributes on loop
        variables come later, once the loop variables are known (:meth:`_objects_of`)."""
        self.input_objs = None
        self.param_uses = self._identifiers(param)

    def _identifiers(self, name: bytes) -> list[Node]:
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
                    step.artifacts.append(
                        _access(src.node_text(attr), "read", src.span(outer), "input")
                    )
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
                step.artifacts.append(_access(src.node_text(attr), "read", src.span(node), "input"))


def _role(chain: list[Node], i: int) -> str | None:
    """The role :meth:`_Walker._walk_all` gives the ``self.x`` attribute ``chain[i]``.

    That walk marks roles by start byte from the parent nodes it visits first, so a role
    given to any attribute that starts where ``chain[i]`` starts (``self.x.y = 1`` writes
    ``x``) applies, and the deepest such marking wins. Markers: assignment-like ``left``
    fields, target patterns, ``del``, a call of the attribute itself (``i`` only), and
    ``self.next(...)`` arguments (through parentheses and switch-dict values)."""
    start = chain[i].start_byte
    j = i
    while j >= 1 and chain[j].start_byte == start:
        x = chain[j]
        if x.kind_id == _ATTR:
            role = _marked(chain, j, j == i)
            if role is not None:
                return role
        j -= 1
    return None


def _marked(chain: list[Node], j: int, is_self_attr: bool) -> str | None:
    x = chain[j]
    p = chain[j - 1]
    pk = p.kind_id
    if pk in _LEFT_HOLDERS:
        left = p.child_by_field_name("left")
        if left is not None and left == x:
            return "aug" if pk == _AUG else "write"
        return None
    if pk in _TARGETS:
        return "write"
    if pk == _DELETE:
        return "delete"
    if pk == _EXPR_LIST:
        return "delete" if j >= 2 and chain[j - 2].kind_id == _DELETE else None
    if pk == _CALL:
        if is_self_attr and p.named_child_count and p.named_children[0] == x:
            return "call"
        return None
    # ``self.next(<x>)`` / ``self.next({k: <x>}, ...)``, through parentheses
    k = _up_parens(chain, j)
    if k >= 1 and chain[k - 1].kind_id == _PAIR:
        pair = chain[k - 1]
        value = pair.child_by_field_name("value")
        if value is None or value != chain[k] or k < 2 or chain[k - 2].kind_id != _DICT:
            return None
        k = _up_parens(chain, k - 2)
    if k >= 2 and _is_self_next(chain[k - 2], chain[k - 1]):
        return "target"
    return None


def _up_parens(chain: list[Node], k: int) -> int:
    """Climb from ``chain[k]`` through parentheses that :func:`unparen` would look through."""
    while k >= 1 and chain[k - 1].kind_id == _PAREN:
        inner = [c for c in chain[k - 1].named_children if c.kind_id != _COMMENT]
        if len(inner) != 1:
            break
        k -= 1
    return k


def _is_self_next(call: Node, args: Node) -> bool:
    if call.kind_id != _CALL:
        return False
    a = call.child_by_field_name("arguments")
    if a is None or a != args:
        return False
    fn = call.named_children[0] if call.named_child_count else None
    if fn is None or fn.kind_id != _ATTR:
        return False
    obj = fn.child(0)
    if obj is None or obj.kind_id != _IDENT or obj.text != _SELF:
        return False
    attr = fn.child_by_field_name("attribute")
    return attr is not None and attr.text == _NEXT


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
