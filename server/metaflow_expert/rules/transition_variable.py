"""The one check behind MF202 and MF209: an artifact named by a ``self.next`` keyword
(``foreach="x"``, ``condition="x"``) that no path to the step assigns.

Why one function: both rules read the name from the transition, ask the same dataflow
question (assigned in the step, before it, or provided by the class?), suggest the same
"did you mean" from the same names and offer the same string fix; only the keyword, the
wording and the rule's guard differ. Each rule keeps its own guard and passes the flow in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from metaflow_expert.model import Finding, FlowClass, FlowFile, Severity, Span, Transition
from metaflow_expert.rules.beyond_dataflow import (
    available_before,
    closest,
    provided_names,
    step_writes,
    string_fix,
)

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph

#: The keyword's value and span in a transition of the right kind (value None otherwise).
VariableOf = Callable[[Transition], tuple[object, Span | None]]


def unassigned_transition_variables(
    file: FlowFile,
    flow: FlowClass,
    graph: FlowGraph | None,
    *,
    code: str,
    kind: str,
    keyword: str,
    noun: str,
    mirrors: str,
    variable_of: VariableOf,
) -> Iterator[Finding]:
    """Warnings for each ``kind`` transition whose ``keyword=`` string names an artifact no
    path from start assigns before the transition (silent when the graph is unusable)."""
    before = available_before(flow, graph)
    if before is None:
        return
    provided = provided_names(flow, file)
    for step in flow.steps.values():
        tr = step.transition
        if tr is None or tr.kind != kind:
            continue
        var, span = variable_of(tr)
        if not isinstance(var, str):
            continue
        writes = step_writes(step)
        if step.name not in before or var in provided or var in writes:
            continue
        if var in before[step.name]:
            continue
        hint = closest(var, writes | before[step.name])
        extra = f" Did you mean *{hint}*?" if hint else ""
        yield Finding(
            code=code,
            message=(
                f"{noun} *self.{var}* in step *{step.name}* is never assigned "
                f"before the transition.{extra}"
            ),
            span=span or tr.span,
            severity=Severity.WARNING,
            mirrors=mirrors,
            flow=flow.name,
            step=step.name,
            fix=string_fix(file, span, hint, f'Use {keyword}="{hint}"') if hint else None,
        )
