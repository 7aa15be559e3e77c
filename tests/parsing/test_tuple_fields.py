"""Every named tuple the parser builds has all its fields.

Why: the parser's hot spots build ``Span``, ``CallArg``, ``DecoratorUse`` and ``ArtifactAccess``
with ``tuple.__new__`` (``source.make_span``, ``SourceText.span``, ``steps._shifted``,
``calls``, ``artifacts``), which, unlike the classes themselves, accepts a tuple of any length.
A field added to one of those records and forgotten at one of those sites would only fail far
away, at the first read of the missing field; this finds it at the source.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from metaflow_expert.parsing import parse_flow_file

FLOW = '''from metaflow import FlowSpec, batch, retry, step


class TupleFlow(FlowSpec):
    """Repeated decorators are read once and shifted: the copies come from steps._shifted."""

    @batch(cpu=2, memory=100, image="python:3.11")
    @retry(times=2)
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @batch(cpu=2, memory=100, image="python:3.11")
    @retry(times=2)
    @step
    def work(self):
        self.out = self.input * 2
        self.next(self.join)

    @batch(cpu=2, memory=100, image="python:3.11")
    @retry(times=2)
    @step
    def join(self, inputs):
        self.total = sum(i.out for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.total, *[1], **{})
'''


def _named_tuples(value: Any, seen: set[int]) -> list[tuple[Any, ...]]:
    if id(value) in seen:
        return []
    seen.add(id(value))
    found: list[tuple[Any, ...]] = []
    if isinstance(value, tuple):
        if hasattr(value, "_fields"):
            found.append(value)
        for item in value:
            found += _named_tuples(item, seen)
    elif isinstance(value, (list, set, frozenset)):
        for item in value:
            found += _named_tuples(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            found += _named_tuples(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            found += _named_tuples(getattr(value, f.name), seen)
    return found


def test_every_record_has_all_its_fields() -> None:
    for text in (FLOW, FLOW.replace("Repeated", "Répétés")):  # ASCII fast path, then not
        model = parse_flow_file(text)
        found = _named_tuples(model, set())
        kinds = {type(t).__name__ for t in found}
        assert {"Span", "CallArg", "DecoratorUse", "ArtifactAccess"} <= kinds, kinds
        for t in found:
            assert len(t) == len(type(t)._fields), (type(t).__name__, t)
        steps = model.flows[0].steps
        assert (
            steps["work"].decorators[0].span.start_line
            > steps["start"].decorators[0].span.start_line
        )
