"""MF216: ``current.<attr>`` needs the decorator that provides it (from the catalog)."""

from __future__ import annotations

SRC = """
from metaflow import FlowSpec, card, current, project, step

class CardFlow(FlowSpec):
    @step
    def start(self):
        print(current.card, current.run_id)
        self.next(self.end)

    @step
    def end(self):
        print(current.project_name)


if __name__ == "__main__":
    CardFlow()
"""


def test_mf216_missing_step_and_flow_decorators(check):
    found = check("MF216", SRC)
    assert [f.message.split("*")[1] for f in found] == ["current.card", "current.project_name"]
    assert "@card" in found[0].message and "@project" in found[1].message
    line = SRC.splitlines()[found[0].span.start_line]
    assert line[found[0].span.start_col : found[0].span.end_col] == "current.card"


def test_mf216_decorators_present(check):
    src = SRC.replace("    @step\n    def start", "    @card\n    @step\n    def start").replace(
        "class CardFlow", '@project(name="demo")\nclass CardFlow'
    )
    assert check("MF216", src) == []


def test_mf216_needs_catalog_and_metaflow_current(check):
    assert check("MF216", SRC, use_catalog=False) == []
    other = SRC.replace("card, current, project", "card, project").replace(
        "from metaflow import", "from mylib import current\nfrom metaflow import"
    )
    assert check("MF216", other) == []


def test_mf216_base_class_may_get_flow_decorators_from_subclasses(check):
    """A module that never runs the class (no ``__main__`` block calling it) holds a base that
    subclasses elsewhere complete with ``@trigger``/``@project``: what only a flow decorator
    provides is unknown there; what a step decorator provides is still judged."""
    base = SRC.split("\n\nif __name__")[0] + "\n"
    found = check("MF216", base)
    assert [f.message.split("*")[1] for f in found] == ["current.card"]
    other_runs = base + "\n\nif __name__ == '__main__':\n    OtherFlow()\n"
    assert [f.message.split("*")[1] for f in check("MF216", other_runs)] == ["current.card"]


def test_mf216_counts_only_the_decorators_metaflow_keeps(check):
    """``@card`` between two ``@step``s is dropped by the upper one (MF220's case)."""
    src = SRC.replace("    @step\n    def start", "    @step\n    @card\n    @step\n    def start")
    assert [f.message.split("*")[1] for f in check("MF216", src)] == [
        "current.card",
        "current.project_name",
    ]
