"""Conversation memory keeps whole question/answer pairs, newest first, within the budget."""

from __future__ import annotations

from metaflow_expert.agent.history import ConversationStore


def test_trimmed_to_budget_keeping_newest_pairs() -> None:
    store = ConversationStore()
    for i in range(5):
        store.append("c", f"q{i} " + "x" * 400, f"a{i} " + "y" * 400)
    kept = store.get("c", budget_tokens=450)
    assert [m["role"] for m in kept] == ["user", "assistant", "user", "assistant"]
    assert kept[0]["content"].startswith("q3") and kept[-1]["content"].startswith("a4")
    assert store.get("c", budget_tokens=10) == []
    assert store.get("other", budget_tokens=10_000) == []


def test_oldest_conversations_are_dropped() -> None:
    store = ConversationStore(max_conversations=2)
    for cid in ("a", "b", "c"):
        store.append(cid, "q", "a")
    assert store.get("a", 1000) == [] and store.get("c", 1000)
