"""MF201 (did-you-mean on unknown targets), MF209 (switch condition), MF213 (non-tail next)."""

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


def test_mf201_suggests_closest_step_with_fix(check):
    (f,) = check("MF201", TYPO)
    assert "did you mean *train*" in f.message
    assert f.severity.value == "info"
    assert f.fix is not None and f.fix.edits[0].new_text == "train"
    line = TYPO.splitlines()[f.span.start_line]
    assert line[f.span.start_col : f.span.end_col] == "trian"


def test_mf201_silent_for_known_targets_and_unlike_names(check):
    assert check("MF201", TYPO.replace("self.trian", "self.train")) == []
    assert check("MF201", TYPO.replace("self.trian", "self.zzzzzzzzzz")) == []


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
