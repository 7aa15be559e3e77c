"""The one check behind MF202 and MF209: an artifact named by a ``self.next`` keyword
(``foreach="x"``, ``condition="x"``) that no path to the step assigns.

Why one function: both rules read the name from the transition, ask the same dataflow
question (assigned in the step, before it, or provided by the class?), suggest the same
"did you mean" from the same names and offer the same string fix; only the keyword, the
wording and the rule's guard differ. Each rule keeps its own guard and passes its facts in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from metaflow_expert.model import Span, Transition
from metaflow_expert.rules.facts import FlowFacts
from metaflow_expert.rules.registry import Report
from metaflow_expert.rules.suggest import closest, string_fix

#: The keyword's value and span in a transition of the right kind (value None otherwise).
VariableOf = Callable[[Transition], tuple[object, Span | None]]


def unassigned_transition_variables(
    facts: FlowFacts,
    *,
    kind: str,
    keyword: str,
    noun: str,
    variable_of: VariableOf,
) -> Iterator[Report]:
    """Reports for each ``kind`` transition whose ``keyword=`` string names an artifact no
    path from start assigns before the transition (silent when the graph is unusable)."""
    before = facts.available_before
    if before is None:
        return
    provided = facts.provided_names
    for step in facts.flow.steps.values():
        tr = step.transition
        if tr is None or tr.kind != kind:
            continue
        var, span = variable_of(tr)
        if not isinstance(var, str):
            continue
        writes = facts.writes[step.name]
        if step.name not in before or var in provided or var in writes:
            continue
        if var in before[step.name]:
            continue
        hint = closest(var, writes | before[step.name])
        extra = f" Did you mean *{hint}*?" if hint else ""
        yield Report(
            span or tr.span,
            f"{noun} *self.{var}* in step *{step.name}* is never assigned "
            f"before the transition.{extra}",
            step=step.name,
            fix=string_fix(facts.file.file, span, hint, f'Use {keyword}="{hint}"')
            if hint
            else None,
        )
