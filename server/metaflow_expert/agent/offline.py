"""The answer without a model: best-ranked doc sections and source passages, with citations.

Used when there is no API key, when asked (``--offline``) and as the fallback when the API is
unreachable. The summary is extractive (first sentences of the matching docstrings and doc
sections), so everything shown is text from the indexed source. When the best match scores
below :data:`NOT_FOUND_SCORE` the answer says plainly that the question is not covered by the
indexed Metaflow version.
"""

from __future__ import annotations

import re
from typing import Any

from metaflow_expert.agent.files import PathRefused
from metaflow_expert.agent.tools import Toolbox
from metaflow_expert.agent.types import Answer, Citation
from metaflow_expert.agent.verify import check_one

NOT_FOUND_SCORE = 0.0
"""Calibrated with ``tests/knowledge/search_questions.json`` (see ``scripts/bench_ask.py``):
the top hit's score for questions about things Metaflow lacks stays below it, and above it for
the answerable ones."""

SHOW_PASSAGES = 4
EXCERPT_LINES = 12
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`@(])")


def answer_offline(
    question: str,
    index: Any,
    *,
    toolbox: Toolbox | None = None,
    threshold: float | None = None,
    extra_terms: str = "",
) -> Answer:
    toolbox = toolbox or Toolbox(index)
    version = str(getattr(index, "version", "?"))
    query = f"{question} {extra_terms}".strip()
    try:
        hits = list(index.search(query, k=10))
    except Exception as exc:
        return Answer(f"Search failed: {exc}", [], "offline", not_found=True, version=version)
    limit = NOT_FOUND_SCORE if threshold is None else threshold
    if not hits or float(getattr(hits[0], "score", 0.0)) < limit:
        text = (
            f"**Not found in Metaflow {version}.** Nothing in the indexed source or knowledge docs "
            "matches this question well, so no answer is given (offline mode: no model was asked)."
        )
        return Answer(text, [], "offline", not_found=True, version=version)
    shown = _dedupe(hits)[:SHOW_PASSAGES]
    summary: list[str] = []
    passages: list[str] = []
    citations: list[Citation] = []
    for hit in shown:
        path, line = str(hit.path), int(hit.line or 1)
        end = int(getattr(hit, "end_line", 0) or line)
        symbol = str(getattr(hit, "symbol", "") or "")
        names = tuple(s for s in (symbol.rsplit(".", 1)[-1],) if s and s.isidentifier())
        cite = check_one(path, line, None, names, toolbox)
        citations.append(cite)
        lines = _lines(toolbox, path)
        sentence = _first_sentences(lines, line, end)
        label = f"`{symbol}`" if symbol else "This passage"
        if sentence:
            summary.append(f"- {label} ({cite.label()}): {sentence}")
        excerpt_end = min(end if end >= line else line, line + EXCERPT_LINES - 1, len(lines))
        code = (
            "\n".join(lines[line - 1 : excerpt_end]) if lines else str(getattr(hit, "snippet", ""))
        )
        lang = "python" if path.endswith(".py") else ""
        passages.append(
            f"**{cite.label()}**"
            + (f" — `{symbol}`" if symbol else "")
            + f"\n```{lang}\n{code}\n```"
        )
    head = f"Offline answer for Metaflow {version} (no model was asked): the best-matching passages of the indexed source and docs."
    parts = [head]
    if summary:
        parts.append("\n".join(summary))
    parts.append("\n\n".join(passages))
    return Answer("\n\n".join(parts), citations, "offline", not_found=False, version=version)


def _dedupe(hits: list[Any]) -> list[Any]:
    seen: set[tuple[str, int]] = set()
    out = []
    for h in hits:
        key = (str(h.path), int(h.line or 0))
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


def _lines(toolbox: Toolbox, path: str) -> list[str]:
    docs = getattr(toolbox.index, "docs", {}) or {}
    if path in docs:
        return docs[path].splitlines()
    try:
        return toolbox.lines(path)
    except PathRefused:
        return []


def _first_sentences(lines: list[str], line: int, end: int, n: int = 2) -> str:
    """First sentences of the docstring after a ``def``/``class`` line, or of a doc section."""
    if not lines or line > len(lines):
        return ""
    window = lines[line - 1 : min(len(lines), max(end, line) + 30)]
    text = ""
    joined = "\n".join(window)
    m = re.search(r'(?:"""|\'\'\')(.*?)(?:"""|\'\'\')', joined, re.S)
    if m and lines[line - 1].lstrip().startswith(("def ", "class ", "async def ", "@")):
        text = m.group(1)
    elif not lines[line - 1].lstrip().startswith(("def ", "class ", "@", "import", "from")):
        body = [
            ln for ln in window[1:] if ln.strip() and not ln.startswith(("#", "```", "|", "    "))
        ]
        text = " ".join(body[:6]) if lines[line - 1].startswith("#") else ""
    text = " ".join(text.split())
    if not text:
        return ""
    sentences = _SENTENCE.split(text)
    out = " ".join(sentences[:n])
    return out[:400] + ("…" if len(out) > 400 else "")
