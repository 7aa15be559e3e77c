"""Fault injection: ``metaflow-expert ask`` run as a user runs it, against a fake API that fails.

Each case starts the real CLI in a subprocess, pointed at the local fake Messages API, and
checks what the user sees (stdout, the one-line error on stderr), the exit code, the time it
took, and that the API key appears nowhere in the output. A wrong answer printed as a complete
one, a hang or a leaked key is the failure each case guards against.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from metaflow_expert.agent.types import INCOMPLETE_MARK, MAX_TURNS_CAP

from .fake_anthropic import Cut, FakeAnthropic, Pings, Raw, Status, text_reply, tool_call

KEY = "sk-ant-fault-injection-secret-0123456789"
PARTIAL = "`FlowSpec` is the base class of every flow, and its steps"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache-faults")


def ask_cli(fake: FakeAnthropic, cache_home: Path, *args: str, base_url: str = "") -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(
        XDG_CACHE_HOME=str(cache_home),
        ANTHROPIC_API_KEY=KEY,
        ANTHROPIC_BASE_URL=base_url or fake.base_url,
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "metaflow_expert", "ask", "What is a FlowSpec?", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    assert KEY not in run.output, run.output
    assert "Traceback" not in run.stderr, run.stderr
    return run


def test_cut_stream_is_an_error_with_the_partial_text_marked(cache_home: Path) -> None:
    with FakeAnthropic([Cut(text_reply(PARTIAL))]) as fake:
        run = ask_cli(fake, cache_home)
    assert run.code == 1
    assert "ended before message_stop" in run.stderr
    assert PARTIAL in run.stdout and INCOMPLETE_MARK in run.stdout
    assert "[agent" not in run.stdout  # not rendered as a complete answer


def test_endless_pings_end_at_the_deadline(cache_home: Path) -> None:
    with FakeAnthropic([Pings(PARTIAL)]) as fake:
        run = ask_cli(fake, cache_home, "--deadline", "2")
    assert run.code == 1
    assert "no complete answer within the 2 s deadline" in run.stderr
    assert PARTIAL in run.stdout and INCOMPLETE_MARK in run.stdout
    assert run.seconds < 30  # process start and index load included; pings once kept it 152 s


def test_malformed_body_names_status_and_content_type(cache_home: Path) -> None:
    html = Raw("<html><body>502 Bad Gateway</body></html>", status=200, content_type="text/html")
    with FakeAnthropic([html]) as fake:
        run = ask_cli(fake, cache_home)
    assert run.code == 1
    assert "malformed response from the Anthropic API (HTTP 200, content-type text/html" in (
        run.stderr
    )
    assert "AssertionError" not in run.output


def test_429_500_529_are_retried_then_answered(cache_home: Path) -> None:
    replies = [Status(429, "rate_limit_error"), Status(500), Status(529, "overloaded_error")]
    with FakeAnthropic([*replies, text_reply("A `FlowSpec` subclass is a flow.")]) as fake:
        run = ask_cli(fake, cache_home)
        assert len(fake.requests) == 4
    assert run.code == 0, run.stderr
    assert "A `FlowSpec` subclass is a flow." in run.stdout


@pytest.mark.parametrize(
    ("status", "error_type", "expected"),
    [
        (429, "rate_limit_error", "rate limit hit (429) (after 3 retries)"),
        (500, "api_error", "server error (500) (after 3 retries)"),
        (529, "overloaded_error", "overloaded (529) (after 3 retries)"),
    ],
)
def test_persistent_429_500_529_fail_in_one_line(
    cache_home: Path, status: int, error_type: str, expected: str
) -> None:
    with FakeAnthropic(default=Status(status, error_type, f"echo {KEY}")) as fake:
        run = ask_cli(fake, cache_home)
    assert run.code == 1
    assert expected in run.stderr and run.stderr.count("\n") == 1
    assert run.seconds < 60  # backoff 0.5 + 1 + 2 s


def test_endless_tool_calls_stop_at_the_turn_cap(cache_home: Path) -> None:
    with FakeAnthropic(default=tool_call("glob", {"pattern": "metaflow/*.py"})) as fake:
        run = ask_cli(fake, cache_home, "--max-turns", "1000000")
        calls = len(fake.requests)
    assert run.code == 0, run.stderr
    assert calls <= MAX_TURNS_CAP + 2  # the capped tool turns, one forced answer, one repair
    assert "The model returned no answer" in run.stdout


def test_key_echoed_in_an_error_body_is_never_printed(cache_home: Path) -> None:
    body = f"invalid request: header x-api-key={KEY} via https://bob:hunter2@proxy.example/"
    with FakeAnthropic([Status(400, "invalid_request_error", body)]) as fake:
        run = ask_cli(fake, cache_home)
    assert run.code == 1
    assert "rejected the request (400)" in run.stderr and "***" in run.stderr
    assert "hunter2" not in run.output


def test_credentials_in_the_base_url_are_never_printed(cache_home: Path) -> None:
    with FakeAnthropic() as fake:
        port = fake.base_url.rsplit(":", 1)[1]
    url = f"http://bob:hunter2@127.0.0.1:{port}"  # the fake has stopped: nothing listens
    run = ask_cli(fake, cache_home, "--json", base_url=url)
    assert run.code == 0  # unreachable: the offline answer, with a note saying why
    assert "hunter2" not in run.output and "cannot reach" in run.stdout
