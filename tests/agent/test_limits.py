"""The agent's bounds hold whatever the settings say: turns, deadline, retry waits, secrets."""

from __future__ import annotations

import time
import traceback

import pytest

from metaflow_expert.agent import AskError, AskSettings, ask
from metaflow_expert.agent.anthropic_client import MAX_RETRY_AFTER_S, scrub_secrets
from metaflow_expert.agent.types import MAX_TURNS_CAP, AskEvent, AskIncomplete

from .fake_anthropic import Cut, Pings, Status, text_reply, tool_call

KEY = "sk-test-not-a-real-key"


def test_max_turns_is_capped_wherever_it_comes_from(index, fake, settings) -> None:
    fake.default = tool_call("glob", {"pattern": "metaflow/*.py"})
    s = AskSettings(**settings.__dict__)
    s.max_turns = 1_000_000  # the server assigns settings fields after construction
    ask("What is a FlowSpec?", index=index, settings=s)
    assert MAX_TURNS_CAP < len(fake.requests) <= MAX_TURNS_CAP + 2
    assert AskSettings(max_turns=0).turn_limit() == 1


def test_deadline_ends_endless_pings(index, fake, settings) -> None:
    fake.add(Pings("Half an answer"))
    s = AskSettings(**{**settings.__dict__, "deadline": 1.0})
    start = time.monotonic()
    with pytest.raises(AskIncomplete) as err:
        ask("What is a FlowSpec?", index=index, settings=s)
    assert time.monotonic() - start < 5
    assert "1 s deadline" in str(err.value) and err.value.partial.startswith("Half an answer")


def test_cut_stream_raises_with_partial_text(index, fake, settings) -> None:
    fake.add(Cut(text_reply("The first half")))
    with pytest.raises(AskIncomplete) as err:
        ask("What is a FlowSpec?", index=index, settings=settings)
    assert "message_stop" in str(err.value) and "[incomplete" in err.value.partial


def test_retry_line_reports_the_capped_wait(index, fake, settings) -> None:
    """The API asks for 3600 s; the wait is capped (here by the 1.5 s deadline, else by
    MAX_RETRY_AFTER_S) and the progress line says the wait actually done."""
    fake.add(Status(429, "rate_limit_error", headers={"retry-after": "3600"}))
    s = AskSettings(**{**settings.__dict__, "deadline": 1.5})
    lines: list[str] = []

    def on_event(e: AskEvent) -> None:
        if e.kind == "status" and "retry" in e.text:
            lines.append(e.text)

    start = time.monotonic()
    with pytest.raises(AskIncomplete):
        ask("What is a FlowSpec?", index=index, settings=s, on_event=on_event)
    elapsed = time.monotonic() - start
    (line,) = lines
    wait = float(line.rsplit(" in ", 1)[1].split()[0])
    assert "3600" not in line and 0 < wait <= min(1.5, MAX_RETRY_AFTER_S)
    assert wait - 0.1 <= elapsed < 5


def test_errors_carry_no_chained_traceback_with_the_key(index, fake, settings) -> None:
    fake.add(Status(400, "invalid_request_error", f"bad header x-api-key: {KEY}"))
    with pytest.raises(AskError) as err:
        ask("What is a FlowSpec?", index=index, settings=settings)
    rendered = "".join(traceback.format_exception(err.value))
    assert KEY not in rendered and "***" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_scrub_secrets() -> None:
    text = "key sk-ant-api03-abcdefghijkl at https://u:p4ss@host/x and http://tok@h"
    assert scrub_secrets(text, "sk-ant-api03-abcdefghijkl") == (
        "key *** at https://***@host/x and http://***@h"
    )
    assert scrub_secrets("mykey123 leaked", "mykey123") == "*** leaked"
