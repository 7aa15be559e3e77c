"""MF2xx rules about ``self.next(...)``: typo suggestions, switch conditions, stray calls.

Metaflow's lint (mirrored by MF1xx) says *that* a transition is wrong; these rules say what
was probably meant, or catch what Metaflow only finds when the step runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from metaflow_expert.model import Fix, Severity, TargetRef, TextEdit, Transition
from metaflow_expert.rules.registry import Report, RuleContext, rule
from metaflow_expert.rules.suggest import closest
from metaflow_expert.rules.transition_variable import unassigned_transition_variables


def _targets(transition: Transition) -> list[TargetRef]:
    refs = list(transition.targets)
    for case in transition.switch_cases:
        if case.target is not None and case.target not in refs:
            refs.append(case.target)
    return refs


@rule(
    "MF201",
    name="transition-target-typo",
    summary="`self.next` names an unknown step that closely matches an existing one",
    severity=Severity.INFO,
)
def transition_target_typo(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Suggests the step a misspelled `self.next(self.<name>)` target most likely meant, and
    offers a quick fix that replaces the name.

    ## Why is this bad?
    A transition to an unknown step fails `python flow.py check` (reported as an error by the
    rule mirroring `check_unknown_transitions`). This rule adds the "did you mean" and the fix
    at the same place, so the error can be repaired in one click.

    ## Example
    ```python
    @step
    def start(self):
        self.next(self.trian)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.next(self.train)
    ```
    """
    flow = ctx.flow
    if flow is None or flow.unresolved_bases:
        return
    names = list(flow.steps)
    for step in flow.steps.values():
        if step.transition is None:
            continue
        for ref in _targets(step.transition):
            if ref.name in flow.steps:
                continue
            best = closest(ref.name, names, cutoff=60.0)
            if best is None:
                continue
            yield Report(
                span=ref.span,
                message=f"Unknown step *{ref.name}* in self.next(): did you mean *{best}*?",
                step=step.name,
                fix=Fix(f"Replace with self.{best}", (TextEdit(ref.span, best),)),
            )


@rule(
    "MF209",
    name="switch-condition-unassigned",
    summary="a switch `condition` names an artifact no path to the step assigns",
    severity=Severity.WARNING,
    mirrors="runtime:switch_condition",
)
def switch_condition_unassigned(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Checks that the artifact named by `condition="..."` in a switch transition is assigned in
    the step, on a path leading to it, or is a Parameter/Config or class attribute.

    ## Why is this bad?
    Metaflow reads `getattr(self, condition)` when the step finishes; a missing artifact fails
    the run after the step's work is done.

    ## Example
    ```python
    @step
    def start(self):
        self.mode = "fast"
        self.next({"fast": self.a, "slow": self.b}, condition="speed")
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.speed = "fast"
        self.next({"fast": self.a, "slow": self.b}, condition="speed")
    ```
    """
    facts = ctx.flow_facts
    if facts is None or facts.flow.unresolved_bases or facts.file.has_dynamic_attributes:
        return
    yield from unassigned_transition_variables(
        facts,
        kind="switch",
        keyword="condition",
        noun="Switch condition",
        variable_of=lambda tr: (tr.condition, tr.condition_span),
    )


@rule(
    "MF213",
    name="non-tail-next",
    summary="`self.next` called somewhere other than the last statement of a step",
    severity=Severity.WARNING,
)
def non_tail_next(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `self.next(...)` calls that are not the last statement of the step body (inside an
    `if`, a loop, a `try`, or followed by more code).

    ## Why is this bad?
    Metaflow builds the graph from the step's *last statement* only. A `self.next` anywhere
    else is invisible to the graph: the flow either fails `check` ("no transition") or, when a
    tail call also exists, fails at run time because `self.next` was called twice.

    ## Example
    ```python
    @step
    def start(self):
        if self.fast:
            self.next(self.a)
        else:
            self.next(self.b)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.route = "a" if self.fast else "b"
        self.next({"a": self.a, "b": self.b}, condition="route")
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    for step in flow.steps.values():
        for call in step.non_tail_next_calls:
            yield Report(
                span=call.span,
                message=f"self.next() in step *{step.name}* is not the last statement of the "
                "step; Metaflow only reads the transition from the last statement.",
                step=step.name,
            )
