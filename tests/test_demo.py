"""The newcomer command (`metaflow-expert demo`, in the README) works end to end, offline."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_lints_draws_and_answers_offline() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    out = subprocess.run(
        [sys.executable, "-m", "metaflow_expert", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    ).stdout
    assert "MF110" in out and "did you mean *process*" in out  # the broken example's typo
    assert "flowchart TD" in out and "n_start" in out  # the valid example's graph
    assert "Offline answer for Metaflow" in out
    assert "| `times` |" in out  # @retry's arguments, from the catalog
