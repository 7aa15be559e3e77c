"""``Step.other_decorators`` and ``Step.applied_decorators`` with one ``@step``: every
decorator but the ``@step`` itself, wherever it stands (the properties take that case without
the general multi-``@step`` formula; a second ``@step`` is tested in
``tests/rules_beyond/test_step_twice_model.py``)."""

from __future__ import annotations

from metaflow_expert.parsing import parse_flow_file

FLOW = """\
from metaflow import FlowSpec, batch, card, retry, step
from mylib import wrap


class ListsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @retry(times=2)
    @card
    @step
    def a(self):
        self.next(self.b)

    @wrap
    @step
    @retry
    def b(self):
        self.next(self.c)

    @step
    @batch(cpu=1)
    @wrap
    def c(self):
        self.next(self.end)

    @card
    @wrap
    @step
    @retry
    @batch
    def end(self):
        pass
"""


def test_one_step_decorator_leaves_every_other_decorator() -> None:
    flow = parse_flow_file(FLOW, "lists.py").flows[0]
    assert list(flow.steps) == ["start", "a", "b", "c", "end"]
    for step in flow.steps.values():
        assert step.extra_step_decorators == ()
        rest = [d for i, d in enumerate(step.decorators) if i != step.step_decorator_index]
        assert step.other_decorators == rest
        assert step.applied_decorators == rest
        assert step.other_decorators is not step.applied_decorators
    names = {n: [d.written for d in s.other_decorators] for n, s in flow.steps.items()}
    assert names == {
        "start": [],
        "a": ["retry", "card"],
        "b": ["wrap", "retry"],
        "c": ["batch", "wrap"],
        "end": ["card", "wrap", "retry", "batch"],
    }
