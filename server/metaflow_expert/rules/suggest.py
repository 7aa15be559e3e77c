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


class Suggester:
    """:func:`closest` against one list of choices, asked once per unknown name.

    Why: a rule that suggests for every unknown name of a flow (MF110, once per misspelt
    target) rebuilt the pool of choices per name, O(names x choices) in Python; here the
    list is prepared once and each distinct name is looked up once (the scan itself runs in
    rapidfuzz's C code). Answers are :func:`closest`'s, name for name."""

    def __init__(self, choices: Iterable[str], cutoff: float = 70.0) -> None:
        self._choices = list(dict.fromkeys(choices))  # first occurrence wins ties, as before
        self._known = frozenset(self._choices)
        self._cutoff = cutoff
        self._memo: dict[str, str | None] = {}
        #: distinct names looked up so far (the work done, for tests)
        self.lookups = 0

    def closest(self, name: str) -> str | None:
        if name in self._memo:
            return self._memo[name]
        self.lookups += 1
        if name in self._known or not self._choices:
            best = closest(name, self._choices, self._cutoff)  # the name itself is no answer
        else:
            from rapidfuzz import fuzz, process

            hit = process.extractOne(
                name, self._choices, scorer=fuzz.ratio, score_cutoff=self._cutoff
            )
            best = hit[0] if hit else None
        self._memo[name] = best
        return best


def string_fix(file: FlowFile, span: Span | None, new: str, title: str) -> Fix | None:
    """A fix replacing the one-line string literal at ``span`` by ``new``, keeping its quotes."""
    if span is None or span.start_line != span.end_line or span.start_line >= len(file.lines):
        return None
    literal = file.lines[span.start_line][span.start_col : span.end_col]
    quote = literal[-1:] if literal[-1:] in ("'", '"') else None
    if quote is None or not literal.lstrip("rRuU").startswith(quote):
        return None
    return Fix(title, (TextEdit(span, f"{quote}{new}{quote}"),))
