"""Suggestions ("did you mean …?") for rules that name something unknown, and their fix.

Why one module: a misspelled step, artifact, decorator or argument is reported by rules of
every family, and each must suggest from the same similarity measure with the same fix shape.
"""

from __future__ import annotations

from collections.abc import Iterable

from metaflow_expert.model import Fix, FlowFile, Span, TextEdit


def closest(name: str, choices: Iterable[str], cutoff: float = 70.0) -> str | None:
    """The choice most similar to ``name`` (rapidfuzz ratio ≥ ``cutoff``), or None."""
    pool = [c for c in choices if c != name]
    if not pool:
        return None
    from rapidfuzz import fuzz, process

    hit = process.extractOne(name, pool, scorer=fuzz.ratio, score_cutoff=cutoff)
    return hit[0] if hit else None


def string_fix(file: FlowFile, span: Span | None, new: str, title: str) -> Fix | None:
    """A fix replacing the one-line string literal at ``span`` by ``new``, keeping its quotes."""
    if span is None or span.start_line != span.end_line or span.start_line >= len(file.lines):
        return None
    literal = file.lines[span.start_line][span.start_col : span.end_col]
    quote = literal[-1:] if literal[-1:] in ("'", '"') else None
    if quote is None or not literal.lstrip("rRuU").startswith(quote):
        return None
    return Fix(title, (TextEdit(span, f"{quote}{new}{quote}"),))
