"""The agent loop: model turns, tool calls, citation check and one repair turn.

Each turn sends the system prompt (cached), the tools and the conversation so far; tool calls
run against the index and go back as ``tool_result`` blocks. The final answer's citations are
verified; failures get one repair turn, and what still fails is marked ``(unverified)``.

Two bounds hold whatever the settings say: at most :data:`~types.MAX_TURNS_CAP` tool turns, and
one wall-clock deadline for the whole answer (every turn, tool call and retry wait inside it).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from metaflow_expert.agent import anthropic_client as api
from metaflow_expert.agent.pricing import estimate_cost
from metaflow_expert.agent.prompt import build_system
from metaflow_expert.agent.tools import TOOL_SPECS, Toolbox
from metaflow_expert.agent.types import AskEvent, AskSettings, Citation, Usage
from metaflow_expert.agent.verify import (
    Verification,
    mark_unverified,
    native_citations,
    repair_message,
    verify_text,
)

FINAL_NUDGE = (
    "You have used the available tool turns. Answer now from what you have read, with "
    "citations, and say what you could not verify."
)


@dataclass
class AgentResult:
    text: str
    citations: list[Citation]
    usage: Usage
    repaired: bool = False
    truncated: bool = False
    tool_calls: list[str] = field(default_factory=list)


def run_agent(
    user_content: str,
    *,
    toolbox: Toolbox,
    history: list[dict[str, Any]],
    settings: AskSettings,
    on_event: Callable[[AskEvent], None] | None = None,
    cancel: threading.Event | None = None,
    client: Any = None,
) -> AgentResult:
    emit = on_event or (lambda _e: None)
    cancel = cancel or threading.Event()
    client = client or api.make_client(settings)
    deadline_at = time.monotonic() + settings.deadline_s()
    max_turns = settings.turn_limit()
    system = build_system(toolbox.index, caching=settings.prompt_caching)
    messages: list[dict[str, Any]] = [
        *copy.deepcopy(history),
        {"role": "user", "content": user_content},
    ]
    usage = Usage()
    tool_calls: list[str] = []
    repaired = False
    truncated = False
    final_text = ""
    final_blocks: list[dict[str, Any]] = []
    verification: Verification | None = None
    turn = 0
    force_answer = False
    while True:
        turn += 1
        if turn > 1:
            emit(AskEvent("reset", ""))
        emit(AskEvent("status", "Thinking…" if turn == 1 else "Reading the Metaflow source…"))
        request: dict[str, Any] = {
            "model": settings.model,
            "max_tokens": settings.max_tokens,
            "system": system,
            "tools": TOOL_SPECS,
            "messages": _with_cache_mark(messages) if settings.prompt_caching else messages,
        }
        if force_answer:
            request["tool_choice"] = {"type": "none"}
        result = api.run_turn(
            client,
            request,
            settings,
            on_text=lambda t: emit(AskEvent("text", t)),
            on_retry=lambda m: emit(AskEvent("status", m)),
            cancel=cancel,
            deadline_at=deadline_at,
        )
        usage.add(_usage(result.usage, settings.model))
        messages.append({"role": "assistant", "content": _echo(result.content)})
        tool_uses = [b for b in result.content if b["type"] == "tool_use"]
        if result.stop_reason == "tool_use" and tool_uses and not force_answer:
            results = []
            for block in tool_uses:
                out = toolbox.run(block["name"], block.get("input") or {})
                tool_calls.append(out.summary)
                emit(AskEvent("tool", out.summary))
                item: dict[str, Any] = {
                    "type": "tool_result",
                    "tool_use_id": block["id"],
                    "content": out.content,
                }
                if out.is_error:
                    item["is_error"] = True
                    item["content"] = [c for c in out.content if c["type"] == "text"]
                results.append(item)
            messages.append({"role": "user", "content": results})
            if turn >= max_turns:
                messages[-1]["content"].append({"type": "text", "text": FINAL_NUDGE})
                force_answer = True
            continue
        final_blocks = [b for b in result.content if b["type"] == "text"]
        final_text = "".join(b["text"] for b in final_blocks).strip()
        if not final_text:
            final_text = f"The model returned no answer (stop reason: {result.stop_reason})."
        truncated = result.stop_reason == "max_tokens"
        verification = verify_text(final_text, toolbox)
        if verification.failed and not repaired and turn < max_turns + 1:
            repaired = True
            emit(
                AskEvent(
                    "status",
                    f"Checking {len(verification.failed)} citation(s) that failed verification…",
                )
            )
            messages.append({"role": "user", "content": repair_message(verification)})
            continue
        break
    assert verification is not None
    text = mark_unverified(final_text, verification) if verification.failed else final_text
    citations = _merge(verification.citations, native_citations(final_blocks, toolbox))
    return AgentResult(text, citations, usage, repaired, truncated, tool_calls)


def _echo(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The assistant turn as sent back: text (without API citations) and tool_use blocks."""
    out = []
    for b in content:
        if b["type"] == "text":
            if b["text"]:
                out.append({"type": "text", "text": b["text"]})
        else:
            out.append(b)
    return out or [{"type": "text", "text": "(no answer)"}]


def _with_cache_mark(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy whose last user block carries ``cache_control``: each turn then reads the whole
    earlier conversation (tool results included) from the cache instead of paying for it again."""
    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        if out[i]["role"] != "user":
            continue
        msg = dict(out[i])
        content = msg["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        content = [dict(c) for c in content]
        content[-1]["cache_control"] = {"type": "ephemeral"}
        msg["content"] = content
        out[i] = msg
        break
    return out


def _usage(raw: dict[str, int], model: str) -> Usage:
    u = Usage(
        input_tokens=raw.get("input_tokens", 0),
        output_tokens=raw.get("output_tokens", 0),
        cache_creation_tokens=raw.get("cache_creation_tokens", 0),
        cache_read_tokens=raw.get("cache_read_tokens", 0),
        turns=1,
    )
    u.cost_usd = estimate_cost(
        model, u.input_tokens, u.output_tokens, u.cache_creation_tokens, u.cache_read_tokens
    )
    return u


def _merge(written: list[Citation], native: list[Citation]) -> list[Citation]:
    seen = {c.label() for c in written}
    out = list(written)
    for c in native:
        if c.label() not in seen:
            seen.add(c.label())
            out.append(c)
    return out
