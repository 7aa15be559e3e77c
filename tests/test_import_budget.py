"""The lint path must not import the language server stack or the Anthropic SDK.

``import lsprotocol.types`` costs about a second and ``import anthropic`` about five here; a
pre-commit hook that lints one file must pay for neither. ``-X importtime`` lists every module
the real command imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FLOW = """
from metaflow import FlowSpec, step

class TinyFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""

FORBIDDEN = ("pygls", "lsprotocol", "anthropic", "metaflow")


def _imported(args: list[str], tmp_path: Path) -> set[str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "metaflow_expert", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert "Traceback" not in r.stderr, r.stderr
    names = set()
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert names, r.stderr
    return names


def _top_levels(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_lint_imports_no_lsp_no_anthropic_no_metaflow(tmp_path: Path):
    flow = tmp_path / "tiny.py"
    flow.write_text(FLOW)
    tops = _top_levels(_imported(["lint", str(flow)], tmp_path))
    assert "metaflow_expert" in tops
    assert not tops & set(FORBIDDEN), sorted(tops & set(FORBIDDEN))


def test_graph_and_rule_commands_stay_light(tmp_path: Path):
    flow = tmp_path / "tiny.py"
    flow.write_text(FLOW)
    for args in (["graph", str(flow)], ["rule", "MF201"]):
        tops = _top_levels(_imported(args, tmp_path))
        assert not tops & set(FORBIDDEN), (args, sorted(tops & set(FORBIDDEN)))
