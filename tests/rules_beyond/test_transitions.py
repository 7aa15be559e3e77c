"""MF110's did-you-mean on unknown targets (MF201 merged into it), MF209 (switch condition), MF213 (non-tail next)."""

from __future__ import annotations

TYPO = """
from metaflow import FlowSpec, step

class TypoFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.trian)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_mf110_suggests_closest_step_with_fix(check):
    (f,) = check("MF110", TYPO)
    assert f.message == (
        "Step *start* specifies a self.next() transition to an unknown step, *trian*: "
        "did you mean *train*?"
    )
    assert f.severity.value == "error"
    assert f.fix is not None and f.fix.edits[0].new_text == "train"
    line = TYPO.splitlines()[f.span.start_line]
    assert line[f.span.start_col : f.span.end_col] == "trian"


def test_mf110_no_hint_for_unlike_names(check):
    assert check("MF110", TYPO.replace("self.trian", "self.train")) == []
    (f,) = check("MF110", TYPO.replace("self.trian", "self.zzzzzzzzzz"))
    assert "did you mean" not in f.message and f.fix is None


def test_one_typo_one_diagnostic(check):
    """MF201 used to repeat MF110 on the same span; MF110 now carries the hint and the fix,
    and MF201 (still registered, for existing configurations) reports nothing."""
    from metaflow_expert.lint.engine import analyze_text

    findings = analyze_text(TYPO, "flow.py").findings
    assert [f.code for f in findings] == ["MF110"]
    assert check("MF201", TYPO) == []


def test_mf110_fix_edits_a_target_on_a_later_line(check):
    """Metaflow reports the tail line; the fix still edits the name where it is written."""
    src = TYPO.replace("self.next(self.trian)", "self.next(\n            self.trian\n        )")
    (f,) = check("MF110", src)
    assert f.fix is not None
    (edit,) = f.fix.edits
    line = src.splitlines()[edit.span.start_line]
    assert line[edit.span.start_col : edit.span.end_col] == "trian"


SWITCH = """
from metaflow import FlowSpec, step

class SwitchFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "fast"
        self.next({"fast": self.a, "slow": self.b}, condition="mode")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_mf209_condition_never_assigned(check):
    (f,) = check("MF209", SWITCH.replace('condition="mode"', 'condition="speed"'))
    assert "*self.speed*" in f.message and f.mirrors == "runtime:switch_condition"


def test_mf209_condition_assigned_or_parameter(check):
    assert check("MF209", SWITCH) == []
    with_param = (
        SWITCH.replace(
            "class SwitchFlow(FlowSpec):\n",
            "class SwitchFlow(FlowSpec):\n    speed = Parameter('speed', default='fast')\n",
        )
        .replace('condition="mode"', 'condition="speed"')
        .replace("import FlowSpec, step", "import FlowSpec, Parameter, step")
    )
    assert check("MF209", with_param) == []


NON_TAIL = """
from metaflow import FlowSpec, step

class BranchyFlow(FlowSpec):
    @step
    def start(self):
        if True:
            self.next(self.end)
        print("done")

    @step
    def end(self):
        pass
"""


def test_mf213_next_not_last_statement(check):
    (f,) = check("MF213", NON_TAIL)
    assert "not the last statement" in f.message


def test_mf213_tail_next_is_fine(check):
    assert check("MF213", TYPO.replace("self.trian", "self.train")) == []
