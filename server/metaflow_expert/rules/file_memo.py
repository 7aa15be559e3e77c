"""Facts about a whole file that several flows' rules ask for, computed once per file.

Why: flow rules run once per flow, and a file may hold thousands of flows; a fact derived
from the file's text or flow list (``hasattr(self, …)`` guards, dynamic attribute markers, the
flows by name) recomputed per flow made such files quadratic (3,000 small flows: 13 s).
The memo holds the file object itself, so an id reused by a new file is never confused
with it, and is bounded like the other memos of the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from metaflow_expert.model import FlowClass, FlowFile

T = TypeVar("T")

_MEMO: dict[int, tuple[FlowFile, dict[str, Any]]] = {}
_MAX_FILES = 64


def per_file(file: FlowFile, key: str, compute: Callable[[FlowFile], T]) -> T:
    """``compute(file)``, remembered for ``file`` under ``key``."""
    entry = _MEMO.get(id(file))
    if entry is None or entry[0] is not file:
        if len(_MEMO) >= _MAX_FILES:
            _MEMO.clear()
        entry = (file, {})
        _MEMO[id(file)] = entry
    facts = entry[1]
    if key not in facts:
        facts[key] = compute(file)
    return facts[key]  # type: ignore[no-any-return]


def flows_by_name(file: FlowFile) -> dict[str, FlowClass]:
    """``file.flow(name)`` as a dict (the first flow of a name wins, like ``file.flow``)."""

    def build(f: FlowFile) -> dict[str, FlowClass]:
        out: dict[str, FlowClass] = {}
        for flow in f.flows:
            out.setdefault(flow.name, flow)
        return out

    return per_file(file, "flows_by_name", build)
