"""One story per root cause: findings that only restate a step's mistake fold into the finding
that states it.

Why: a step that takes ``inputs`` and also splits is one mistake, but Metaflow's graph makes it
a split, so ``merge_artifacts`` in it is "not in a join" too (MF210), and a ``self.next`` inside
an ``if`` is both "no transition" (MF108) and "``self.next`` not last" (MF213). Each rule is
right on its own; together they bury the one fix under several errors. The relation is
declared here, once, against the shared classification of each step
(:class:`~metaflow_expert.rules.facts.StepShape`): when a step has the mistake and the root
finding is shown, a follow-on finding on the same step becomes related information of the root
(still visible, never lost). A follow-on whose root is not shown (ignored, ``# noqa``) stays a
finding of its own.

A finding that mirrors a check of Metaflow's ``lint.py`` is never folded away: the oracle
tests require each of them, on its line (``tests/oracle``). The roots are those findings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import NamedTuple

from metaflow_expert.model import Finding, Related
from metaflow_expert.rules.facts import FlowFacts, StepMistake


class Restatement(NamedTuple):
    """Findings of ``follow_ons`` on a step with ``mistake`` restate the ``root`` finding."""

    mistake: StepMistake
    root: str
    follow_ons: frozenset[str]


#: The declared relations (surveyed on broken flows: tests/lint/test_fold.py lists them).
RESTATEMENTS: tuple[Restatement, ...] = (
    # "merge_artifacts can only be called in a join and step X is not a join": X is no join
    # because it takes ``inputs`` and splits; adding a step between is the one fix
    Restatement("join-and-split", "MF107", frozenset({"MF210"})),
    Restatement("inputs-not-join", "MF107", frozenset({"MF210"})),
    # "self.next() is not the last statement": why the step has no transition
    Restatement("next-not-last", "MF108", frozenset({"MF213"})),
)

FOLLOW_ON_CODES = frozenset(code for r in RESTATEMENTS for code in r.follow_ons)


def fold_restated(findings: list[Finding], flows: Mapping[str, FlowFacts]) -> list[Finding]:
    """``findings`` (sorted) with each follow-on folded into its root as related
    information; the order of what remains is kept. ``flows``: the facts of each linted flow
    by name (their step shapes are computed only when a follow-on code is present)."""
    if not any(f.code in FOLLOW_ON_CODES for f in findings):
        return findings
    roots: dict[tuple[str, str, str], int] = {}
    for i, f in enumerate(findings):
        if f.flow is not None and f.step is not None:
            roots.setdefault((f.flow, f.step, f.code), i)
    extra: dict[int, list[Related]] = {}
    folded: set[int] = set()
    for i, f in enumerate(findings):
        if f.code not in FOLLOW_ON_CODES or f.flow is None or f.step is None:
            continue
        if f.mirrors is not None and f.mirrors.startswith("check_"):
            continue  # Metaflow reports it: never folded away
        facts = flows.get(f.flow)
        shape = facts.step_shapes.get(f.step) if facts is not None else None
        if shape is None:
            continue
        for r in RESTATEMENTS:
            at = roots.get((f.flow, f.step, r.root))
            if at is None or f.code not in r.follow_ons or r.mistake not in shape.mistakes:
                continue
            root = findings[at]
            if not any(rel.span == f.span for rel in (*root.related, *extra.get(at, ()))):
                extra.setdefault(at, []).append(Related(f"{f.code}: {f.message}", f.span))
            folded.add(i)
            break
    out: list[Finding] = []
    for i, f in enumerate(findings):
        if i in folded:
            continue
        more = extra.get(i)
        out.append(dataclasses.replace(f, related=(*f.related, *more)) if more else f)
    return out
