"""MF2xx rules about ``self.next(...)``: typo suggestions, switch conditions, stray calls.

Metaflow's lint (mirrored by MF1xx) says *that* a transition is wrong (MF110 also says
which step was probably meant); these rules catch what Metaflow only finds when the step
runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from metaflow_expert.model import Severity
from metaflow_expert.rules.registry import Report, RuleContext, rule
from metaflow_expert.rules.transition_variable import unassigned_transition_variables


@rule(
    "MF201",
    name="transition-target-typo",
    summary="(merged into MF110) `self.next` names an unknown step close to an existing one",
    severity=Severity.INFO,
)
def transition_target_typo(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Nothing any more: it reported the step a misspelled `self.next(self.<name>)` target most
    likely meant, with a quick fix, on the same span as MF110 (the rule mirroring Metaflow's
    `check_unknown_transitions`), so one typo gave two diagnostics. MF110 now carries the
    "did you mean" and the fix itself. Every target this rule could name is one MF110
    reports, so it reports nothing; the code stays registered so that `select`, `ignore`
    and `# noqa: MF201` in existing configurations keep working.

    ## Why is this bad?
    A transition to an unknown step fails `python flow.py check`.

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
    yield from ()


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
