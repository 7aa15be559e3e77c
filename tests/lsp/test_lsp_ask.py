"""``metaflowExpert.ask`` over a real server against a fake Messages API on 127.0.0.1
(``ANTHROPIC_BASE_URL``): the answer streams as ``metaflowExpert/askDelta`` on the request's
workDoneToken with ``$/progress`` status, and ``$/cancelRequest`` stops a slow answer."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from .helpers import WAIT_S, wait_ready

_spec = importlib.util.spec_from_file_location(
    "fake_anthropic_for_lsp", Path(__file__).parents[1] / "agent" / "fake_anthropic.py"
)
assert _spec and _spec.loader
fake_anthropic = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fake_anthropic
_spec.loader.exec_module(fake_anthropic)


async def _client(base_url: str):
    env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "sk-test-not-a-real-key",
    }
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "metaflow_expert", "serve"], server_env=env
    )
    client = await config.start()
    deltas: list[Any] = []
    client.feature("metaflowExpert/askDelta")(lambda params: deltas.append(params))
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"ask": {"maxTurns": 3}},
        )
    )
    return client, deltas


async def test_ask_streams_and_returns_cited_answer():
    import inspect

    from metaflow.plugins.retry_decorator import RetryDecorator

    line = inspect.getsourcelines(RetryDecorator)[1]
    reply = (
        f"`@retry` is implemented by `RetryDecorator` (metaflow/plugins/retry_decorator.py:{line})."
    )
    with fake_anthropic.FakeAnthropic([fake_anthropic.text_reply(reply)]) as fake:
        client, deltas = await _client(fake.base_url)
        try:
            await wait_ready(client, need_index=True)
            client.progress_reports.setdefault("ask-1", [])  # a client-chosen token
            result = await asyncio.wait_for(
                client.workspace_execute_command_async(
                    types.ExecuteCommandParams(
                        command="metaflowExpert.ask",
                        arguments=[{"question": "How does @retry work?"}],
                        work_done_token="ask-1",
                    )
                ),
                WAIT_S,
            )
        finally:
            await client.shutdown_session()
            await client.stop()
    assert result["mode"] == "agent"
    assert "RetryDecorator" in result["answer"]
    assert result["conversationId"]
    cites = [c for c in result["citations"] if c["path"] == "metaflow/plugins/retry_decorator.py"]
    assert cites and cites[0]["line"] == line and cites[0]["uri"].startswith("file://")
    assert "".join(getattr(d, "text", "") for d in deltas if getattr(d, "token", None) == "ask-1")
    kinds = [type(v).__name__ for v in client.progress_reports.get("ask-1", [])]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"


async def test_superseded_text_is_reset_before_the_final_answer():
    import inspect

    from metaflow.plugins.retry_decorator import RetryDecorator

    line = inspect.getsourcelines(RetryDecorator)[1]
    final = f"`RetryDecorator` (metaflow/plugins/retry_decorator.py:{line}) retries a task."
    replies = [
        fake_anthropic.tool_call("search", {"query": "retry"}, text="Let me look that up."),
        fake_anthropic.text_reply(final),
    ]
    with fake_anthropic.FakeAnthropic(replies) as fake:
        client, deltas = await _client(fake.base_url)
        try:
            await wait_ready(client, need_index=True)
            client.progress_reports.setdefault("ask-3", [])
            result = await asyncio.wait_for(
                client.workspace_execute_command_async(
                    types.ExecuteCommandParams(
                        command="metaflowExpert.ask",
                        arguments=[{"question": "How does @retry work?"}],
                        work_done_token="ask-3",
                    )
                ),
                WAIT_S,
            )
        finally:
            await client.shutdown_session()
            await client.stop()
    mine = [d for d in deltas if getattr(d, "token", None) == "ask-3"]
    resets = [i for i, d in enumerate(mine) if getattr(d, "reset", False)]
    assert resets, "the pre-tool chatter must be withdrawn"
    shown = "".join(getattr(d, "text", "") for d in mine[resets[-1] + 1 :])
    assert "Let me look that up." not in shown
    assert "RetryDecorator" in shown and "RetryDecorator" in result["answer"]


async def test_ask_is_cancellable():
    slow = fake_anthropic.Slow(60.0, fake_anthropic.text_reply("too late"))
    with fake_anthropic.FakeAnthropic([slow]) as fake:
        client, _ = await _client(fake.base_url)
        try:
            await wait_ready(client, need_index=True)
            client.progress_reports.setdefault("ask-2", [])
            params = types.ExecuteCommandParams(
                command="metaflowExpert.ask",
                arguments=[{"question": "Explain foreach"}],
                work_done_token="ask-2",
            )
            future = client.protocol.send_request(
                types.WORKSPACE_EXECUTE_COMMAND, params, msg_id="ask-req-2"
            )
            while not fake.requests:  # the question has reached the model
                await asyncio.sleep(0.05)
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="ask-req-2"))
            outcome = await asyncio.wait_for(asyncio.wrap_future(future), WAIT_S)
        except Exception as exc:  # the request fails with "cancelled"
            outcome = exc
        finally:
            await client.shutdown_session()
            await client.stop()
    assert isinstance(outcome, Exception) and "cancel" in str(outcome).lower(), outcome
