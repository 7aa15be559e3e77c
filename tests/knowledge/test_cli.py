"""The knowledge CLIs as a user runs them (a real subprocess of the installed entry point)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metaflow_expert", *args, "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_index_reports_and_caches(cache_dir, index, source):
    out = run("index", "--json", cache=cache_dir)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["version"] == source.version
    assert report["files"] > 100 and report["symbols"] > 1000
    assert report["step_decorators"] >= 10 and report["from_cache"] is True
    text = run("index", cache=cache_dir)
    assert f"Metaflow {source.version}" in text.stdout and "loaded from cache" in text.stdout


def test_search_text_and_json(cache_dir, index):
    out = run("search", "retyr", "decorater", "-n", "3", cache=cache_dir)
    assert out.returncode == 0 and "retry_decorator.py:" in out.stdout
    hits = json.loads(run("search", "merge_artifacts", "--json", "-n", "2", cache=cache_dir).stdout)
    assert hits[0]["path"] == "metaflow/flowspec.py" and set(hits[0]) >= {
        "line",
        "end_line",
        "symbol",
        "score",
        "kind",
        "snippet",
    }


def test_docs_show(cache_dir, index):
    out = run("docs", "--show", "summary", cache=cache_dir)
    assert out.returncode == 0 and out.stdout.startswith("# Metaflow")
    bad = run("docs", "--show", "nope", cache=cache_dir)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_missing_explicit_source_is_an_error_not_a_fallback(cache_dir, index, tmp_path):
    missing = tmp_path / "nowhere"
    out = run("index", "--metaflow-source", str(missing), cache=cache_dir)
    assert out.returncode == 2 and out.stdout == ""  # not the bundled Metaflow's report
    assert out.stderr.strip().splitlines()[-1] == (
        f"metaflow-expert: --metaflow-source {missing}: no metaflow/ package with flowspec.py there"
    )
    assert "Traceback" not in out.stderr
