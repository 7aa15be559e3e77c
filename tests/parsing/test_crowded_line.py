"""A line crowded with ``self`` tokens goes to the reference walk in one piece.

Why: each tree lookup of the token scan descends from the step, and ``self.a + self.a + …``
nests one level per term, so a 20,000-term line cost 20,000 descents of up to 20,000 levels
(7 s; 13 s in the issue that found it, with the server frozen on it). The walk reads the line
in one pass. The result must be what the walk gives anyway (it is the reference)."""

from __future__ import annotations

import time

import pytest

from metaflow_expert.parsing import artifacts, parse_flow_file
from metaflow_expert.parsing.self_tokens import CROWDED_LINE


def _flow(n: int) -> str:
    expr = " + ".join(["self.a"] * n)
    return (
        "from metaflow import FlowSpec, step\n\n"
        "class F(FlowSpec):\n"
        "    @step\n"
        "    def start(self):\n"
        "        self.a = 1\n"
        f"        self.b = {expr}\n"
        "        self.next(self.end)\n\n"
        "    @step\n"
        "    def end(self):\n"
        "        pass\n"
    )


@pytest.mark.parametrize("n", [CROWDED_LINE - 1, CROWDED_LINE + 1, 500])
def test_crowded_line_reads_like_the_walk(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _flow(n)
    scanned = repr(parse_flow_file(text, "f.py"))
    monkeypatch.setattr(artifacts, "USE_TOKENS", False)
    assert scanned == repr(parse_flow_file(text, "f.py"))


def test_crowded_line_costs_linear_time() -> None:
    """Ten times the terms costs about ten times as much, not a hundred (a ratio, not a
    wall-clock budget: the machine's speed cancels out)."""

    def cost(n: int) -> float:
        text = _flow(n)
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            parse_flow_file(text, "f.py")
            best = min(best, time.process_time() - t)
        return best

    small, large = cost(2_000), cost(20_000)
    assert large < 30 * small, (small, large)
