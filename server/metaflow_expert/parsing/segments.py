"""Line-based segmentation of a broken file, so one syntax error stays in its own method.

tree-sitter's error recovery is local in theory, but a single missing ``:`` on a ``def`` line
can turn the rest of a class into one ERROR node, hiding every step below it. When the full
parse has errors we cut the file into top-level statements and, inside classes, into members
(decorators + ``def``, assignments), using indentation the way Python's tokenizer would, and
parse each piece on its own (``Parser.included_ranges`` keeps positions absolute).

The scanner tracks strings and brackets so a docstring or a dedented argument list is not cut.
Because the text is broken, recovery guesses apply: a line that starts with
``def``/``class``/``@`` always starts a new piece (an unclosed ``(`` above it is a typo, not a
continuation), and a triple quote is ignored when the string it opens is still open at the end
of the file or swallows such a line dedented below the quote's own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKENS = re.compile(r'"""|\'\'\'|"|\'|#|\\.|[()\[\]{}]')
_HEADER = re.compile(r"(?:@|def\s|async\s+def\s|class\s)")
_CLASS = re.compile(r"class\s+\w")


@dataclass
class LineState:
    """Per line: does it start inside a string or brackets, and its indentation."""

    in_string: bool
    depth: int
    indent: int
    blank: bool


@dataclass
class Segment:
    start: int  # first line
    end: int  # one past the last line
    is_class: bool = False
    header_end: int = 0  # one past the class header (decorators + class line)
    members: list[tuple[int, int]] = field(default_factory=list)


def scan(lines: list[str]) -> list[LineState]:
    ignore_open: set[int] = set()
    for _ in range(8):
        states, open_at = _scan_once(lines, ignore_open)
        if open_at is None:
            return states
        ignore_open.add(open_at)
    return states


def _scan_once(lines: list[str], ignore_open: set[int]) -> tuple[list[LineState], int | None]:
    states: list[LineState] = []
    in_triple: str | None = None
    triple_line = -1
    triple_indent = 0
    depth = 0
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        blank = not stripped or stripped.startswith("#")
        if (
            in_triple is not None
            and not blank
            and indent < triple_indent
            and _HEADER.match(stripped)
        ):
            # a definition dedented below the line that opened the string: that opener was
            # a typo (half-typed docstring), not the start of a string
            return states, triple_line
        if in_triple is None and depth > 0 and not blank and _HEADER.match(stripped):
            depth = 0  # recovery: a new definition ends an unclosed bracket
        states.append(LineState(in_triple is not None, depth, indent, blank))
        pos = 0
        single: str | None = None
        while True:
            m = _TOKENS.search(line, pos)
            if m is None:
                break
            tok = m.group()
            pos = m.end()
            if in_triple is not None:
                if tok == in_triple:
                    in_triple = None
                continue
            if single is not None:
                if tok == single:
                    single = None
                continue
            if tok in ('"""', "'''"):
                if i in ignore_open:
                    continue
                in_triple = tok
                triple_line = i
                triple_indent = indent
            elif tok in ('"', "'"):
                single = tok
            elif tok == "#":
                break
            elif tok in "([{":
                depth += 1
            elif tok in ")]}":
                depth = max(0, depth - 1)
        # a single-quoted string never continues past the end of its line (without "\")
    return states, (triple_line if in_triple is not None else None)


def _starts(states: list[LineState], i: int, indent_max: int, indent_min: int = 0) -> bool:
    s = states[i]
    return not s.blank and not s.in_string and s.depth == 0 and indent_min <= s.indent <= indent_max


def segment(lines: list[str]) -> list[Segment]:
    """Top-level statements (decorators joined to their definition); classes split into members."""
    states = scan(lines)
    n = len(lines)
    starts = [i for i in range(n) if _starts(states, i, 0)]
    segs: list[Segment] = []
    k = 0
    while k < len(starts):
        s = starts[k]
        j = k
        while j + 1 < len(starts) and lines[starts[j]].lstrip().startswith("@"):
            j += 1  # decorators belong to the definition below them
        end = starts[j + 1] if j + 1 < len(starts) else n
        seg = Segment(s, end)
        head = starts[j]
        if _CLASS.match(lines[head].lstrip()):
            seg.is_class = True
            _split_class(lines, states, seg, head)
        segs.append(seg)
        k = j + 1
    return segs


