"""The docstring parser and the validation reader on small hand-made inputs."""

from __future__ import annotations

import ast
import inspect

from metaflow_expert.knowledge.numpydoc import doc_body, parse_current_attrs, parse_param_docs
from metaflow_expert.knowledge.validation import checks, conflicts, conversions, trailing_comment

DOC = inspect.cleandoc(
    """
    Does things.

    Parameters
    ----------
    times : int, default 3
        How many times.
        Really.
    flag: bool
        A flag.

    MF Add To Current
    -----------------
    thing -> my.Thing
        The thing.

        @@ Returns
        -------
        Thing
            The thing.
    """
)

CLS = """
class D(StepDecorator):
    def step_init(self, flow, graph, step, decos, *a):
        if graph[step].type == "foreach":
            raise X("no")
        if any([d.name == "batch" for d in decos]):
            raise X("no")
        if sum(map(bool, (self.attributes["a"], self.attributes["b"]))) > 1:
            raise X("one")
        on_ok = self.attributes["ok"]
        if not on_ok and not self.attributes["err"]:
            raise X("need")
        for attr in ["cpu", "memory"]:
            float(self.attributes[attr])
        int(self.attributes["times"])
        if not float(self.attributes["gpu"]).is_integer():
            raise X("gpu")
        if not self.secs:
            raise X("duration")
"""


def test_numpydoc_sections():
    params = parse_param_docs(DOC)
    assert params["times"] == ("int, default 3", "How many times.\nReally.")
    assert params["flag"] == ("bool", "A flag.")
    (current,) = parse_current_attrs(DOC)
    assert current == ("thing", "my.Thing", "The thing.")
    assert doc_body(DOC) == "Does things."


def test_validation_reader():
    cls = ast.parse(CLS).body[0]
    assert isinstance(cls, ast.ClassDef)
    conv = conversions(cls)
    assert [k for k, _ in conv["cpu"]] == ["float"] and [k for k, _ in conv["times"]] == ["int"]
    assert {k for k, _ in conv["gpu"]} == {"float", "integer"}
    assert conflicts(cls) == [(["batch"], 7)]
    found = checks(cls)
    assert found["forbidden_types"] == [(["foreach"], 5)]
    assert found["exclusive"] == [(["a", "b"], 9)]
    assert found["required_any"] == [(["ok", "err"], 12)]
    assert found["requires_result"] == [(["secs"], 19)]


def test_trailing_comment():
    lines = ['    "rank": None,  # one of "high", "low"', '    "x": "a#b",', '    "y": 1']
    assert trailing_comment(lines, 1) == 'one of "high", "low"'
    assert trailing_comment(lines, 2) == ""
    assert trailing_comment(lines, 9) == ""
