"""The Ask feature's data: what a caller passes in and what it gets back.

Kept free of any SDK or LSP type so the CLI, the language server and the tests share one
vocabulary, and so importing it costs nothing (``anthropic`` loads only when a question goes to
the API).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Literal

DEFAULT_MODEL = "claude-sonnet-5-5"
"""A current Sonnet-class model: the best grounded answers per dollar; ``claude-haiku-5-5`` is cheaper."""

MAX_TURNS_CAP = 50
"""Tool-use turns per answer, whatever the setting says: each turn is a paid API call, and a
model that never stops calling tools must not run up a bill (1,000,000 once allowed 1,096 calls)."""

DEFAULT_DEADLINE_S = 120.0
"""Wall-clock budget for one answer, all turns and retries included: keep-alive pings reset the
HTTP read timeout, so without it a stalled stream kept ``ask`` waiting for minutes."""


class AskError(Exception):
    """A failure the user should read as one line (bad key, rate limit, overloaded, bad response)."""


class AskCancelled(AskError):
    """The caller set the cancel event; no answer is produced."""


class AskIncomplete(AskError):
    """The API stopped mid-answer (a stream without ``message_stop``, or the deadline passed).

    ``partial`` is the text received so far, already marked incomplete, so a front end can show
    what arrived without passing it off as the whole answer.
    """

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = mark_incomplete(partial) if partial.strip() else ""


INCOMPLETE_MARK = "[incomplete: the answer was cut off]"


def mark_incomplete(text: str) -> str:
    return f"{text.rstrip()}\n\n{INCOMPLETE_MARK}"


@dataclass(frozen=True)
class Citation:
    """A ``path:line`` (or ``path:line-end_line``) the answer relies on.

    ``path`` is relative to the indexed Metaflow root (``metaflow/flowspec.py``) or the name of a
    knowledge doc. ``verified`` is true only when the file exists in the index, the lines exist
    and the cited lines contain the symbol the sentence names.
    """

    path: str
    line: int
    end_line: int | None = None
    verified: bool = False
    reason: str | None = None

    def label(self) -> str:
        if self.end_line and self.end_line != self.line:
            return f"{self.path}:{self.line}-{self.end_line}"
        return f"{self.path}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "verified": self.verified,
        }


@dataclass
class Usage:
    """Tokens spent on one answer (summed over every API turn) and the estimated cost."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float | None = 0.0
    turns: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_creation_tokens += other.cache_creation_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.turns += other.turns
        if self.cost_usd is None or other.cost_usd is None:
            self.cost_usd = None
        else:
            self.cost_usd += other.cost_usd

    def to_json(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_tokens": self.cache_creation_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 6),
            "turns": self.turns,
        }


@dataclass
class AskSettings:
    """How to reach the model. The key comes from ``ANTHROPIC_API_KEY`` and is never printed.

    ``base_url`` defaults to ``ANTHROPIC_BASE_URL`` (the SDK's own default when unset).
    ``retries``/``retry_backoff``: attempts after the first on 429, 529, 5xx and timeouts, with
    exponential backoff starting at ``retry_backoff`` seconds (a ``retry-after`` header wins).
    ``prompt_caching`` marks the system prompt, the docs and the growing conversation with
    ``cache_control`` so later turns are billed at the cache-read price.
    ``max_turns`` is clamped to 1..:data:`MAX_TURNS_CAP` where it is used (the server assigns
    fields after construction); ``deadline`` is the whole answer's budget in seconds.
    """

    model: str = DEFAULT_MODEL
    base_url: str | None = field(
        default_factory=lambda: os.environ.get("ANTHROPIC_BASE_URL") or None
    )
    max_turns: int = 12
    max_tokens: int = 4096
    api_key: str | None = field(
        default_factory=lambda: os.environ.get("ANTHROPIC_API_KEY") or None, repr=False
    )
    timeout: float = 120.0
    offline: bool = False
    retries: int = 3
    retry_backoff: float = 0.5
    prompt_caching: bool = True
    history_tokens: int = 8000
    stream: bool = True
    deadline: float = DEFAULT_DEADLINE_S

    def turn_limit(self) -> int:
        """``max_turns`` as the loop obeys it: at least 1, at most :data:`MAX_TURNS_CAP`."""
        try:
            return max(1, min(int(self.max_turns), MAX_TURNS_CAP))
        except (TypeError, ValueError):
            return AskSettings.max_turns

    def deadline_s(self) -> float:
        """``deadline`` as obeyed: a positive finite number of seconds, else the default."""
        try:
            value = float(self.deadline)
        except (TypeError, ValueError):
            return DEFAULT_DEADLINE_S
        return value if 0 < value < float("inf") else DEFAULT_DEADLINE_S


@dataclass(frozen=True)
class AskContext:
    """Where the user is in the editor: a flow file, the 1-based cursor line, an optional selection.

    ``text`` is the file's current content (unsaved edits included); when absent the file is
    read from ``path``.
    """

    path: str | None = None
    line: int | None = None
    text: str | None = None
    selection: str | None = None


EventKind = Literal["status", "text", "reset", "tool", "note"]


@dataclass(frozen=True)
class AskEvent:
    """Progress for a streaming front end.

    ``status``: a short phase message ("Searching the Metaflow source…"). ``text``: a delta of
    answer text. ``reset``: text streamed so far is superseded (a new model turn, or the repaired
    answer follows). ``tool``: a tool call, ``text`` = a one-line summary. ``note``: a remark
    such as the offline fallback reason.
    """

    kind: EventKind
    text: str


@dataclass
class Answer:
    """A grounded answer. ``mode`` is ``"agent"`` (the model answered) or ``"offline"``."""

    answer: str
    citations: list[Citation]
    mode: Literal["agent", "offline"]
    not_found: bool = False
    usage: Usage = field(default_factory=Usage)
    conversation_id: str | None = None
    note: str | None = None
    version: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "mode": self.mode,
            "not_found": self.not_found,
            "usage": self.usage.to_json(),
            "conversation_id": self.conversation_id,
            "note": self.note,
            "version": self.version,
        }
