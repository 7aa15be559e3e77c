"""The agent's tools stay inside the indexed roots and bounded, whatever the model sends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from metaflow_expert.agent.files import PathRefused, SourceFiles, match_glob
from metaflow_expert.agent.tools import (
    MAX_GLOB_RESULTS,
    MAX_GREP_MATCHES,
    MAX_READ_BYTES,
    MAX_READ_LINES,
    TOOL_SPECS,
    Toolbox,
)


@pytest.fixture(scope="module")
def tb(index) -> Toolbox:
    return Toolbox(index)


def _text(out) -> str:
    return "\n".join(
        c.get("text", "") or "".join(x["text"] for x in c.get("content", [])) for c in out.content
    )


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/passwd",
        "metaflow/../../../etc/passwd",
        "/etc/passwd",
        "~/.bashrc",
        "C:/Windows/win.ini",
        "metaflow/\x00flowspec.py",
        "anthropic/__init__.py",  # next to metaflow in site-packages, but not indexed
        "",
    ],
)
def test_read_source_refuses_paths_outside_the_index(tb: Toolbox, path: str) -> None:
    out = tb.run("read_source", {"path": path})
    assert out.is_error
    assert "refused" in _text(out) or "no such file" in _text(out)


def test_symlink_out_of_the_root_is_refused(tmp_path: Path, index) -> None:
    pkg = tmp_path / "metaflow"
    pkg.mkdir()
    (pkg / "ok.py").write_text("x = 1\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    os.symlink(secret, pkg / "leak.py")
    os.symlink(tmp_path, pkg / "loop")
    files = SourceFiles(root=tmp_path, allowed=(pkg.resolve(),), files=("metaflow/ok.py",))
    assert files.resolve("metaflow/ok.py").name == "ok.py"
    with pytest.raises(PathRefused):
        files.resolve("metaflow/leak.py")
    with pytest.raises(PathRefused):
        files.resolve("metaflow/loop/secret.txt")


def test_read_source_returns_numbered_lines_capped(tb: Toolbox) -> None:
    out = tb.run("read_source", {"path": "metaflow/flowspec.py", "start": 1, "end": 100_000})
    assert not out.is_error
    block = out.content[0]
    assert block["type"] == "search_result" and block["citations"] == {"enabled": True}
    text = block["content"][0]["text"]
    lines = text.splitlines()
    assert lines[0].split()[0] == "1"
    assert len(lines) <= MAX_READ_LINES and len(text) <= MAX_READ_BYTES + 1000
    start, end = block["source"].rsplit(":", 1)[1].split("-")
    assert int(start) == 1 and int(end) == len(lines)


def test_read_source_past_the_end(tb: Toolbox) -> None:
    out = tb.run("read_source", {"path": "metaflow/flowspec.py", "start": 10**6})
    assert out.is_error and "only" in _text(out)


def test_catastrophic_regex_is_refused(tb: Toolbox) -> None:
    for pattern in ["(a+)+$", r"(\w*)*x", "(x|x?)+y" * 1, "[", "a" * 400]:
        out = tb.run("grep", {"pattern": pattern})
        if pattern == "(x|x?)+y":
            continue  # not nested-quantifier shaped: bounded by the worker timeout instead
        assert out.is_error, pattern
        assert "refused" in _text(out)


def test_grep_finds_and_caps(tb: Toolbox) -> None:
    out = tb.run("grep", {"pattern": r"^class FlowSpec\b", "path_glob": "metaflow/*.py"})
    assert not out.is_error
    assert "metaflow/flowspec.py:" in _text(out)
    many = tb.run("grep", {"pattern": "import", "path_glob": "**/*.py"})
    rows = _text(many).splitlines()
    assert len(rows) <= MAX_GREP_MATCHES + 1 and "stopped at" in rows[-1]


def test_grep_glob_cannot_escape(tb: Toolbox) -> None:
    out = tb.run("grep", {"pattern": "root", "path_glob": "../../etc/*"})
    assert out.is_error


def test_glob_is_capped_and_relative(tb: Toolbox) -> None:
    out = tb.run("glob", {"pattern": "**/*"})
    rows = _text(out).splitlines()
    assert len(rows) <= MAX_GLOB_RESULTS + 1 and "more" in rows[-1]
    assert all(r.startswith("metaflow") for r in rows[:-1])
    assert tb.run("glob", {"pattern": "/etc/*"}).is_error
    assert tb.run("glob", {"pattern": "../*"}).is_error
    assert match_glob(
        ("metaflow/a.py", "metaflow/x/b.py", "metaflow/x/c.md"), "metaflow/**/*.py"
    ) == ["metaflow/a.py", "metaflow/x/b.py"]


def test_unknown_tool_and_bad_args(tb: Toolbox) -> None:
    assert tb.run("rm_rf", {}).is_error
    assert tb.run("read_source", {"path": "metaflow/flowspec.py", "start": "x"}).is_error
    assert tb.run("search", {"query": ""}).is_error
    assert tb.run("__init__", {}).is_error  # only the tools are reachable by name


def test_every_declared_tool_has_a_handler(tb: Toolbox) -> None:
    assert all(tb.handler(spec["name"]) is not None for spec in TOOL_SPECS)


def test_search_returns_search_results(tb: Toolbox) -> None:
    out = tb.run("search", {"query": "FlowSpec next", "k": 50})
    assert not out.is_error
    assert 1 <= len(out.content) <= 12
    assert all(b["type"] == "search_result" for b in out.content)


def test_read_doc_lists_and_reads(tb: Toolbox, index) -> None:
    listing = tb.run("read_doc", {})
    assert not listing.is_error
    name = next(iter(index.docs))
    assert name in _text(listing)
    doc = tb.run("read_doc", {"name": name})
    assert not doc.is_error and doc.content[0]["source"].startswith(f"{name}:1-")
    assert tb.run("read_doc", {"name": "../../etc/passwd"}).is_error


def test_slow_regex_is_stopped_by_the_worker_timeout(tmp_path: Path, index) -> None:
    pkg = tmp_path / "metaflow"
    pkg.mkdir()
    (pkg / "evil.py").write_text("x" * 40 + "\n")
    tb = Toolbox(index)
    tb._files = SourceFiles(root=tmp_path, allowed=(pkg.resolve(),), files=("metaflow/evil.py",))
    tb.grep_timeout = 0.5
    out = tb.run("grep", {"pattern": "(x|x?)+y", "path_glob": "**/*.py"})
    assert out.is_error and "stopped" in _text(out)
