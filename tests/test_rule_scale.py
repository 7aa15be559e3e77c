"""Rules that suggest a name do work linear in the flow, and say what the reference says.

MF110's "did you mean" once rebuilt the list of steps for every misspelt target (about 1 s
with 4,000 typos, in Python); it now prepares the list once per flow and looks each distinct
name up once. Asserted on the work done (calls, and the one list every call gets), not on
wall time.
"""

from __future__ import annotations

import re

import pytest

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.rules.suggest import Suggester, closest


def _typo_chain(n: int) -> str:
    """One flow of ``n`` steps, every transition but the last misspelt (``s4`` → ``s4x``);
    two steps share each typo, so distinct typos are fewer than findings."""
    out = ["from metaflow import FlowSpec, step\n\n\nclass TypoFlow(FlowSpec):\n"]
    for i in range(n):
        name = "start" if i == 0 else f"s{i}"
        nxt = "end" if i == n - 1 else f"s{i + 1 - (i % 2)}x"
        out.append(f"    @step\n    def {name}(self):\n        self.next(self.{nxt})\n\n")
    out.append("    @step\n    def end(self):\n        pass\n")
    return "".join(out)


def test_mf110_prepares_its_choices_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapidfuzz import process

    real = process.extractOne
    lists: list[int] = []

    def counting(query, choices, **kw):  # type: ignore[no-untyped-def]
        lists.append(id(choices))
        return real(query, choices, **kw)

    monkeypatch.setattr(process, "extractOne", counting)
    n = 2000
    text = _typo_chain(n)
    analysis = analyze_text(text, "flow.py", settings=LintSettings(select=("MF110",)))
    typos = set(re.findall(r"self\.next\(self\.(s\d+x)\)", text))
    assert len(analysis.findings) == n - 1
    assert len(lists) == len(typos) < n - 1  # one lookup per distinct typo
    assert len(set(lists)) == 1  # every lookup scans the one list prepared for the flow


def test_mf110_suggestions_equal_the_reference() -> None:
    text = _typo_chain(300)
    analysis = analyze_text(text, "flow.py", settings=LintSettings(select=("MF110",)))
    steps = ["end", "start", *sorted(f"s{i}" for i in range(1, 300))]
    for f in analysis.findings:
        typo = re.search(r"unknown step, \*(\w+)\*", f.message)
        assert typo is not None
        best = closest(typo.group(1), steps, cutoff=60.0)
        assert best is not None and f.message.endswith(f"did you mean *{best}*?")


@pytest.mark.parametrize("name", ["trian", "train", "zzzzzz", "", "evaluate_model"])
def test_suggester_answers_like_closest(name: str) -> None:
    choices = ["start", "train", "trains", "evaluate", "evaluate_models", "end", "train"]
    suggest = Suggester(choices, cutoff=60.0)
    assert suggest.closest(name) == closest(name, choices, cutoff=60.0)
    assert suggest.closest(name) == closest(name, choices, cutoff=60.0)
    assert suggest.lookups == 1
