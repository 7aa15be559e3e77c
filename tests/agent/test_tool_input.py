"""Tool input is checked against the tool's schema, and errors never echo a whole argument."""

from __future__ import annotations

import pytest

from metaflow_expert.agent.tool_input import MAX_ECHO_CHARS, echo, problems
from metaflow_expert.agent.tools import TOOL_SPECS, Toolbox

SCHEMA = {t["name"]: t["input_schema"] for t in TOOL_SPECS}


@pytest.fixture(scope="module")
def tb(index) -> Toolbox:
    return Toolbox(index)


def test_a_string_false_is_not_a_boolean(tb: Toolbox) -> None:
    out = tb.run("grep", {"pattern": "def step", "ignore_case": "false"})
    text = out.content[0]["text"]
    assert out.is_error and "ignore_case must be a boolean" in text and "'false'" in text


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        ("grep", {}, "pattern is required"),
        ("grep", {"pattern": 3}, "pattern must be a string, got a number 3"),
        (
            "read_source",
            {"path": "metaflow/flowspec.py", "start": True},
            "start must be an integer",
        ),
        ("read_source", {"path": "metaflow/flowspec.py", "start": "5"}, "got a string '5'"),
        ("search", {"query": "retry", "limit": 3}, "unknown argument 'limit'"),
        ("glob", ["metaflow/*.py"], "the input must be an object"),
    ],
)
def test_schema_violations(tool: str, args, expected: str) -> None:
    assert any(expected in p for p in problems(SCHEMA[tool], args)), problems(SCHEMA[tool], args)


def test_enum_and_valid_input() -> None:
    schema = {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"]}}}
    assert problems(schema, {"mode": "a"}) == []
    assert problems(schema, {"mode": "c"}) == ["mode must be one of 'a', 'b', got 'c'"]
    assert problems(SCHEMA["read_source"], {"path": "x.py", "start": 3.0}) == []


def test_errors_echo_arguments_capped(tb: Toolbox) -> None:
    huge = "metaflow/" + "a" * 100_000 + ".py"
    for tool, args in [
        ("read_source", {"path": huge}),
        ("glob", {"pattern": huge}),
        ("grep", {"pattern": "x", "path_glob": huge}),
        ("grep", {"pattern": "x", "ignore_case": huge}),
        ("search", {"query": "x", huge: 1}),
        (huge, {}),
    ]:
        out = tb.run(tool, args)
        text = out.content[0]["text"]
        assert out.is_error and len(text) < 1_200, (tool[:20], len(text))
        assert len(out.summary) <= 80
    assert len(echo(huge)) < MAX_ECHO_CHARS + 40


def test_valid_calls_still_run(tb: Toolbox) -> None:
    out = tb.run("grep", {"pattern": "class FlowSpec", "ignore_case": False})
    assert not out.is_error and "metaflow/flowspec.py" in out.content[0]["text"]
