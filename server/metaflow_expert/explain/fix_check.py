"""Is a quick fix worth offering? Apply it to a copy of the text, analyse the copy again and
keep the fix only if it removed the diagnostic it was offered for and added no error.

Why: a fix is a claim about the flow ("this makes the problem go away"), and the heuristics
that build fixes cannot see everything the rules check (a join that is also misshapen, a
transition that creates a new orphan). Re-running the same engine with the same settings and
catalog is the one reference for "it helps"; nothing else is trusted. Pure: the LSP runs this
on a request worker, the tests on every broken corpus flow.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from metaflow_expert.model import Finding, Fix, Severity

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.lint.config import LintSettings
    from metaflow_expert.lint.engine import Analysis


@dataclass(frozen=True)
class Target:
    """The diagnostic a fix is offered for: a finding's code in a flow's step (its position
    may move once the fix is applied, so position is not part of its identity)."""

    code: str
    flow: str | None
    step: str | None

    @classmethod
    def of(cls, finding: Finding) -> Target:
        return cls(finding.code, finding.flow, finding.step)


def _key(f: Finding) -> tuple[str, str | None, str | None, str]:
    return (f.code, f.flow, f.step, f.message)


def apply(text: str, fix: Fix) -> str | None:
    """``text`` with ``fix`` applied, or None when its edits clash (then it is not offered)."""
    from metaflow_expert.lint.runner import apply_fixes
    from metaflow_expert.model import Span

    carrier = Finding("fix", "", Span(0, 0, 0, 0), Severity.INFO, fix=fix)
    new, applied = apply_fixes(text, [carrier])
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
    """True when, after ``fix``, no finding matches ``target`` (same code, flow and step) and
    no error-severity finding is new (counted by code, flow, step and message, so an error
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
    if any(Target.of(f) == target for f in after):
        return False
    old_errors = Counter(_key(f) for f in before if f.severity is Severity.ERROR)
    new_errors = Counter(_key(f) for f in after if f.severity is Severity.ERROR)
    return not (new_errors - old_errors)


def candidates(analysis: Analysis, finding: Finding) -> list[Fix]:
    """The fixes that may be offered for ``finding``: its own, then those the model derives
    for the step it is about (never for another step: a join's ``inputs`` fix is not an answer
    to a finding on the foreach body)."""
    from metaflow_expert.explain.fixes import derived_fixes

    out: list[Fix] = [finding.fix] if finding.fix is not None else []
    if finding.step is None:
        return out
    for flow in analysis.file.flows:
        if flow.name != finding.flow:
            continue
        for step, fix in derived_fixes(analysis.file, flow, analysis.graphs.get(flow.name)):
            if step.name == finding.step and all(fix.title != f.title for f in out):
                out.append(fix)
    return out


def verified_fixes(
    text: str,
    path: str,
    analysis: Analysis,
    finding: Finding,
    *,
    settings: LintSettings | None = None,
    catalog: DecoratorCatalog | None = None,
) -> list[Fix]:
    """The :func:`candidates` for ``finding`` that :func:`verify` accepts."""
    target = Target.of(finding)
    return [
        fix
        for fix in candidates(analysis, finding)
        if verify(text, path, fix, target, analysis.findings, settings=settings, catalog=catalog)
    ]
