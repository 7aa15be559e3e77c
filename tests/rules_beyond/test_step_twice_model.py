"""A second ``@step`` resets the step (MF220's case): the model keeps what Metaflow keeps, so
the other rules judge the step Metaflow runs. Metaflow's verdict is read back by importing
the flow (decorators are applied, and duplicates refused, at import time)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.parsing import parse_flow_file

FLOW = """\
from metaflow import FlowSpec, retry, step


class RetryTwiceFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.next(self.train)

    @retry(times=1)
    @step
    @retry(times=2)
    @step
    def train(self):
        self.next(self.finish)

    @step
    @step(end=True)
    def finish(self):
        pass


if __name__ == "__main__":
    RetryTwiceFlow()
"""


def _load(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "retry_twice_flow.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"_retry_twice_{id(tmp_path)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module.RetryTwiceFlow


def test_metaflow_keeps_only_what_is_above_the_topmost_step(tmp_path: Path) -> None:
    flow = _load(tmp_path, FLOW)  # no DuplicateStepDecoratorException: one @retry survives
    assert [(d.name, d.attributes["times"]) for d in flow.train.decorators] == [("retry", 1)]
    # the topmost @step sets the flags afresh: @step(end=True) below a plain @step is lost
    assert flow.finish.is_end_step is False and flow.begin.is_start_step is True


def test_model_follows_what_metaflow_keeps() -> None:
    (flow,) = parse_flow_file(FLOW).flows
    train = flow.steps["train"]
    assert [(d.name, d.span.line1) for d in train.other_decorators] == [("retry", 9)]
    assert flow.steps["finish"].is_end_annotated is False
    assert flow.steps["begin"].is_start_annotated is True


def test_duplicate_decorator_not_reported_when_metaflow_drops_one(catalog: Any) -> None:
    findings = analyze_text(FLOW, "flow.py", settings=LintSettings(), catalog=catalog).findings
    assert [f.code for f in findings if f.code == "MF207"] == []
    assert sorted({f.code for f in findings if f.code == "MF220"}) == ["MF220"]


def test_duplicate_above_the_topmost_step_is_still_reported(tmp_path: Path, catalog: Any) -> None:
    src = FLOW.replace("    @retry(times=1)\n", "    @retry(times=1)\n    @retry(times=3)\n")
    with pytest.raises(Exception, match="already has a decorator 'retry'"):
        _load(tmp_path, src)
    findings = analyze_text(src, "flow.py", settings=LintSettings(), catalog=catalog).findings
    assert [(f.code, f.span.line1) for f in findings if f.code == "MF207"] == [("MF207", 10)]


def test_dropped_parallel_is_judged_like_metaflows_check(tmp_path: Path, catalog: Any) -> None:
    """``@step @parallel @step``: the upper ``@step`` drops ``@parallel``, so the gang's
    ``num_parallel`` call has no parallel step, as Metaflow's own check says (same line)."""
    from .test_precision_dataflow import metaflow
    from .test_step_definitions import FLOW as TWICE

    r = metaflow(tmp_path, TWICE, "--no-pylint", "check")
    assert r.returncode != 0
    assert "on line 6:" in r.stdout + r.stderr
    assert "does not have a @parallel decorator" in r.stdout + r.stderr
    findings = analyze_text(TWICE, "flow.py", settings=LintSettings(), catalog=catalog).findings
    assert [(f.code, f.line1) for f in findings if f.code.startswith("MF1")] == [("MF116", 6)]


def test_a_dropped_decorator_is_still_built(tmp_path: Path, catalog: Any) -> None:
    """Metaflow builds a decorator before the upper ``@step`` forgets it: a bad argument on
    it still fails the import, so its argument check stays."""
    src = FLOW.replace("@retry(times=2)", "@retry(tries=2)")
    with pytest.raises(Exception, match="does not support the attribute 'tries'"):
        _load(tmp_path, src)
    findings = analyze_text(src, "flow.py", settings=LintSettings(), catalog=catalog).findings
    assert [(f.code, f.line1) for f in findings if f.code == "MF301"] == [("MF301", 11)]
