"""MF220 (a second ``@step``) and MF221 (a step defined twice), with Metaflow's own verdict:
the flow is imported and what Metaflow kept on the step is read back, the way ``FlowGraph``
reads it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text

FLOW = """\
from metaflow import FlowSpec, parallel, retry, step


class TwiceFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @step
    @parallel
    @retry(times=2)
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.deploy)

    @retry
    @step
    def deploy(self):
        self.next(self.end)

    @step
    def deploy(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TwiceFlow()
"""


def _load(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "twice_flow.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"_twice_{id(tmp_path)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module.TwiceFlow


def findings(text: str, catalog) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    analysis = analyze_text(text, "flow.py", settings=LintSettings(), catalog=catalog)
    return [(f.code, f.span.line1, f.message) for f in analysis.findings]


def test_metaflow_drops_what_we_say_it_drops(tmp_path: Path) -> None:
    flow = _load(tmp_path, FLOW)
    assert [d.name for d in flow.train.decorators] == []  # @parallel and @retry are gone
    assert [d.name for d in flow.deploy.decorators] == []  # the @retry'd deploy is gone
    assert flow.deploy.__code__.co_firstlineno == 25


def test_second_step_decorator_names_what_it_drops(catalog) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in findings(FLOW, catalog) if f[0] == "MF220"]
    assert found == [
        (
            "MF220",
            9,
            "@step is applied twice to step *train*: this one resets the step's decorators, "
            "so @parallel, @retry below it are silently dropped. Remove this @step.",
        )
    ]


def test_step_defined_twice_is_reported_on_the_lost_one(catalog) -> None:  # type: ignore[no-untyped-def]
    found = [f for f in findings(FLOW, catalog) if f[0] == "MF221"]
    assert found == [
        (
            "MF221",
            22,
            "Step *deploy* is defined twice: Python keeps the last definition (line 26), so "
            "this one, with @retry, disappears. Rename or remove one of them.",
        )
    ]


def test_each_extra_step_names_its_own_losses(catalog) -> None:  # type: ignore[no-untyped-def]
    src = FLOW.replace(
        "    @step\n    @parallel\n",
        "    @retry\n    @step\n    @parallel\n    @step\n    @parallel\n",
        1,
    )
    found = [
        (c, line, m.split(": ", 1)[1]) for c, line, m in findings(src, catalog) if c == "MF220"
    ]
    assert found == [
        (
            "MF220",
            10,
            "this one resets the step's decorators, so @parallel below it is silently dropped. Remove this @step.",
        ),
        (
            "MF220",
            12,
            "this one resets the step's decorators, so @parallel, @retry below it are silently dropped. Remove this @step.",
        ),
    ]


def test_nothing_lost_is_a_warning(catalog) -> None:  # type: ignore[no-untyped-def]
    src = FLOW.replace(
        "    @step\n    @parallel\n    @retry(times=2)\n", "    @parallel\n    @step\n"
    )
    analysis = analyze_text(src, "flow.py", settings=LintSettings(), catalog=catalog)
    (f,) = [f for f in analysis.findings if f.code == "MF220"]
    assert f.severity.value == "warning" and "has no effect" in f.message


def test_clean_steps_are_silent(catalog) -> None:  # type: ignore[no-untyped-def]
    src = FLOW.replace(
        "    @step\n    @parallel\n    @retry(times=2)\n    @step\n",
        "    @parallel\n    @retry(times=2)\n    @step\n",
    )
    src = src.replace(
        "    @retry\n    @step\n    def deploy(self):\n        self.next(self.end)\n\n", ""
    )
    assert [f for f in findings(src, catalog) if f[0] in ("MF220", "MF221")] == []
