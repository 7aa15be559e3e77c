"""The evaluation set (eval_questions.json) is checked as data only: its answers must point at
real lines of the installed Metaflow, so a ranking change is measured against facts, not
against stale guesses. The ranking targets themselves are reported by scripts/eval_ask.py and
deliberately not asserted here (they would turn the held-out split into a tuning set).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from metaflow_expert.knowledge.source import MetaflowSource

DATA = json.loads((Path(__file__).parent / "eval_questions.json").read_text())
QUESTIONS = DATA["questions"]
KINDS = {"error", "cli", "config", "howto", "decorator", "api", "internals", "missing"}
FIELDS = {"question", "kind", "files", "fact", "line", "split", "source"}
NEAR = 3


def test_every_question_has_the_fields():
    for q in QUESTIONS:
        assert q.keys() >= FIELDS, q
        assert q["kind"] in KINDS, q
        assert q["split"] in {"dev", "heldout"}, q
        assert q["source"].startswith("https://"), q
        assert q["question"].strip(), q
        if q["kind"] == "missing":
            assert q.get("missing") is True and q["files"] == [], q
        else:
            assert not q.get("missing") and q["files"] and q["fact"], q
            assert isinstance(q["line"], int) and q["line"] >= 1, q


def test_size_and_coverage():
    kinds = Counter(q["kind"] for q in QUESTIONS)
    assert len(QUESTIONS) >= 170
    assert kinds["missing"] >= 20
    assert all(kinds[k] >= 10 for k in KINDS), kinds
    heldout = [q for q in QUESTIONS if q["split"] == "heldout"]
    assert len(heldout) >= 60
    assert {q["kind"] for q in heldout} == KINDS
    assert len({q["question"] for q in QUESTIONS}) == len(QUESTIONS), "duplicate question"


def test_answer_files_exist(source: MetaflowSource):
    for q in QUESTIONS:
        for f in q["files"]:
            assert (source.root / f).is_file(), f


@pytest.mark.parametrize(
    "q", [q for q in QUESTIONS if not q.get("missing")], ids=lambda q: q["question"][:40]
)
def test_fact_is_near_its_line(q, source: MetaflowSource):
    lines = (source.root / q["files"][0]).read_text(encoding="utf-8").splitlines()
    at = q["line"] - 1
    window = lines[max(0, at - NEAR) : at + NEAR + 1]
    assert any(q["fact"] in text for text in window), (q["files"][0], q["line"], q["fact"])
