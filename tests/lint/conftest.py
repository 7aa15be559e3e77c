"""Helpers to run the real ``metaflow-expert`` CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

GOOD = textwrap.dedent(
    """
    from metaflow import FlowSpec, step

    class GoodFlow(FlowSpec):
        @step
        def start(self):
            self.x = 1
            self.next(self.end)

        @step
        def end(self):
            print(self.x)

    if __name__ == "__main__":
        GoodFlow()
    """
)

# An unknown transition: one error from the MF1xx lint mirror, with its did-you-mean.
BAD = GOOD.replace("GoodFlow", "BadFlow").replace("self.next(self.end)", "self.next(self.ennd)")

# A warning only: the end step reads an artifact nobody assigns.
WARN = GOOD.replace("GoodFlow", "WarnFlow").replace("print(self.x)", "print(self.y)")


#: the package under test, whatever checkout (or worktree) the tests run from
SERVER = Path(__file__).resolve().parents[2] / "server"


def cli_env() -> dict[str, str]:
    """The environment of a CLI subprocess: this checkout's package, nothing else on the path
    (an installed copy of another checkout must not answer for this one)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SERVER)
    return env


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = cli_env()
    return subprocess.run(
        [sys.executable, "-m", "metaflow_expert", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "warn.py").write_text(WARN)
    (tmp_path / "helper.py").write_text("def helper():\n    return 1\n")
    return tmp_path
