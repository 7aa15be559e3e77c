"""The text being parsed, and conversion from tree-sitter positions to model spans.

tree-sitter reports (row, byte column) over UTF-8; the model wants code-point columns so that
``text.split("\\n")[line][:col]`` is what the user sees. ASCII lines (nearly all code) convert
for free; other lines decode the byte prefix once per lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from metaflow_expert.model import Span

#: The largest source text analysed, in characters: the editor's ``lint.maxFileChars`` default
#: and the cap on ``lint -`` (stdin). Why a cap: tree-sitter-python's scanner is quadratic in
#: the comment lines after an indented block (200 KB: 3 s; 5 MB: many minutes), and stdin may
#: never end (``lint - < /dev/zero``).
MAX_SOURCE_CHARS = 1_000_000

_new = tuple.__new__

# LSP's line breaks are ``\n``, ``\r\n`` and a lone ``\r``, and nothing else; this module is
# the one place that says so. ``split_lines_reference`` is the rule; ``split_lines`` (the
# editor's document store, lsp/text_lines.py) and ``decode`` (the parser) are its two fast
# paths, each tested equal to it (tests/parsing/test_line_breaks.py).

#: a line with its break, or a last line without one (linear: each line is scanned once)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
#: what ``str.splitlines`` breaks at beyond LSP's three
_EXTRA_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: the one break ``split("\n")`` misses
_LONE_CR = re.compile("\r(?!\n)")


def split_lines_reference(text: str) -> list[str]:
    """The lines of ``text`` with their breaks, split only where LSP splits."""
    return _LINE.findall(text)


def split_lines(text: str) -> list[str]:
    """:func:`split_lines_reference`, through ``str.splitlines`` when that cannot differ
    (the text holds none of the characters only ``str.splitlines`` breaks at)."""
    if _EXTRA_BREAKS.search(text) is None:
        return text.splitlines(True)
    return split_lines_reference(text)


def decode(data: str | bytes) -> tuple[str, bool]:
    """Text of ``data`` and whether it was valid UTF-8 (invalid bytes become U+FFFD), with
    LSP's line breaks made ``\n`` and ``\r\n`` only, so that ``split("\n")`` (less a
    trailing ``\r``) gives :func:`split_lines_reference`'s lines.

    Why the lone ``\r`` becomes ``\n``: the editor (and Python) break lines there, while
    tree-sitter counts rows only at ``\n`` and ``split("\n")`` keeps the line whole, so a
    CR-only file was one line to us (syntax errors everywhere). One character for one keeps
    every offset. Form feeds, ``\x85``, U+2028 and the other characters ``str.splitlines``
    breaks at are not line breaks in LSP and stay inside their line."""
    if isinstance(data, str):
        text, valid = data, True
    else:
        try:
            text, valid = bytes(data).decode("utf-8"), True
        except UnicodeDecodeError:
            text, valid = bytes(data).decode("utf-8", errors="replace"), False
    if "\r" in text:
        text = _LONE_CR.sub("\n", text)
    return text, valid


def make_span(sl: int, sc: int, el: int, ec: int) -> Span:
    """``Span(sl, sc, el, ec)``: how the parser builds spans.

    A 3,000-line flow makes ~10,000 of them; ``tuple.__new__`` skips the keyword handling of
    the named tuple's own ``__new__`` (130 ns against 200 ns a span) and gives the very same
    object (class, equality, hash, repr). Two hot spots write this body inline rather than
    call it (``SourceText.span`` for ASCII text, ``steps._shifted``); like it, they give every
    field, which ``tests/parsing/test_tuple_fields.py`` checks, since ``tuple.__new__`` does not."""
    return _new(Span, (sl, sc, el, ec))


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


@dataclass
class SourceText:
    """``text`` plus the UTF-8 ``data`` fed to tree-sitter, with span helpers over both."""

    text: str
    data: bytes = b""
    lines: list[str] = field(default_factory=list)
    #: The whole text is ASCII: byte columns are code-point columns, so callers may compute
    #: spans from byte offsets without :meth:`col` (the text shortcuts rely on it).
    is_ascii: bool = True
    _line_bytes: dict[int, bytes] = field(default_factory=dict)

    @staticmethod
    def of(text: str) -> SourceText:
        src = SourceText(text, _encode(text))
        raw = text.split("\n")
        src.lines = [ln[:-1] if ln.endswith("\r") else ln for ln in raw] if "\r" in text else raw
        src.is_ascii = text.isascii()
        return src

    def col(self, row: int, byte_col: int) -> int:
        """Code-point column of ``byte_col`` on line ``row``."""
        if self.is_ascii or byte_col == 0:
            return byte_col
        if row >= len(self.lines):
            return byte_col
        line = self.lines[row]
        if line.isascii():
            return byte_col
        lb = self._line_bytes.get(row)
        if lb is None:
            lb = _encode(line)
            self._line_bytes[row] = lb
        prefix = lb[:byte_col]
        try:
            return len(prefix.decode("utf-8", errors="surrogatepass"))
        except UnicodeDecodeError:
            return len(prefix.decode("utf-8", errors="ignore"))

    def span(self, node: Node) -> Span:
        sr, sc = node.start_point
        er, ec = node.end_point
        if self.is_ascii:  # :func:`make_span`'s body, inline: the parser's most frequent call
            return _new(Span, (sr, sc, er, ec))
        return make_span(sr, self.col(sr, sc), er, self.col(er, ec))

    def span_between(self, first: Node, last: Node) -> Span:
        sr, sc = first.start_point
        er, ec = last.end_point
        return make_span(sr, self.col(sr, sc), er, self.col(er, ec))

    def node_text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
