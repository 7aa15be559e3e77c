"""The agent loop against a real HTTP server speaking the Messages API (scripted replies)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from metaflow_expert.agent import AskCancelled, AskContext, AskError, AskSettings, ask

from .fake_anthropic import (
    Message,
    Raw,
    Slow,
    Status,
    StreamError,
    text_reply,
    tool_call,
    tool_calls,
)

KEY = "sk-test-not-a-real-key"


def line_of(index, rel: str, pattern: str) -> int:
    text = (Path(index.source.root) / rel).read_text()
    for no, line in enumerate(text.splitlines(), 1):
        if re.search(pattern, line):
            return no
    raise AssertionError(f"{pattern!r} not in {rel}")


@pytest.fixture
def flowspec_line(index) -> int:
    return line_of(index, "metaflow/flowspec.py", r"^class FlowSpec\b")


def good_answer(line: int) -> str:
    return (
        f"A flow subclasses `FlowSpec` (metaflow/flowspec.py:{line}); each step calls `self.next`."
    )


def test_tool_calls_then_cited_answer(index, fake, settings, flowspec_line) -> None:
    fake.add(
        tool_call("read_doc", {}, text="Let me read the docs first."),
        tool_calls(
            ("search", {"query": "FlowSpec"}),
            (
                "read_source",
                {"path": "metaflow/flowspec.py", "start": flowspec_line, "end": flowspec_line + 5},
            ),
        ),
        text_reply(good_answer(flowspec_line)),
    )
    events = []
    answer = ask("What is a FlowSpec?", index=index, settings=settings, on_event=events.append)
    assert answer.mode == "agent" and not answer.not_found
    assert answer.answer == good_answer(flowspec_line)
    assert [c.to_json() for c in answer.citations] == [
        {"path": "metaflow/flowspec.py", "line": flowspec_line, "end_line": None, "verified": True}
    ]
    u = answer.usage
    assert (
        u.turns == 3
        and u.input_tokens + u.cache_creation_tokens + u.cache_read_tokens > 0
        and u.output_tokens > 0
    )
    assert answer.usage.cost_usd is not None and answer.usage.cost_usd > 0
    # streamed text, tool progress, and a reset before each later turn
    assert "".join(e.text for e in events if e.kind == "text").endswith(good_answer(flowspec_line))
    assert sum(e.kind == "tool" for e in events) == 3
    assert any(e.kind == "reset" for e in events)
    # what went over the wire
    assert len(fake.requests) == 3
    first, last = fake.requests[0], fake.requests[-1]
    assert first["stream"] is True and first["model"] == settings.model
    assert {t["name"] for t in first["tools"]} == {
        "search",
        "read_doc",
        "grep",
        "glob",
        "read_source",
    }
    assert first["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert index.version in first["system"][0]["text"]
    results = last["messages"][-1]["content"]
    assert [r["type"] for r in results] == ["tool_result", "tool_result"]
    read = results[1]["content"][0]
    assert (
        read["type"] == "search_result"
        and read["source"] == f"metaflow/flowspec.py:{flowspec_line}-{flowspec_line + 5}"
    )
    assert f"{flowspec_line:>5}  class FlowSpec" in read["content"][0]["text"]
    assert KEY in (fake.headers[0].get("x-api-key", "") + fake.headers[0].get("authorization", ""))
    # prompt caching: later turns read the earlier prefix from the cache
    assert answer.usage.cache_read_tokens > 0


def test_hallucinated_citation_is_repaired(index, fake, settings, flowspec_line) -> None:
    fake.add(
        text_reply("A flow subclasses `FlowSpec` (metaflow/flowspec.py:3)."),
        text_reply(good_answer(flowspec_line)),
    )
    answer = ask("What is a FlowSpec?", index=index, settings=settings)
    assert len(fake.requests) == 2
    repair = fake.requests[1]["messages"][-1]["content"]
    repair_text = repair if isinstance(repair, str) else repair[0]["text"]
    assert "metaflow/flowspec.py:3" in repair_text and "FlowSpec" in repair_text
    assert all(c.verified for c in answer.citations)
    assert "(unverified)" not in answer.answer


def test_citation_still_failing_is_marked_unverified(index, fake, settings, flowspec_line) -> None:
    bad = "Retries live in `RetryDecorator` (metaflow/flowspec.py:2) and `magic` (metaflow/no_such_file.py:10)."
    fake.add(text_reply(bad), text_reply(bad))
    answer = ask("How are retries done?", index=index, settings=settings)
    assert answer.answer.count("(unverified)") == 2
    assert answer.citations and not any(c.verified for c in answer.citations)
    assert len(fake.requests) == 2  # exactly one repair turn


def test_rate_limit_then_success(index, fake, settings, flowspec_line) -> None:
    fake.add(
        Status(429, "rate_limit_error", "slow down", {"retry-after-ms": "10"}),
        text_reply(good_answer(flowspec_line)),
    )
    events = []
    answer = ask("What is a FlowSpec?", index=index, settings=settings, on_event=events.append)
    assert answer.mode == "agent" and len(fake.requests) == 2
    assert any("rate limit" in e.text for e in events if e.kind == "status")


def test_overloaded_529_is_retried(index, fake, settings, flowspec_line) -> None:
    fake.add(
        Status(529, "overloaded_error", "Overloaded"),
        StreamError("overloaded_error"),
        text_reply(good_answer(flowspec_line)),
    )
    answer = ask("What is a FlowSpec?", index=index, settings=settings)
    assert answer.citations[0].verified and len(fake.requests) == 3


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Status(500, "api_error", "boom"), "server error (500)"),
        (Status(529, "overloaded_error", "Overloaded"), "overloaded (529)"),
        (Status(429, "rate_limit_error", "slow down"), "rate limit hit (429)"),
        (Status(401, "authentication_error", "invalid x-api-key"), "rejected the API key (401)"),
        (Status(400, "invalid_request_error", "messages: bad"), "rejected the request (400)"),
    ],
)
def test_api_errors_are_one_line(index, fake, settings, reply, expected) -> None:
    fake.add(*[reply] * (settings.retries + 1))
    with pytest.raises(AskError) as err:
        ask("What is a FlowSpec?", index=index, settings=settings)
    message = str(err.value)
    assert expected in message and "\n" not in message and KEY not in message


def test_malformed_body(index, fake, settings) -> None:
    fake.add(Raw("this is not json {"), Raw('{"type": "message"}', content_type="application/json"))
    with pytest.raises(AskError) as err:
        ask(
            "What is a FlowSpec?",
            index=index,
            settings=AskSettings(**{**settings.__dict__, "stream": False}),
        )
    message = str(err.value)
    assert "malformed response" in message and "HTTP 200" in message and "\n" not in message
    assert "content-type application/json" in message


def test_malformed_stream(index, fake, settings) -> None:
    fake.add(Raw("garbage without events", content_type="text/event-stream"))
    with pytest.raises(AskError) as err:
        ask("What is a FlowSpec?", index=index, settings=settings)
    assert "\n" not in str(err.value)


def test_slow_response_is_cancelled(index, fake, settings, flowspec_line) -> None:
    fake.add(Slow(60, text_reply(good_answer(flowspec_line))))
    cancel = threading.Event()
    started = threading.Event()

    def on_event(event) -> None:
        if event.kind == "status":
            started.set()

    threading.Thread(target=lambda: (started.wait(), cancel.set()), daemon=True).start()
    with pytest.raises(AskCancelled):
        ask("What is a FlowSpec?", index=index, settings=settings, on_event=on_event, cancel=cancel)


def test_unreachable_api_falls_back_offline(index) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = AskSettings(
        api_key=KEY, base_url=f"http://127.0.0.1:{port}", retries=1, retry_backoff=0.01
    )
    answer = ask("What is a FlowSpec?", index=index, settings=settings)
    assert answer.mode == "offline"
    assert (
        answer.note and "cannot reach the Anthropic API" in answer.note and "offline" in answer.note
    )


def test_no_key_means_offline(index, fake) -> None:
    answer = ask(
        "What is a FlowSpec?",
        index=index,
        settings=AskSettings(api_key=None, base_url=fake.base_url),
    )
    assert answer.mode == "offline" and "ANTHROPIC_API_KEY" in (answer.note or "")
    assert fake.requests == []


def test_conversation_history_is_sent(index, fake, settings, flowspec_line) -> None:
    fake.add(text_reply(good_answer(flowspec_line)), text_reply("Yes, see above."))
    first = ask("What is a FlowSpec?", index=index, settings=settings)
    ask("And steps?", index=index, settings=settings, conversation_id=first.conversation_id)
    msgs = fake.requests[1]["messages"]
    assert msgs[0]["content"] == "What is a FlowSpec?"
    assert msgs[1]["content"] == good_answer(flowspec_line)
    other = ask("Unrelated", index=index, settings=settings, offline=True)
    assert other.conversation_id != first.conversation_id


FLOW = """from metaflow import FlowSpec, step, retry


class HelloFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @retry(times=2)
    @step
    def train(self):
        self.x = 1
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_editor_context_goes_into_the_user_message(index, fake, settings, flowspec_line) -> None:
    fake.add(text_reply(good_answer(flowspec_line)))
    ctx = AskContext(path="hello_flow.py", line=12, text=FLOW)
    ask("What does this decorator do?", index=index, settings=settings, context=ctx)
    user = fake.requests[0]["messages"][-1]["content"]
    text = user if isinstance(user, str) else user[0]["text"]
    assert "hello_flow.py" in text and "Cursor line: 12" in text
    assert "@retry(times=2)" in text and "def train" in text
    assert text.rstrip().endswith("What does this decorator do?")
    assert "hello_flow.py" not in json.dumps(fake.requests[0]["system"])  # system stays cacheable


def test_native_api_citations_are_checked(index, fake, settings, flowspec_line) -> None:
    cit = {
        "type": "search_result_location",
        "source": f"metaflow/flowspec.py:{flowspec_line}-{flowspec_line + 2}",
        "title": "FlowSpec",
        "cited_text": "class FlowSpec",
        "search_result_index": 0,
        "start_block_index": 0,
        "end_block_index": 0,
    }
    fake.add(text_reply("Flows subclass it.", citations=[cit]))
    answer = ask("What is a FlowSpec?", index=index, settings=settings)
    assert [(c.path, c.line, c.end_line, c.verified) for c in answer.citations] == [
        ("metaflow/flowspec.py", flowspec_line, flowspec_line + 2, True)
    ]


