"""Conversation memory per conversation id, in process, trimmed to a token budget.

Only the questions and final answers are kept (not tool transcripts): follow-ups get the
thread of the conversation without re-paying for every passage read before.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

MAX_CONVERSATIONS = 100


def estimate_tokens(text: str) -> int:
    """About four characters per token: enough to keep history under a budget."""
    return len(text) // 4 + 1


class ConversationStore:
    def __init__(self, max_conversations: int = MAX_CONVERSATIONS) -> None:
        self._items: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_conversations

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex[:12]

    def get(self, conversation_id: str, budget_tokens: int) -> list[dict[str, Any]]:
        """Earlier turns (user/assistant text messages), newest kept when over budget."""
        with self._lock:
            turns = list(self._items.get(conversation_id, ()))
        kept: list[dict[str, Any]] = []
        used = 0
        for i in range(len(turns) - 2, -1, -2):  # whole (user, assistant) pairs, newest first
            pair = turns[i : i + 2]
            cost = sum(estimate_tokens(m["content"]) for m in pair)
            if used + cost > budget_tokens:
                break
            kept = pair + kept
            used += cost
        return kept

    def append(self, conversation_id: str, question: str, answer: str) -> None:
        with self._lock:
            turns = self._items.setdefault(conversation_id, [])
            turns.append({"role": "user", "content": question})
            turns.append({"role": "assistant", "content": answer})
            del turns[:-40]
            self._items.move_to_end(conversation_id)
            while len(self._items) > self._max:
                self._items.popitem(last=False)


STORE = ConversationStore()


def conversation_file(conversation_id: str) -> Path:
    """Where the CLI keeps a conversation between processes (the server keeps it in memory)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", conversation_id)[:80] or "default"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "metaflow-expert" / "conversations" / f"{safe}.json"


def load_into(store: ConversationStore, conversation_id: str) -> None:
    try:
        turns = json.loads(conversation_file(conversation_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    for i in range(0, len(turns) - 1, 2):
        q, a = turns[i], turns[i + 1]
        if isinstance(q, dict) and isinstance(a, dict):
            store.append(conversation_id, str(q.get("content", "")), str(a.get("content", "")))


def save_from(store: ConversationStore, conversation_id: str) -> None:
    with store._lock:
        turns = list(store._items.get(conversation_id, ()))
    path = conversation_file(conversation_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(turns), encoding="utf-8")
    except OSError:
        pass
