"""Does a quick fix help? Apply it to a copy of the text, analyse the copy again and accept
the fix only if it removed the diagnostic it was offered for and added no error.

Why: a fix is a claim about the flow ("this makes the problem go away"), and the heuristics
that build fixes cannot see everything the rules check (a join that is also misshapen, a
transition that creates a new orphan). Re-running the same engine with the same settings and
catalog is the one reference for "it helps"; nothing else is trusted. Both places that apply
fixes use it: ``lint --fix`` (:func:`metaflow_expert.lint.runner.fix_file`) and the editor's
code actions (:mod:`metaflow_expert.explain.fix_check`, which also picks the candidates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from metaflow_expert.model import Finding, Fix, Severity

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.lint.config import LintSettings


@dataclass(frozen=True)
class Target:
    """The diagnostic a fix is offered for: a finding's code and message in a flow's step.
    Its position may move once the fix is applied, so position is not part of its identity;
    the message is, so that one of two typos in the same step can be fixed on its own."""

    code: str
    flow: str | None
    step: str | None
    message: str

    @classmethod
    def of(cls, finding: Finding) -> Target:
        return cls(finding.code, finding.flow, finding.step, finding.message)

    def same_kind(self, finding: Finding) -> bool:
        """Same code in the same step, whatever the message."""
        return (finding.code, finding.flow, finding.step) == (self.code, self.flow, self.step)

    def is_(self, finding: Finding) -> bool:
        return self.same_kind(finding) and finding.message == self.message


def _key(f: Finding) -> tuple[str, str | None, str | None, str]:
    return (f.code, f.flow, f.step, f.message)


# --- applying fixes ------------------------------------------------------------------------
# Edits of one fix are relative to the original text (as in an LSP ``WorkspaceEdit``); fixes
# are applied from the end backwards, and a fix overlapping one already taken waits for the
# next run, as ruff does.


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


def _offset(starts: list[int], text: str, line: int, col: int) -> int:
    """Offset of 0-based (line, column in code points), clamped to the line and the text."""
    if line >= len(starts):
        return len(text)
    end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
    return min(starts[line] + max(col, 0), end)


def apply_fixes(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """``(new_text, number_of_fixes_applied)`` for the fixes of ``findings``; never raises on
    odd spans."""
    return _apply(text, (f.fix for f in findings))


def _apply(text: str, fixes: Iterable[Fix | None]) -> tuple[str, int]:
    starts = _line_starts(text)
    chosen: list[tuple[int, int, str]] = []
    applied = 0
    for fix in fixes:
        if fix is None or not fix.edits:
            continue
        ranges = []
        for e in fix.edits:
            a = _offset(starts, text, e.span.start_line, e.span.start_col)
            b = max(a, _offset(starts, text, e.span.end_line, e.span.end_col))
            ranges.append((a, b, e.new_text))
        if any(_clash(r, other) for r in ranges for other in chosen) or any(
            _clash(r, o) for i, r in enumerate(ranges) for o in ranges[i + 1 :]
        ):
            continue
        chosen.extend(ranges)
        applied += 1
    for a, b, new in sorted(chosen, key=lambda r: (r[0], r[1]), reverse=True):
        text = text[:a] + new + text[b:]
    return text, applied


def _clash(r: tuple[int, int, str], o: tuple[int, int, str]) -> bool:
    """Overlapping ranges, or two insertions at one point (their order would be arbitrary)."""
    return (r[0] < o[1] and o[0] < r[1]) or (r[0] == r[1] == o[0] == o[1])


def apply(text: str, fix: Fix) -> str | None:
    """``text`` with ``fix`` applied, or None when its edits clash (then it is not offered)."""
    new, applied = _apply(text, [fix])
    return new if applied == 1 else None


def verify(
    text: str,
    path: str,
    fix: Fix,
    target: Target,
    before: list[Finding],
    *,
    settings: LintSettings | None = None,
    catalog: DecoratorCatalog | None = None,
) -> bool:
    """True when, after ``fix``, the target is gone (no finding with its code, step and
    message, and fewer findings of its code in its step: a fix that only rewords the
    finding does not count) and no error-severity finding is new (counted by code, flow, step and message, so an error
    that only moved is not new). ``before`` is the analysis of ``text`` with the same settings
    and catalog. Never raises: a fix that cannot be checked is not offered."""
    try:
        from metaflow_expert.lint.engine import analyze_text

        new_text = apply(text, fix)
        if new_text is None or new_text == text:
            return False
        after = analyze_text(new_text, path, settings=settings, catalog=catalog).findings
    except Exception:
        return False
    if any(target.is_(f) for f in after) or sum(map(target.same_kind, after)) >= sum(
        map(target.same_kind, before)
    ):
        return False
    old_errors = Counter(_key(f) for f in before if f.severity is Severity.ERROR)
    new_errors = Counter(_key(f) for f in after if f.severity is Severity.ERROR)
    return not (new_errors - old_errors)
