"""Where Python's own parser stops: the reference for *where* a syntax error is.

tree-sitter and Python disagree on broken text. tree-sitter-python only ends a statement at a
newline where a newline is allowed, so ``x = self.input +`` followed by ``self.next(self.end)``
reads as one statement, ``self.input + self.next(self.end)``, with no error at all (and the
step then has no ``self.next``); a zero-width MISSING newline (``PredictFlow()s`` on the last
line) is a hidden node no child list shows. ``compile()`` says what ``python flow.py`` will
say, on which line. It costs about 1 ms per 200 lines, so the parser asks only when tree-sitter
saw an error or a step's way on is unreadable (:func:`flow_file.read_text`).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

from tree_sitter import Node, Point

from metaflow_expert.model import Span, SyntaxIssue
from metaflow_expert.parsing.source import SourceText, make_span
from metaflow_expert.parsing.syntax import statement_of


class PythonError(NamedTuple):
    """The first syntax error Python reports: 0-based span and Python's message."""

    span: Span
    message: str


def python_syntax_error(text: str, lines: list[str]) -> PythonError | None:
    """Python's first syntax error in ``text`` (``lines``: ``text`` split on newlines), or
    ``None`` when it parses (or when Python cannot say: null bytes, nesting too deep)."""
    try:
        # to bytecode, as ``python flow.py`` does: it also catches what only the compiler
        # rejects (``return`` outside a function), and skips building Python AST objects.
        # Its SyntaxWarnings (``x is 1``, ``"\d"``) are the user's code's business, not ours
        # to print on the CLI's or the server's stderr.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<flow>", "exec", dont_inherit=True)
    except SyntaxError as e:  # IndentationError and TabError are SyntaxErrors too
        return PythonError(_span(e, lines), e.msg or "invalid syntax")
    except (ValueError, RecursionError, MemoryError, OverflowError):
        return None
    return None


def _span(e: SyntaxError, lines: list[str]) -> Span:
    """``e``'s 1-based line and offset (code points for ``str`` sources) as a 0-based span
    kept inside the text: an error at the end of the file may point one line past it."""
    last = max(0, len(lines) - 1)
    row = min(max((e.lineno or 1) - 1, 0), last)
    width = len(lines[row]) if row < len(lines) else 0
    col = min(max((e.offset or 1) - 1, 0), width)
    end_row, end_col = row, col
    if e.end_lineno is not None and e.end_offset is not None and e.end_lineno - 1 == row:
        end_col = min(max(e.end_offset - 1, col), width)
    return make_span(row, col, end_row, end_col)


def with_python_error(
    src: SourceText, roots: list[Node], issues: list[SyntaxIssue], err: PythonError
) -> list[SyntaxIssue]:
    """``issues`` (tree-sitter's, sorted) made to agree with Python's first error ``err``.

    An issue already on Python's line stays as it is (its message is tree-sitter's, often more
    precise: ``expected ':' at the end of the def line``). Otherwise the issues of the statement
    holding Python's line become one issue at Python's place, or Python's error is added with
    its statement. Issues after it stay: Python stops at the first error, the user has more."""
    row = err.span.start_line
    if any(i.span.start_line == row for i in issues):
        return issues
    stmt = _statement_at(src, roots, row) or err.span
    same = [i for i in issues if i.extent.start_line <= row <= i.extent.end_line]
    for i in same:
        stmt = _union(stmt, i.extent)
    merged = SyntaxIssue(err.span, err.message, stmt)
    out = [i for i in issues if i not in same] + [merged]
    out.sort(key=lambda i: (i.span.start_line, i.span.start_col))
    return out


#: How many later syntax errors are checked with Python (one ``compile()`` each).
MAX_CONFIRMED = 5


def confirmed_by_python(
    src: SourceText, issues: list[SyntaxIssue], err: PythonError
) -> list[SyntaxIssue]:
    """``issues`` (agreeing with Python's first error ``err``) without tree-sitter's follow-on
    errors: the ones after ``err`` that Python does not report once the statement in error is
    set aside.

    Why: after a broken statement tree-sitter's recovery may misread the next lines (a space
    after a line-continuation backslash made it flag a valid ``@batch(...)`` four lines on),
    and Python only ever names the first error. So the statement in error becomes ``pass``
    and Python is asked again; the issues before its next error become that one error, at
    Python's place, and an issue after Python's last error is dropped. Up to
    :data:`MAX_CONFIRMED` rounds; issues past the last round stay."""
    if len(issues) < 2:
        return issues
    lines = list(src.lines)
    keep: list[SyntaxIssue] = []
    current: PythonError | None = err
    rest = sorted(issues, key=lambda i: (i.span.start_line, i.span.start_col))
    for _ in range(MAX_CONFIRMED):
        if current is None:  # Python accepts the rest: every issue left is a follow-on
            return keep
        row = current.span.start_line
        here = [i for i in rest if i.span.start_line <= row]
        on_row = [i for i in here if i.span.start_line == row]
        if on_row:
            keep += on_row
        elif here:  # tree-sitter saw this error elsewhere: Python's place and words win
            stmt = current.span
            for i in here:
                stmt = _union(stmt, i.extent)
            keep.append(SyntaxIssue(current.span, current.message, stmt))
        rest = [i for i in rest if i.span.start_line > row]
        if not rest:
            return keep
        extent = next((i.extent for i in here if i.span.start_line == row), current.span)
        first, last = extent.start_line, max(extent.end_line, row)
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        lines[first : last + 1] = [indent + "pass"] + [""] * (last - first)
        current = python_syntax_error("\n".join(lines), lines)
        if current is not None and current.span.start_line <= row:
            return keep + rest  # no progress: keep what is left
    return keep + rest


def _statement_at(src: SourceText, roots: list[Node], row: int) -> Span | None:
    """The extent of the statement that starts or continues on ``row`` (0-based)."""
    if not 0 <= row < len(src.lines):
        return None
    line = src.lines[row]
    indent = len(line) - len(line.lstrip())  # leading white space: one byte per character
    point = Point(row, indent)
    for root in roots:
        if root.start_point <= point < root.end_point or root.start_point == point:
            node = root.descendant_for_point_range(point, point)
            if node is None or node.type == "module":
                return None
            return src.span(statement_of(node))
    return None


def _union(a: Span, b: Span) -> Span:
    start = min((a.start_line, a.start_col), (b.start_line, b.start_col))
    end = max((a.end_line, a.end_col), (b.end_line, b.end_col))
    return make_span(start[0], start[1], end[0], end[1])
