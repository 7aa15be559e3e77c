"""``explain-error``: a paste → the raising line, its condition, function and fix; and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from metaflow_expert.agent.explain_error import explain, fix_for, render
from metaflow_expert.agent.offline import answer_offline

TRACEBACK = """Traceback (most recent call last):
  File "flow.py", line 12, in end
    print(self.test_var)
  File "/site-packages/metaflow/flowspec.py", line 607, in __getattr__
AttributeError: Flow BranchFlow has no attribute 'test_var'
"""
PROJECTS = "--name is not supported for @projects. Use --branch instead."


def test_traceback_to_raising_line(index) -> None:
    ex = explain(TRACEBACK, index)
    assert ex.found
    c = ex.causes[0]
    assert c.raising.path == "metaflow/flowspec.py" and c.raising.verified
    assert "raise AttributeError" in index.lines(c.raising.path)[c.raising.line - 1]
    assert c.function == "FlowSpec.__getattr__" and c.function_cite and c.function_cite.verified
    assert c.condition and c.fix_source == "condition"
    assert all(cite.verified for cite in ex.citations)


def test_fix_from_the_message_and_the_named_plugin_first(index) -> None:
    ex = explain(PROJECTS + "  (argo-workflows create --name foo)", index)
    assert ex.causes[0].raising.path == "metaflow/plugins/argo/argo_workflows_cli.py"
    assert ex.causes[0].fix == "Use --branch instead."
    assert {c.fix_source for c in ex.causes} == {"message"}


def test_nothing_matches(index) -> None:
    ex = explain("zzz qqq this is no message at all", index)
    assert not ex.found and "Not found" in render(ex, index.version)


def test_ask_gives_the_same_answer(index) -> None:
    ex = explain(TRACEBACK, index)
    answer = answer_offline(TRACEBACK, index)
    assert render(ex, index.version) in answer.answer
    assert [(c.path, c.line) for c in answer.citations] == [(c.path, c.line) for c in ex.citations]


def test_fix_for_condition_wording(index) -> None:
    e = index.entries.match_message(TRACEBACK)[0].entry
    fix, source = fix_for(e)
    assert source == "condition" and "holds" in fix


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache-explain")


def _run(
    args: list[str], cache_home: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["XDG_CACHE_HOME"] = str(cache_home)
    return subprocess.run(
        [sys.executable, "-m", "metaflow_expert", "explain-error", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin if stdin is not None else "",
        timeout=180,
    )


def test_cli_found_text_and_json(cache_home: Path) -> None:
    proc = _run([PROJECTS], cache_home)
    assert proc.returncode == 0, proc.stderr
    assert "Fix: Use --branch instead." in proc.stdout
    proc = _run(["--json", "-"], cache_home, stdin=TRACEBACK)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["found"] and data["causes"][0]["raising"]["path"] == "metaflow/flowspec.py"
    assert data["causes"][0]["raising"]["verified"] is True


def test_cli_not_found(cache_home: Path) -> None:
    proc = _run(["zzz qqq this is no message at all"], cache_home)
    assert proc.returncode == 1
    assert "Not found" in proc.stdout


def test_cli_usage(cache_home: Path) -> None:
    assert _run([], cache_home, stdin="").returncode == 2
    assert _run(["--no-such-flag"], cache_home).returncode == 2


@pytest.mark.parametrize(
    "paste",
    [
        # the user's own code before an arrow, then the exception's name and a short message
        "step_obj = Step(args.pathspec) -> MetaflowInvalidPathspec: "
        "Expects Step('FlowName/RunID/StepName')",
        # the exception's name after the user's words, no arrow
        "notebook cell 14 raised MetaflowInvalidPathspec: Expects Step('FlowName/RunID/StepName')",
    ],
)
def test_message_after_the_users_lead_in(index, paste: str) -> None:
    """What precedes a lead-in (``->``, ``Label:``) is the user's, not the message's: it must
    not dilute a short message below the share an exact hit has to cover."""
    ex = explain(paste, index)
    assert ex.found and ex.causes[0].exact
    c = ex.causes[0].raising
    assert c.path == "metaflow/client/core.py" and c.verified
    assert "Expects Step(" in index.lines(c.path)[c.line - 1]
    answer = answer_offline(paste, index)
    assert not answer.not_found and answer.citations[0].path == "metaflow/client/core.py"


@pytest.mark.parametrize(
    "question",
    [
        "my step fails with KeyError: not found",  # a short gist after an exception's name
        "Update: the flow is not found",  # a plain label's colon
        "resume says: no such step",
        "python flow.py run -> Flow failed",  # two words after an arrow
    ],
)
def test_a_lead_in_before_the_users_own_gist_is_no_message(question: str) -> None:
    from metaflow_expert.knowledge import phrase

    assert phrase.pasted_lines(question) == [phrase.normalize(question)]


def test_lead_ins_are_linear_on_long_lines() -> None:
    import time

    from metaflow_expert.knowledge import phrase

    for text in ("AbC" * 30_000 + " x", "a: " * 30_000, "KeyError: " * 20_000, " -> " * 30_000):
        start = time.perf_counter()
        phrase.pasted_lines(text)
        assert time.perf_counter() - start < 2.0
