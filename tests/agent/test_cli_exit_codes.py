"""``metaflow-expert ask`` fails loudly and safely (issue 13): exit 2 for usage and I/O
problems, no fallback for a Metaflow the user named, no read of a FIFO given as ``--file``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _ask(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["XDG_CACHE_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "metaflow_expert", "ask", "q", "--offline", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,  # a FIFO read would block forever
    )


def test_named_source_that_is_missing_exits_two_without_fallback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    r = _ask("--metaflow-source", str(missing), home=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert f"--metaflow-source {missing}: no metaflow/ package" in r.stderr
    assert "Traceback" not in r.stderr


def test_fifo_as_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "flow.py"
    os.mkfifo(fifo)
    r = _ask("--file", str(fifo), home=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert f"cannot read {fifo}: not a regular file" in r.stderr
