"""Foreach bodies as nested groups (what the graph view boxes), on flows written here."""

from __future__ import annotations

import textwrap

from metaflow_expert.graph import build_graph
from metaflow_expert.graph_groups import ForeachGroup, foreach_groups
from metaflow_expert.knowledge.facts import default_facts
from metaflow_expert.parsing import parse_flow_file

HEADER = "from metaflow import FlowSpec, step, parallel\n"


def groups(body: str) -> list[ForeachGroup]:
    (flow,) = parse_flow_file(HEADER + textwrap.dedent(body)).flows
    return foreach_groups(build_graph(flow, default_facts().parallel_decorators))


NESTED = """
    class F(FlowSpec):
        @step
        def start(self):
            self.items = [1, 2]
            self.next(self.outer, foreach="items")
        @step
        def outer(self):
            self.parts = [1]
            self.next(self.inner, foreach="parts")
        @step
        def inner(self):
            self.next(self.a, self.b)
        @step
        def a(self):
            self.next(self.ab_join)
        @step
        def b(self):
            self.next(self.ab_join)
        @step
        def ab_join(self, inputs):
            self.next(self.inner_join)
        @step
        def inner_join(self, inputs):
            self.next(self.mid)
        @step
        def mid(self):
            self.next(self.outer_join)
        @step
        def outer_join(self, inputs):
            self.next(self.end)
        @step
        def end(self):
            pass
"""


def test_nested_foreach_gives_nested_groups_split_and_join_outside():
    outer, inner = groups(NESTED)
    assert outer == ForeachGroup(
        split="start",
        join="outer_join",
        parent=None,
        label="foreach items",
        steps=("outer", "inner_join", "mid"),
    )
    # a branch inside a foreach body stays in that body; only foreach splits make boxes
    assert inner == ForeachGroup(
        split="outer",
        join="inner_join",
        parent="start",
        label="foreach parts",
        steps=("inner", "a", "b", "ab_join"),
    )


def test_branches_alone_make_no_group():
    assert (
        groups(
            """
            class F(FlowSpec):
                @step
                def start(self):
                    self.next(self.a, self.b)
                @step
                def a(self):
                    self.next(self.join)
                @step
                def b(self):
                    self.next(self.join)
                @step
                def join(self, inputs):
                    self.next(self.end)
                @step
                def end(self):
                    pass
            """
        )
        == []
    )


def test_parallel_fan_out_is_labelled_parallel():
    (group,) = groups(
        """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.train, num_parallel=4)
            @parallel
            @step
            def train(self):
                self.next(self.join)
            @step
            def join(self, inputs):
                self.next(self.end)
            @step
            def end(self):
                pass
        """
    )
    assert group.split == "start" and group.steps == ("train",)
    assert group.label == "parallel 4"


def test_a_foreach_without_its_join_still_groups_its_body():
    (group,) = groups(
        """
        class F(FlowSpec):
            @step
            def start(self):
                self.xs = [1]
                self.next(self.body, foreach="xs")
            @step
            def body(self):
                self.next(self.end)
            @step
            def end(self):
                pass
        """
    )
    assert group.split == "start" and group.join is None
    assert "body" in group.steps
