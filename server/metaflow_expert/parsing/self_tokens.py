"""The artifact pass's one fast path: ``self`` tokens found by text search.

Outside a join's ``inputs`` everything :mod:`~metaflow_expert.parsing.artifacts` records
involves a ``self`` token, so :class:`TokenScan` finds each with a C-level search and reads
the common shapes (``self.x = ``, ``self.x += ``, ``f(self.x)``, ``self.x[i]``,
``self.method(``) from the bytes after it plus one or two node look-ups. Any other token
hands its statement to the reference walk (:meth:`Collector.walk`) from that token on, and
the scan resumes after that statement: what a shortcut cannot prove, the walk decides.
Accesses are recorded through :meth:`Collector.record`, the walk's own.

Why keep it: walking every step whole instead costs 0.1-0.2 ms more on the 192-line
benchmark flow (parse 1.45 against 1.6 ms) and 1-4 ms on the 2,998-line one, which is the
whole margin to the 2 ms target for 200 lines. ``tests/parsing/test_self_tokens.py`` checks
that the scan gives the walk's model on fixed, generated and truncated flows
(``artifacts.USE_TOKENS`` off).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from metaflow_expert.model import Span
from metaflow_expert.parsing.source import make_span
from metaflow_expert.parsing.transition import SELF
from metaflow_expert.parsing.tree import LEFT_HOLDERS, TARGET_PATTERNS, kind_id

if TYPE_CHECKING:
    from metaflow_expert.parsing.artifacts import Collector

_ATTR = kind_id("attribute")
_CALL = kind_id("call")
_IDENT = kind_id("identifier")
_ASSIGN = kind_id("assignment")
_AUG = kind_id("augmented_assignment")
_DELETE = kind_id("delete_statement")
_EXPR_LIST = kind_id("expression_list")
_SUBSCRIPT = kind_id("subscript")
_BLOCK = kind_id("block")

_SELF = SELF.encode()
#: ``self`` tokens on one line past which the line is handed to the walk (see ``run``)
CROWDED_LINE = 64
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
    kind_id(k)
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
_UNSAFE_PARENTS = LEFT_HOLDERS | TARGET_PATTERNS | {_DELETE, _EXPR_LIST, _CALL}


class TokenScan:
    """One step's ``self`` tokens, recorded into ``collector`` (an unbroken step)."""

    def __init__(self, collector: Collector) -> None:
        self.c = collector
        self.data = collector.data
        self.is_ascii = collector.src.is_ascii
        top = collector.r.node
        row, col = top.start_point
        #: (byte, its line, that line's first byte) of the last token placed
        self.cursor_start = (top.start_byte, row, top.start_byte - col)
        self.cursor = self.cursor_start

    def run(self) -> None:
        """Every ``self`` token of an unbroken step, by text search: a token the bytes after
        it classify (:meth:`_classify`) is recorded at once; any other hands its statement
        to :meth:`Collector.walk` from the token on, and the scan resumes after it."""
        data = self.data
        top = self.c.r.node
        end = top.end_byte
        find = data.find
        match_name = _NAME_AFTER_SELF.match
        descend = top.descendant_for_byte_range
        pos = find(_SELF, top.start_byte, end)
        chain = [top]  # the ancestors of the last token that needed the tree, kept for the next
        walked_until = -1
        crowded_until = -1  # the end of the last line found too crowded for the scan
        line_end = -1
        tail_start = self.c.r.tail_call_start
        plain_end = self.c.r.plain_call_end
        body_start = self.c.r.body_start
        while pos >= 0:
            if pos == tail_start and plain_end is not None:
                pos = find(_SELF, plain_end, end)  # the tail ``self.next(self.a, ...)``
                continue
            after_self = pos + 4
            if pos < walked_until or (pos and data[pos - 1] in _IDENT_OR_DOT):
                pos = find(_SELF, after_self, end)  # walked already, or ``myself``/``x.self``
                continue
            if pos > line_end:
                # Each tree lookup descends from the step, as deep as the line nests: one
                # line of ``self.a + self.a + …`` nests a level per term, so its tokens
                # cost quadratic time (7 s for 20,000). Such a line goes to the walk, once.
                line_end = data.find(b"\n", pos, end)
                line_end = end if line_end < 0 else line_end
                if data.count(_SELF, pos, line_end) > CROWDED_LINE:
                    crowded_until = line_end
            m = match_name(data, after_self) if pos > crowded_until else None
            if m is not None:
                if self._classify(pos, m, descend):
                    pos = find(_SELF, after_self, end)
                    continue
            elif pos < body_start and _PARAMETER_END.match(data, after_self):
                pos = find(_SELF, after_self, end)  # ``def step(self):``: a parameter name
                continue
            stmt = _statement_of_token(chain, pos)
            if stmt is not None:
                self.c.walk(stmt, pos, False)
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
            return not newline and name not in self.c.KEPT_CALLS
        data = self.data
        after = m.end()
        if c == b"[" and not newline and self.is_ascii:
            # ``self.x[i]`` is a plain read: roles mark attributes only, and an attribute
            # starting where ``self.x`` does would be a parent of the subscript (its object
            # is a chain of subscripts, calls and attributes down to ``self.x``)
            n = descend(pos, after)
            if n is None or n.kind_id != _SUBSCRIPT or n.start_byte != pos:
                return False
            p = n.parent
            if p is not None and p.start_byte == pos and p.kind_id in _OBJECT_HOLDERS:
                return False
            self.c.record(m.group(1).decode(), None, self._span_at(pos, name_end))
            return True
        if not c or c in _SLOW_NEXT:
            return False
        assign = c == b"=" and data[after : after + 1] != b"="
        ascii_line = not newline and self.is_ascii
        if ascii_line and not assign:
            # One C call: the smallest node holding ``self.x`` and the character after it.
            # Inside a string or comment that is the string or comment; otherwise it is the
            # attribute's parent or, below a closer or operator, a container of it that
            # nothing between can turn into a target (see ``_READ_CONTAINERS``).
            if c in _CLOSERS or (c in _OPERATORS and not _AUG_OP.match(data, after - 1)):
                n = descend(pos, after)
                if n is not None and n.kind_id in _READ_CONTAINERS and not _dot_before(data, pos):
                    self.c.record(m.group(1).decode(), None, self._span_at(pos, name_end))
                    return True
        elif ascii_line:
            n = descend(pos, after)
            if n is not None and n.kind_id == _ASSIGN and n.start_byte == pos:
                # ``self.x =`` opening an assignment: its target (``y: self.x = 1`` is an
                # annotation, and ``a, self.x =`` a pattern: both go to the walk)
                self.c.record(m.group(1).decode(), "write", self._span_at(pos, name_end))
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
            if newline or not ((pk == _ASSIGN and p.start_byte == pos) or pk in TARGET_PATTERNS):
                return False  # e.g. ``f"{self.x=}"``
            role = "write"
        elif c in _AUG_FIRST and _AUG_OP.match(data, after - 1):  # ``self.x += ...``
            if newline or pk != _AUG or p.start_byte != pos:
                return False
            role = "aug"
        elif pk in _UNSAFE_PARENTS:
            # a plain read, unless it is a target (``for self.x in``, ``a, self.x = ``) or
            # deleted: only the value side of ``=``/``+=``/``for ... in`` is certain
            if pk not in LEFT_HOLDERS:
                return False
            left = p.child_by_field_name("left")
            if left is None or left.start_byte <= pos < left.end_byte:
                return False
        if self.is_ascii:  # ``self.name`` is one line of plain bytes
            row, col = a.start_point
            sp = make_span(row, col, row, col + name_end - pos)
        else:
            sp = self.c.src.span(a)
        self.c.record(m.group(1).decode(), role, sp)
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
