"""``metaflow-expert ask`` as a user runs it: a real process, the fake API over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .fake_anthropic import FakeAnthropic, Status, text_reply

KEY = "sk-test-cli-secret-key"


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


def run_cli(args: list[str], cache_home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    full.update({"XDG_CACHE_HOME": str(cache_home), **env})
    return subprocess.run(
        [sys.executable, "-m", "metaflow_expert", "ask", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )


def test_offline_json(cache_home: Path) -> None:
    proc = run_cli(
        ["How many times does @retry retry a failed task by default?", "--json", "--offline"],
        cache_home,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= {"answer", "citations", "mode", "not_found", "usage"}
    assert out["mode"] == "offline" and out["not_found"] is False
    assert out["citations"][0]["path"] == "metaflow/plugins/retry_decorator.py"
    assert set(out["citations"][0]) == {"path", "line", "end_line", "verified"}


def test_offline_not_found_markdown(cache_home: Path) -> None:
    proc = run_cli(["What is the @cache_result decorator's ttl argument?", "--offline"], cache_home)
    assert proc.returncode == 0
    assert "Not found in Metaflow" in proc.stdout and "[offline" in proc.stdout


def test_agent_mode_against_the_fake_api(cache_home: Path, index) -> None:
    lines = (Path(index.source.root) / "metaflow/flowspec.py").read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("class FlowSpec("))
    with FakeAnthropic([text_reply(f"Subclass `FlowSpec` (metaflow/flowspec.py:{line}).")]) as fake:
        proc = run_cli(
            ["What is a FlowSpec?", "--json", "--model", "claude-haiku-5-5"],
            cache_home,
            ANTHROPIC_API_KEY=KEY,
            ANTHROPIC_BASE_URL=fake.base_url,
        )
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        assert out["mode"] == "agent" and out["citations"][0]["verified"] is True
        assert fake.requests[0]["model"] == "claude-haiku-5-5"
        assert out["usage"]["output_tokens"] > 0
    assert KEY not in proc.stdout + proc.stderr


def test_bad_key_is_one_line_without_the_key(cache_home: Path) -> None:
    with FakeAnthropic([Status(401, "authentication_error", f"invalid x-api-key {KEY}")]) as fake:
        proc = run_cli(
            ["What is a FlowSpec?"],
            cache_home,
            ANTHROPIC_API_KEY=KEY,
            ANTHROPIC_BASE_URL=fake.base_url,
        )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "401" in proc.stderr and "ANTHROPIC_API_KEY" in proc.stderr
    assert KEY not in proc.stdout + proc.stderr


def test_file_and_line_context(cache_home: Path, tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(
        "from metaflow import FlowSpec, step, retry\n\n\nclass F(FlowSpec):\n    @retry(times=2)\n"
        "    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n"
    )
    proc = run_cli(
        ["What does this decorator do?", "--offline", "--json", "--file", str(flow), "--line", "7"],
        cache_home,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["citations"][0]["path"] == "metaflow/plugins/retry_decorator.py"
    missing = run_cli(["q", "--file", str(tmp_path / "nope.py")], cache_home)
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_conversation_persists_between_runs(cache_home: Path, index) -> None:
    with FakeAnthropic([text_reply("First answer."), text_reply("Second answer.")]) as fake:
        env = {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": fake.base_url}
        assert run_cli(["first?", "--conversation", "c1"], cache_home, **env).returncode == 0
        assert run_cli(["second?", "--conversation", "c1"], cache_home, **env).returncode == 0
        msgs = fake.requests[1]["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert msgs[1]["content"] == "First answer."


def test_fake_server_runs_standalone_for_other_processes(cache_home: Path, tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"status": 429, "error_type": "rate_limit_error"}]))
    server = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("fake_anthropic.py")),
            "--script",
            str(script),
            "--text",
            "Plain answer.",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        proc = run_cli(
            ["What is a FlowSpec?", "--json"],
            cache_home,
            ANTHROPIC_API_KEY=KEY,
            ANTHROPIC_BASE_URL=base_url,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["answer"] == "Plain answer."
    finally:
        server.terminate()
        server.wait(timeout=10)
