"""Transitions: the tail ``self.next`` read the way ``DAGNode._parse`` reads it."""

from __future__ import annotations

import pytest

from .helpers import parse, step, text_at

HEAD = """
from metaflow import FlowSpec, step

class X(FlowSpec):
    @step
    def s(self{params}):
{body}
"""


def tail(body: str, params: str = ""):  # type: ignore[no-untyped-def]
    src = HEAD.format(params=params, body="\n".join("        " + ln for ln in body.splitlines()))
    return step(src, "s").transition


@pytest.mark.parametrize(
    ("body", "kind", "targets", "node_type"),
    [
        ("self.next(self.a)", "linear", ["a"], "linear"),
        ("self.next(self.a, self.b)", "split", ["a", "b"], "split"),
        ("self.next(self.a, foreach='xs')", "foreach", ["a"], "foreach"),
        ("self.next(self.a, num_parallel=4)", "parallel", ["a"], "foreach"),
        (
            "self.next({'x': self.a, 'y': self.b}, condition='c')",
            "switch",
            ["a", "b"],
            "split-switch",
        ),
        ("self.next(self.a, self.b, foreach='xs')", "invalid", ["a", "b"], "foreach"),
        ("self.next(self.a, self.b, num_parallel=2)", "invalid", ["a", "b"], "foreach"),
        ("self.next(self.a, bogus=1)", "invalid", ["a"], None),
        ("self.next(self.a, foreach='x', num_parallel=2)", "invalid", ["a"], None),
        ("self.next(name)", "invalid", [], None),
        ("self.next(*steps)", "invalid", [], None),
        ("self.next()", "invalid", [], None),
        ("self.next({k: self.a}, condition='c')", "invalid", [], None),
        ("self.next({'k': self.a}, condition=c)", "invalid", [], None),
        ("self.next({'k': a}, condition='c')", "invalid", [], None),
        ("self.next({}, condition='c')", "invalid", [], None),
        ("self.next(foo.bar)", "linear", ["bar"], "linear"),
        ("(self.next(self.a))", "linear", ["a"], "linear"),
    ],
)
def test_transition_kinds(body: str, kind: str, targets: list[str], node_type: str | None) -> None:
    t = tail(body)
    assert t is not None
    assert (t.kind, t.target_names, t.node_type) == (kind, targets, node_type)
    assert (t.invalid_reason is not None) == (kind == "invalid")


def test_join_node_type_comes_from_num_args() -> None:
    t = tail("self.next(self.end)", params=", inputs")
    assert (t.kind, t.node_type) == ("linear", "join")


@pytest.mark.parametrize(
    "body",
    [
        "if x:\n    self.next(self.a)",
        "self.next(self.a)\nprint('after')",
        "x = self.next(self.a)",
        "super().next(self.a)",
        "self.other.next(self.a)",
        "'''only a docstring'''",
        "await self.next(self.a)",
    ],
)
def test_no_tail_transition(body: str) -> None:
    assert tail(body) is None


def test_foreach_and_parallel_values() -> None:
    t = tail("self.next(self.a, foreach='xs')")
    assert t.foreach == "xs" and t.foreach_span is not None
    t = tail("self.next(self.a, foreach=NAME)")
    assert t.kind == "foreach" and t.foreach is None  # Metaflow keeps only ast.Constant values
    t = tail("self.next(self.a, num_parallel=-1)")
    assert t.kind == "parallel" and t.num_parallel is None
    t = tail("self.next(self.a, num_parallel=3)")
    assert t.num_parallel == 3


def test_switch_cases_and_config_keys() -> None:
    t = tail("self.next({self.cfg.go: self.a, 'stop': self.end, 1: self.a}, condition='state')")
    assert t.kind == "switch" and t.condition == "state"
    assert [c.key for c in t.switch_cases] == ["config:cfg.go", "stop", 1]
    assert [c.target.name for c in t.switch_cases] == ["a", "end", "a"]
    assert t.target_names == ["a", "end", "a"]
    bad = tail("self.next({'a': self.a, other.x.y: self.b}, condition='c')")
    assert bad.kind == "invalid" and [c.key for c in bad.switch_cases] == ["a", None]
    assert "other.x.y" in bad.invalid_reason


def test_transition_spans_and_line() -> None:
    src = HEAD.format(
        params="", body="        x = 1\n        self.next(\n            self.a,\n        )"
    )
    ff = parse(src)
    t = ff.flows[0].steps["s"].transition
    assert t.line1 == 7  # Metaflow's tail_next_lineno: first line of the statement
    assert [text_at(ff, r.span) for r in t.targets] == ["a"]
    assert text_at(ff, t.span).startswith("self.next(")


def test_non_tail_next_calls() -> None:
    s = step(
        HEAD.format(
            params="",
            body="        if x:\n            self.next(self.a)\n        else:\n            self.next(self.b)",
        ),
        "s",
    )
    assert s.transition is None
    assert [c.args[0].source for c in s.non_tail_next_calls] == ["self.a", "self.b"]
