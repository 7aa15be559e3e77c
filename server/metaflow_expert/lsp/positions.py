"""Span (code-point columns) ↔ LSP Range (the negotiated encoding, UTF-16 by default).

Why: the model counts columns in code points; VS Code counts UTF-16 units, some clients UTF-8.
A flow with ``# ✓`` or an emoji in a string would otherwise get squiggles shifted by one.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from metaflow_expert.model import Span


def _units(codec: PositionCodec, lines: Sequence[str], line: int, col: int) -> int:
    if line < 0 or line >= len(lines):
        return col
    text = lines[line]
    if text.isascii():
        return col
    return codec.client_num_units(text[:col])


def to_position(codec: PositionCodec, lines: Sequence[str], line: int, col: int) -> types.Position:
    return types.Position(line=max(line, 0), character=max(_units(codec, lines, line, col), 0))


def to_range(codec: PositionCodec, lines: Sequence[str], span: Span) -> types.Range:
    return types.Range(
        start=to_position(codec, lines, span.start_line, span.start_col),
        end=to_position(codec, lines, span.end_line, span.end_col),
    )


def from_position(
    codec: PositionCodec, lines: Sequence[str], pos: types.Position
) -> tuple[int, int]:
    """Client position → (line, code-point column) clamped to the text."""
    line = pos.line
    if line < 0:
        return 0, 0
    if line >= len(lines):
        return line, 0
    text = lines[line].rstrip("\r\n")
    if text.isascii():
        return line, min(pos.character, len(text))
    units = 0
    for i, ch in enumerate(text):
        if units >= pos.character:
            return line, i
        units += codec.client_num_units(ch)
    return line, len(text)


def from_range(codec: PositionCodec, lines: Sequence[str], rng: types.Range) -> Span:
    sl, sc = from_position(codec, lines, rng.start)
    el, ec = from_position(codec, lines, rng.end)
    return Span(sl, sc, el, ec)
