"""Issue 11, item 7: a backslash at the end of a line inside brackets is not an argument.

Python's tokenizer drops a backslash continuation; tree-sitter keeps it as a named
``line_continuation`` node marked *extra*, like a comment, wherever it appears. Every reader of
arguments or children must skip extras, or ``@card(type="blank", \\⏎ id="x")`` has a third,
positional argument (MF312) and ``self.next(self.a, \\⏎ self.b)`` is no transition (MF109).
The flow below checks and runs with Metaflow; Metaflow's verdict is asserted next to ours.
"""

from __future__ import annotations

from pathlib import Path

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from oracle.harness import run_metaflow

FLOW = """\
from metaflow import FlowSpec, Parameter, card, step


class ContinuedFlow(FlowSpec):
    alpha = Parameter("alpha", \\
        default=1)

    @card(type="blank", \\
          id="x")
    @step
    def start(self):
        self.x = \\
            1
        self.next(self.a, \\
                  self.b)

    @step
    def a(self):
        self.y = self.x
        self.next(self.join)

    @step
    def b(self):
        self.y = 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.merge_artifacts(inputs, \\
            exclude=["y"])
        self.next(self.end)

    @step
    def end(self):
        print(self.x, \\
              self.alpha)


if __name__ == "__main__":
    ContinuedFlow()
"""


def test_metaflow_accepts_the_flow(tmp_path: Path) -> None:
    path = tmp_path / "continued_flow.py"
    path.write_text(FLOW, encoding="utf-8")
    verdict = run_metaflow(str(path))
    assert verdict.import_error is None
    assert verdict.flows == {"ContinuedFlow": []}


def test_no_finding_on_continued_argument_lists() -> None:
    analysis = analyze_text(FLOW, "continued_flow.py", settings=LintSettings())
    assert [(f.code, f.span.start_line + 1) for f in analysis.findings] == []


def test_the_model_reads_through_continuations() -> None:
    analysis = analyze_text(FLOW, "continued_flow.py", settings=LintSettings())
    flow = analysis.file.flows[0]
    start = flow.steps["start"]
    card = next(d for d in start.decorators if d.name == "card")
    assert [(a.name, a.value) for a in card.args] == [("type", "blank"), ("id", "x")]
    assert start.transition is not None
    assert [t.name for t in start.transition.targets] == ["a", "b"]
    assert [(a.name, a.value) for a in flow.parameters[0].args] == [
        (None, "alpha"),
        ("default", 1),
    ]
    (merge,) = flow.steps["join"].merge_artifacts_calls
    assert [a.name for a in merge.args] == [None, "exclude"]
    assert {a.name for a in flow.steps["end"].artifacts} == {"x", "alpha"}
    assert [a.name for a in start.artifacts] == ["x"]


def test_fast_paths_read_continuations_like_the_reference(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The token scan and the one-line tail regex see the raw bytes, backslashes included:
    they must agree with the tree walk on a continued flow."""
    from metaflow_expert.parsing import artifacts, parse_flow_file

    fast = parse_flow_file(FLOW)
    monkeypatch.setattr(artifacts, "USE_TOKENS", False)
    slow = parse_flow_file(FLOW)
    for name, step in fast.flows[0].steps.items():
        ref = slow.flows[0].steps[name]
        assert step.artifacts == ref.artifacts, name
        assert step.transition == ref.transition, name
        assert step.merge_artifacts_calls == ref.merge_artifacts_calls, name
