"""Which quick fixes the editor offers for a diagnostic: its own fix and those the model
derives for the same step, each checked with :func:`metaflow_expert.lint.fix_check.verify`
(apply to a copy, analyse again, keep it only if the diagnostic is gone and no error is new).

Why here: choosing candidates is editor logic (a join's ``inputs`` fix is never an answer to
a finding on the foreach body); whether a fix helps is the engine's question, shared with
``lint --fix``. Pure: the LSP runs this on a request worker, the tests on every broken corpus
flow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaflow_expert.lint.fix_check import Target, apply, verify
from metaflow_expert.model import Finding, Fix

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.lint.config import LintSettings
    from metaflow_expert.lint.engine import Analysis

__all__ = ["Target", "apply", "candidates", "verified_fixes", "verify"]


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