def test_turn_limit_forces_an_answer(index, fake, settings, flowspec_line) -> None:
    limited = AskSettings(**{**settings.__dict__, "max_turns": 2})
    fake.add(
        tool_call("search", {"query": "a"}),
        tool_call("search", {"query": "b"}),
        text_reply(good_answer(flowspec_line)),
    )
    answer = ask("What is a FlowSpec?", index=index, settings=limited)
    assert fake.requests[-1]["tool_choice"] == {"type": "none"}
    assert answer.citations[0].verified


def test_prompt_caching_off_sends_no_cache_control(index, fake, settings, flowspec_line) -> None:
    fake.add(tool_call("search", {"query": "FlowSpec"}), text_reply(good_answer(flowspec_line)))
    answer = ask(
        "What is a FlowSpec?",
        index=index,
        settings=AskSettings(**{**settings.__dict__, "prompt_caching": False}),
    )
    assert "cache_control" not in json.dumps(fake.requests)
    assert answer.usage.cache_read_tokens == 0


def test_stop_reason_max_tokens_adds_a_note(index, fake, settings, flowspec_line) -> None:
    fake.add(
        Message([{"type": "text", "text": good_answer(flowspec_line)}], stop_reason="max_tokens")
    )
    answer = ask("What is a FlowSpec?", index=index, settings=settings)
    assert answer.note and "max_tokens" in answer.note


def test_timeouts_fall_back_offline_with_a_note(index, fake, settings, flowspec_line) -> None:
    fake.add(
        Slow(30, text_reply(good_answer(flowspec_line))),
        Slow(30, text_reply(good_answer(flowspec_line))),
    )
    quick = AskSettings(**{**settings.__dict__, "timeout": 0.3, "retries": 1})
    answer = ask("What is a FlowSpec?", index=index, settings=quick)
    assert answer.mode == "offline" and "timed out" in (answer.note or "")
