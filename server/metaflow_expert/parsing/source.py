"""The text being parsed, and conversion from tree-sitter positions to model spans.

tree-sitter reports (row, byte column) over UTF-8; the model wants code-point columns so that
``text.split("\\n")[line][:col]`` is what the user sees. ASCII lines (nearly all code) convert
for free; other lines decode the byte prefix once per lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from metaflow_expert.model import Span
from metaflow_expert.parsing.fast import span as _fast_span

_new = tuple.__new__


def decode(data: str | bytes) -> tuple[str, bool]:
    """Text of ``data`` and whether it was valid UTF-8 (invalid bytes become U+FFFD)."""
    if isinstance(data, str):
        return data, True
    try:
        return bytes(data).decode("utf-8"), True
    except UnicodeDecodeError:
        return bytes(data).decode("utf-8", errors="replace"), False


def make_span(sl: int, sc: int, el: int, ec: int) -> Span:
    """``Span(sl, sc, el, ec)``, built fast (see :mod:`metaflow_expert.parsing.fast`)."""
    return _fast_span(sl, sc, el, ec)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


@dataclass
class SourceText:
    """``text`` plus the UTF-8 ``data`` fed to tree-sitter, with span helpers over both."""

    text: str
    data: bytes = b""
    lines: list[str] = field(default_factory=list)
    _ascii: bool = True
    _line_bytes: dict[int, bytes] = field(default_factory=dict)

    @staticmethod
    def of(text: str) -> SourceText:
        src = SourceText(text, _encode(text))
        raw = text.split("\n")
        src.lines = [ln[:-1] if ln.endswith("\r") else ln for ln in raw] if "\r" in text else raw
        src._ascii = text.isascii()
        return src

    def col(self, row: int, byte_col: int) -> int:
        """Code-point column of ``byte_col`` on line ``row``."""
        if self._ascii or byte_col == 0:
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
        if self._ascii:
            return _new(Span, (sr, sc, er, ec))  # the hottest call of the parser: no wrapper
        return _fast_span(sr, self.col(sr, sc), er, self.col(er, ec))

    def span_between(self, first: Node, last: Node) -> Span:
        sr, sc = first.start_point
        er, ec = last.end_point
        return make_span(sr, self.col(sr, sc), er, self.col(er, ec))

    def node_text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")