def _split_class(lines: list[str], states: list[LineState], seg: Segment, head: int) -> None:
    i = head + 1
    # header continues while its brackets are open
    while i < seg.end and states[i].depth > 0 and not states[i].in_string:
        i += 1
    seg.header_end = i
    body_indent = None
    for k in range(i, seg.end):
        if not states[k].blank and not states[k].in_string and states[k].indent > 0:
            body_indent = states[k].indent
            break
    if body_indent is None:
        return
    starts = [k for k in range(i, seg.end) if _starts(states, k, body_indent, 1)]
    m = 0
    while m < len(starts):
        s = starts[m]
        j = m
        while j + 1 < len(starts) and lines[starts[j]].lstrip().startswith("@"):
            j += 1
        end = starts[j + 1] if j + 1 < len(starts) else seg.end
        seg.members.append((s, end))
        m = j + 1


#: Runs of comment-only lines at least this long are blanked before tree-sitter sees them.
COMMENT_RUN = 32


def mask_comment_runs(data: bytes, lines: list[str]) -> bytes:
    """``data`` with long runs of comment lines turned into spaces, byte for byte.

    tree-sitter-python's indentation scanner looks ahead over every following comment (and
    blank) line at each newline, so N consecutive comment lines cost O(N²) (4,000 lines: ~2 s; a 5 MB file of
    comments: minutes). Blank lines cost nothing, and positions do not move because every byte
    keeps its offset. Comment lines inside strings are left alone.

    A run is a block of at least ``COMMENT_RUN`` newline-terminated lines, each blank or a
    comment, with at least one comment. Runs are found from the ``#`` bytes (a C-level
    search) rather than by matching a pattern at every line start, which cost ~1 ms per
    1,000 lines of ordinary code."""
    runs = _comment_runs(data, lines)
    if not runs:
        return data
    states = scan(lines)
    out = bytearray(data)
    offsets = [0]
    for line in data.split(b"\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    for first, last in runs:
        for row in range(first, last + 1):
            pos, end = offsets[row], offsets[row + 1] - 1  # ``end``: the newline
            if (row >= len(states) or not states[row].in_string) and b"#" in data[pos:end]:
                out[pos:end] = b" " * (end - pos)
    return bytes(out)


def _comment_runs(data: bytes, lines: list[str]) -> list[tuple[int, int]]:
    """(first row, last row) of every run :func:`mask_comment_runs` blanks."""
    find = data.find
    pos = find(b"#")
    if pos < 0:
        return []
    terminated = data.count(b"\n")  # rows that end with a newline; only they can be in a run
    rows: list[int] = []  # rows whose first character other than space or tab is ``#``
    row = 0
    last = 0
    while pos >= 0:
        row += data.count(b"\n", last, pos)
        start = data.rfind(b"\n", 0, pos) + 1
        if not data[start:pos].strip(b" \t") and row < terminated:
            rows.append(row)
        nl = find(b"\n", pos)
        if nl < 0:
            break
        row += 1
        last = nl + 1
        pos = find(b"#", last)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(rows):
        first = end = rows[i]
        i += 1
        # (adjacent comment rows have nothing between them to check: no generator for them)
        while i < len(rows) and (
            rows[i] == end + 1 or all(_blank(lines[r]) for r in range(end + 1, rows[i]))
        ):
            end = rows[i]
            i += 1
        while first > 0 and _blank(lines[first - 1]):
            first -= 1
        while end + 1 < terminated and _blank(lines[end + 1]):
            end += 1
        if end - first + 1 >= COMMENT_RUN:
            runs.append((first, end))
    return runs


def _blank(line: str) -> bool:
    return not line.strip(" \t")
