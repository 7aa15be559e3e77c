"""``ask()``: one question in, one grounded answer out, by the model or offline.

Mode: offline when there is no API key, when ``offline=True``, or when the API cannot be
reached (then with a one-line note saying why). Other API failures raise :class:`AskError`
with one line. Conversations are kept per id so follow-ups have context.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from metaflow_expert.agent.context import as_context, context_terms, render_context
from metaflow_expert.agent.history import STORE
from metaflow_expert.agent.offline import answer_offline
from metaflow_expert.agent.tools import Toolbox
from metaflow_expert.agent.types import Answer, AskContext, AskEvent, AskSettings

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex

_NOT_FOUND = re.compile(r"not found in (?:the )?(?:indexed )?metaflow", re.I)
_TOOLBOXES: dict[int, Toolbox] = {}
_LOCK = threading.Lock()


def toolbox_for(index: KnowledgeIndex) -> Toolbox:
    """One toolbox per index object (its file inventory and line cache are reused)."""
    with _LOCK:
        tb = _TOOLBOXES.get(id(index))
        if tb is None or tb.index is not index:
            while len(_TOOLBOXES) >= 4:  # a re-indexed source replaces the old index
                _TOOLBOXES.pop(next(iter(_TOOLBOXES)))
            tb = _TOOLBOXES[id(index)] = Toolbox(index)
        return tb


def ask(
    question: str,
    *,
    index: KnowledgeIndex,
    context: AskContext | dict[str, Any] | None = None,
    conversation_id: str | None = None,
    offline: bool | None = None,
    settings: AskSettings | None = None,
    on_event: Callable[[AskEvent], None] | None = None,
    cancel: threading.Event | None = None,
) -> Answer:
    settings = settings or AskSettings()
    if offline is not None:
        settings = replace(settings, offline=offline)
    emit = on_event or (lambda _e: None)
    question = (question or "").strip()
    conversation_id = conversation_id or STORE.new_id()
    toolbox = toolbox_for(index)
    ctx = as_context(context)
    if not question:
        return Answer(
            "Ask a question about Metaflow.",
            [],
            "offline",
            not_found=True,
            conversation_id=conversation_id,
            version=index.version,
        )
    note = None
    if settings.offline or not settings.api_key:
        if not settings.offline:
            note = "No ANTHROPIC_API_KEY set: offline answer from the index."
        return _offline(question, index, toolbox, conversation_id, note, emit, context_terms(ctx))
    from metaflow_expert.agent import anthropic_client as api
    from metaflow_expert.agent.loop import run_agent

    context_text = render_context(ctx)
    user = f"{context_text}\n\n{question}" if context_text else question
    try:
        result = run_agent(
            user,
            toolbox=toolbox,
            history=STORE.get(conversation_id, settings.history_tokens),
            settings=settings,
            on_event=on_event,
            cancel=cancel,
        )
    except api.Unreachable as exc:
        note = f"{exc}; answered offline from the index."
        emit(AskEvent("note", note))
        return _offline(question, index, toolbox, conversation_id, note, emit, context_terms(ctx))
    text = result.text
    if result.truncated:
        note = f"The answer was cut at max_tokens={settings.max_tokens}."
    STORE.append(conversation_id, question, text)
    return Answer(
        answer=text,
        citations=result.citations,
        mode="agent",
        not_found=bool(_NOT_FOUND.search(text)),
        usage=result.usage,
        conversation_id=conversation_id,
        note=note,
        version=index.version,
    )


def _offline(
    question: str,
    index: KnowledgeIndex,
    toolbox: Toolbox,
    conversation_id: str,
    note: str | None,
    emit: Callable[[AskEvent], None],
    terms: str = "",
) -> Answer:
    emit(AskEvent("status", "Searching the index (offline)…"))
    answer = answer_offline(question, index, toolbox=toolbox, extra_terms=terms)
    answer.conversation_id = conversation_id
    answer.note = note
    emit(AskEvent("text", answer.answer))
    return answer
