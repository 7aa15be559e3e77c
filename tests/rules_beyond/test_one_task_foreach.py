"""MF205 in a foreach join: a foreach over a one-item literal runs one task, so
``merge_artifacts`` has nothing to conflict with; and the advice fits the join (a foreach's
inputs are not named by branch). Metaflow's verdict comes from a real local run."""

from __future__ import annotations

from pathlib import Path

from .test_precision_dataflow import codes, line_of, metaflow

ONE_ITEM = """
from metaflow import FlowSpec, step


class OneItemFlow(FlowSpec):
    @step
    def start(self):
        self.items = [3]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.value = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.value)


if __name__ == "__main__":
    OneItemFlow()
"""

TWO_ITEMS = ONE_ITEM.replace("self.items = [3]", "self.items = [3, 4]")


def test_one_item_foreach_is_not_a_conflict(catalog) -> None:  # type: ignore[no-untyped-def]
    assert [c for c, _, _ in codes(ONE_ITEM, catalog) if c == "MF205"] == []
    found = [(line, m) for c, line, m in codes(TWO_ITEMS, catalog) if c == "MF205"]
    assert [line for line, _ in found] == [line_of(TWO_ITEMS, "merge_artifacts")]
    assert "*value* is assigned inside the foreach" in found[0][1]


def test_one_item_foreach_runs_and_two_items_fail(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = metaflow(tmp_path / "one", ONE_ITEM, "run")
    assert one.returncode == 0, one.stdout[-2000:] + one.stderr[-2000:]
    two = metaflow(tmp_path / "two", TWO_ITEMS, "run")
    assert two.returncode != 0
    assert "conflicting values" in two.stdout and "[value]" in two.stdout


def test_only_a_plain_unconditional_literal_counts(catalog) -> None:  # type: ignore[no-untyped-def]
    """The list may grow, or the write may not happen: then the items are unknown."""
    variants = [
        ONE_ITEM.replace("self.items = [3]", "self.items = [3]\n        self.items.append(4)"),
        ONE_ITEM.replace("self.items = [3]", "if self.input_ok():\n            self.items = [3]"),
        ONE_ITEM.replace("self.items = [3]", "self.items = list(range(1))"),
        ONE_ITEM.replace(
            "    @step\n    def end",
            "    def more(self):\n        self.items.append(1)\n\n    @step\n    def end",
        ),
    ]
    for src in variants:
        assert [c for c, _, _ in codes(src, catalog) if c == "MF205"] == ["MF205"], src


def test_foreach_join_read_advice_iterates_over_inputs(catalog) -> None:  # type: ignore[no-untyped-def]
    src = TWO_ITEMS.replace("self.merge_artifacts(inputs)", "print(self.value)")
    (msg,) = [m for c, _, m in codes(src, catalog) if c == "MF205"]
    assert "inputs.<branch>" not in msg
    assert "read *inp.value* for each *inp* in *inputs*" in msg
    branch = """
from metaflow import FlowSpec, step


class BranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.value = 1
        self.next(self.join)

    @step
    def b(self):
        self.value = 2
        self.next(self.join)

    @step
    def join(self, inputs):
        print(self.value)
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    (msg,) = [m for c, _, m in codes(branch, catalog) if c == "MF205"]
    assert "use *inputs.<branch>.value*" in msg
