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
