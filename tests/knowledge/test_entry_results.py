"""Kinds in results: ``search --json`` and the agent's search tool say what each hit is, and an
entry's facts (default, help, where it is read) come with it."""

from __future__ import annotations

import json
import subprocess
import sys

from metaflow_expert.agent.tools import Toolbox


def run(*args: str, cache) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metaflow_expert", *args, "--cache-dir", str(cache)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_search_json_names_entry_kinds(cache_dir, index):
    out = run("search", "which env var sets the default datastore", "--json", cache=cache_dir)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert hits[0]["kind"] == "config" and hits[0]["symbol"] == "DEFAULT_DATASTORE"
    assert "METAFLOW_DEFAULT_DATASTORE" in hits[0]["snippet"]


def test_agent_search_tool_titles_name_the_kind(index):
    out = Toolbox(index).tool_search("--max-workers default")
    titles = [b["title"] for b in out.content]
    assert any(t.startswith("cli option: --max-workers") for t in titles), titles
    block = next(b for b in out.content if b["title"].startswith("cli option"))
    text = block["content"][0]["text"]
    assert "default" in text.splitlines()[0]  # the facts lead, the numbered source follows
    assert all(":" in t for t in titles)


def test_agent_search_tool_finds_a_pasted_message(index):
    (entry,) = [
        e
        for e in index.entries.all
        if e.kind == "error message" and "joins steps from unrelated splits" in e.text
    ]
    out = Toolbox(index).tool_search("Step *c* joins steps from unrelated splits. Ensure that")
    assert out.content[0]["title"].startswith("error message: ")
    assert out.sources[0].startswith(f"{entry.path}:{entry.line}")
