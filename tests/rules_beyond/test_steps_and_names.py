"""MF204, MF206, MF207, MF208, MF210, MF211, MF212, MF214, MF215."""

from __future__ import annotations

BASE = """
from metaflow import FlowSpec, Parameter, retry, card, step

class PlainFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.value = self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.values = [i.value for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_mf204_input_outside_foreach(check):
    src = BASE.replace("self.values = [i.value for i in inputs]", "self.values = [self.index]")
    (f,) = check("MF204", src)
    assert "*self.index*" in f.message and "*join*" in f.message


def test_mf204_inside_foreach_is_fine(check):
    assert check("MF204", BASE) == []


def test_mf206_decorator_below_step_with_fix(check):
    src = BASE.replace("    @step\n    def work", "    @step\n    @retry(times=2)\n    def work")
    (f,) = check("MF206", src)
    assert "@retry" in f.message and f.fix is not None
    assert (
        check(
            "MF206",
            BASE.replace("    @step\n    def work", "    @retry(times=2)\n    @step\n    def work"),
        )
        == []
    )


def test_mf207_duplicate_decorator_but_card_may_repeat(check):
    dup = BASE.replace(
        "    @step\n    def work", "    @retry\n    @retry(times=2)\n    @step\n    def work"
    )
    (f,) = check("MF207", dup)
    assert "*@retry*" in f.message
    cards = BASE.replace(
        "    @step\n    def work", "    @card\n    @card(type='blank')\n    @step\n    def work"
    )
    assert check("MF207", cards) == []
    assert check("MF207", dup, use_catalog=False) == []


def test_mf208_reserved_parameter_and_flowspec_names(check):
    src = BASE.replace(
        "class PlainFlow(FlowSpec):\n",
        "class PlainFlow(FlowSpec):\n    tags = Parameter('tags', default='x')\n    name = Parameter('who', default='y')\n",
    )
    found = check("MF208", src)
    assert len(found) == 2
    assert "reserved word" in found[0].message and found[0].cites.startswith(
        "metaflow/parameters.py:"
    )
    assert "hides FlowSpec" in found[1].message


def test_mf208_ordinary_names(check):
    src = BASE.replace(
        "class PlainFlow(FlowSpec):\n",
        "class PlainFlow(FlowSpec):\n    alpha = Parameter('alpha')\n",
    )
    assert check("MF208", src) == []


def test_mf212_duplicate_parameter_case_insensitive(check):
    src = BASE.replace(
        "class PlainFlow(FlowSpec):\n",
        "class PlainFlow(FlowSpec):\n    a = Parameter('alpha')\n    b = Parameter('Alpha')\n",
    )
    (f,) = check("MF212", src)
    assert "specified twice" in f.message
    assert check("MF212", src.replace("'Alpha'", "'beta'")) == []


def test_mf210_merge_outside_join(check):
    src = BASE.replace("self.value = self.input", "self.merge_artifacts(inputs)")
    (f,) = check("MF210", src)
    assert "*work* is not a join" in f.message
    ok = BASE.replace(
        "self.values = [i.value for i in inputs]", "self.merge_artifacts(inputs, include=['items'])"
    )
    assert check("MF210", ok) == []


def test_mf214_include_and_exclude(check):
    src = BASE.replace(
        "self.values = [i.value for i in inputs]",
        "self.merge_artifacts(inputs, include=['items'], exclude=['value'])",
    )
    assert len(check("MF214", src)) == 1
    assert check("MF214", src.replace(", exclude=['value']", "")) == []


def test_mf215_include_names_missing_artifact(check):
    src = BASE.replace(
        "self.values = [i.value for i in inputs]", "self.merge_artifacts(inputs, include=['itemz'])"
    )
    (f,) = check("MF215", src)
    assert "*itemz*" in f.message
    assert check("MF215", src.replace("itemz", "items")) == []


def test_mf211_assigning_flowspec_attributes(check):
    src = BASE.replace("self.value = self.input", "self.input = 3\n        self.value = 1")
    found = check("MF211", src)
    assert len(found) == 1 and "*self.input*" in found[0].message
    assert check("MF211", BASE) == []
