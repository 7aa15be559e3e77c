"""Facts about a whole file that several flows' rules ask for, computed once per file.

Why: flow rules run once per flow, and a file may hold thousands of flows; a fact derived
from the file's text or flow list (``hasattr(self, …)`` guards, dynamic attribute markers, the
flows by name) recomputed per flow made such files quadratic (3,000 small flows: 13 s).
The memos hold their owner (file, flow, step) only weakly and drop an entry when its owner
is freed: holding them strongly kept the last 64 analyses alive (~15,000 objects each for
3,000 lines), which the cyclic collector rescanned on every older-generation pass (~2 ms
per analysis) and a language server carried as memory. The identity check still means an
id reused by a new object is never confused with the old one.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from metaflow_expert.model import FlowClass, FlowFile

T = TypeVar("T")
OwnerT = TypeVar("OwnerT")

#: What :func:`recall` returns when nothing is remembered.
MISSING: Any = object()

#: ``key -> (weak reference to the owner, value)``
WeakMemo = dict[Hashable, tuple["weakref.ref[Any]", Any]]


def recall(memo: WeakMemo, key: Hashable, owner: object) -> Any:
    """The value remembered under ``key`` for ``owner`` (the very object), else ``MISSING``."""
    entry = memo.get(key)
    if entry is None or entry[0]() is not owner:
        return MISSING
    return entry[1]


def remember(memo: WeakMemo, key: Hashable, owner: object, value: Any, limit: int = 64) -> None:
    """Remember ``value`` under ``key`` while ``owner`` lives. ``value`` must not refer to
    ``owner`` (the entry would keep it alive); ``limit`` bounds the memo all the same."""
    if len(memo) >= limit:
        memo.clear()

    def drop(ref: weakref.ref[Any]) -> None:
        entry = memo.get(key)
        if entry is not None and entry[0] is ref:
            del memo[key]

    memo[key] = (weakref.ref(owner, drop), value)


_MEMO: WeakMemo = {}
_MAX_FILES = 64


def per_file(file: FlowFile, key: str, compute: Callable[[FlowFile], T]) -> T:
    """``compute(file)``, remembered for ``file`` under ``key`` (the facts must not refer to
    the file object itself)."""
    return per_owner(file, key, compute)


def per_owner(owner: OwnerT, key: str, compute: Callable[[OwnerT], T]) -> T:
    """``compute(owner)``, remembered for that very object under ``key`` while it lives: a
    file, or a catalog that outlives many analyses. An owner that cannot be weakly
    referenced gets no memo (``compute`` runs each time)."""
    facts = recall(_MEMO, id(owner), owner)
    if facts is MISSING:
        facts = {}
        try:
            remember(_MEMO, id(owner), owner, facts, _MAX_FILES)
        except TypeError:
            return compute(owner)
    if key not in facts:
        facts[key] = compute(owner)
    return facts[key]  # type: ignore[no-any-return]


def flows_by_name(file: FlowFile) -> dict[str, FlowClass]:
    """``file.flow(name)`` as a dict (the first flow of a name wins, like ``file.flow``)."""

    def build(f: FlowFile) -> dict[str, FlowClass]:
        out: dict[str, FlowClass] = {}
        for flow in f.flows:
            out.setdefault(flow.name, flow)
        return out

    return per_file(file, "flows_by_name", build)
