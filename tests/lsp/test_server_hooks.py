"""The server's hooks, without a client: features react to each other's events through them
(diagnostics re-lints when lifecycle loads the catalog or applies settings) instead of
importing each other."""

from __future__ import annotations

import asyncio
import threading

from metaflow_expert.lsp.server import KnowledgeEvent, MetaflowLanguageServer


async def _drain() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_knowledge_hook_calls_subscribers_on_the_loop_thread():
    ls = MetaflowLanguageServer()
    ls.loop = asyncio.get_running_loop()
    seen: list[tuple[KnowledgeEvent, str]] = []
    ls.on_knowledge(lambda event: seen.append((event, threading.current_thread().name)))
    fired = threading.Thread(target=ls.knowledge_changed, args=("catalog",), name="mfx-index")
    fired.start()
    fired.join()
    await _drain()
    ls.knowledge_changed("index")
    await _drain()
    here = threading.current_thread().name
    assert seen == [("catalog", here), ("index", here)]


async def test_a_failing_subscriber_does_not_starve_the_others():
    ls = MetaflowLanguageServer()
    ls.loop = asyncio.get_running_loop()
    ls.settings = ls.settings.__class__(log_level="error")
    logged: list[str] = []
    ls.log_exception = lambda what, exc: logged.append(what)  # type: ignore[method-assign]
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    ls.on_settings(broken)
    ls.on_settings(lambda: calls.append("relint"))
    ls.settings_changed()
    await _drain()
    assert calls == ["relint"] and logged == ["settings subscriber"]


def test_no_loop_yet_means_no_call():
    """Before ``initialize`` there is no loop and nothing to re-lint: firing is a no-op."""
    ls = MetaflowLanguageServer()
    calls: list[KnowledgeEvent] = []
    ls.on_knowledge(calls.append)
    ls.knowledge_changed("catalog")
    assert calls == []
