"""Where a step or an artifact is named in a flow: the data behind references, rename and
go-to-definition.

Why from the model: a step is named by its ``def`` and by every ``self.next(self.<name>)``
(tail transitions, switch cases, non-tail calls); the parser already resolved those spans, so
rename edits exactly the names Metaflow's graph would read and nothing else.
"""

from __future__ import annotations

from metaflow_expert.model import FlowClass, Span


def step_occurrences(flow: FlowClass, name: str, include_def: bool = True) -> list[Span]:
    out: list[Span] = []
    step = flow.steps.get(name)
    if include_def and step is not None:
        out.append(step.name_span)
    for s in flow.steps.values():
        tr = s.transition
        if tr is not None:
            out += [t.span for t in tr.targets if t.name == name]
            out += [
                c.target.span
                for c in tr.switch_cases
                if c.target is not None and c.target.name == name and c.target.span not in out
            ]
        for call in s.non_tail_next_calls:
            for a in call.args:
                if a.source.replace(" ", "") == f"self.{name}":
                    end = a.value_span
                    out.append(
                        Span(end.end_line, end.end_col - len(name), end.end_line, end.end_col)
                    )
    return sorted(set(out))


def artifact_occurrences(
    flow: FlowClass, name: str, kinds: tuple[str, ...] = ("write", "read", "delete")
) -> list[Span]:
    out: list[Span] = []
    for s in flow.steps.values():
        out += [a.span for a in s.artifacts if a.name == name and a.kind in kinds]
        tr = s.transition
        if tr is not None:
            for value, span in ((tr.foreach, tr.foreach_span), (tr.condition, tr.condition_span)):
                if value == name and span is not None:
                    out.append(span)
    return sorted(set(out))


def is_valid_step_name(name: str) -> bool:
    """A name Python accepts as a method name (Metaflow's own naming rules are lint's job)."""
    return name.isidentifier() and not name.startswith("__")
