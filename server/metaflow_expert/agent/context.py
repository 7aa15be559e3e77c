"""Editor context for a question: the flow file, the cursor line, the step and decorators there.

Rendered as plain text at the top of the user message (not the system prompt, which stays
cacheable). The flow model comes from :mod:`metaflow_expert.parsing`; if parsing is
unavailable the numbered lines around the cursor are sent instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metaflow_expert.agent.types import AskContext

MAX_STEP_LINES = 80
MAX_SELECTION_CHARS = 4_000
WINDOW = 15


def as_context(value: AskContext | dict[str, Any] | None) -> AskContext | None:
    """Accept an :class:`AskContext`, a dict (``path``/``uri``, ``line``, ``text``, ``selection``) or None."""
    if value is None or isinstance(value, AskContext):
        return value
    if isinstance(value, dict):
        line = value.get("line")
        return AskContext(
            path=value.get("path") or value.get("file") or value.get("uri"),
            line=int(line) if isinstance(line, (int, float, str)) and str(line).isdigit() else None,
            text=value.get("text"),
            selection=value.get("selection"),
        )
    return None


def render_context(ctx: AskContext | None) -> str:
    if ctx is None or (ctx.path is None and ctx.text is None and not ctx.selection):
        return ""
    text = ctx.text
    if text is None and ctx.path:
        try:
            text = Path(ctx.path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = None
    parts = ["<editor_context>", f"File: {ctx.path or '(unsaved)'}"]
    if ctx.line:
        parts.append(f"Cursor line: {ctx.line}")
    if text is not None:
        parts.extend(_describe(text, ctx.path or "<memory>", ctx.line))
    if ctx.selection:
        parts.append("Selected text:\n```python\n" + ctx.selection[:MAX_SELECTION_CHARS] + "\n```")
    parts.append("</editor_context>")
    return "\n".join(parts)


def _describe(text: str, path: str, line1: int | None) -> list[str]:
    lines = text.splitlines()
    step_desc = _step_at(text, path, line1) if line1 else None
    if step_desc:
        return step_desc
    if not line1:
        return []
    lo, hi = max(1, line1 - WINDOW), min(len(lines), line1 + WINDOW)
    body = "\n".join(f"{i:>4}  {lines[i - 1]}" for i in range(lo, hi + 1))
    return [f"Lines {lo}-{hi}:\n```python\n{body}\n```"]


def _step_at(text: str, path: str, line1: int) -> list[str] | None:
    try:
        from metaflow_expert.parsing import parse_flow_file  # type: ignore[attr-defined]

        flow_file = parse_flow_file(text, path)
    except Exception:
        return None
    line0 = line1 - 1
    lines = text.splitlines()
    for flow in flow_file.flows:
        if not (flow.span.start_line <= line0 <= flow.span.end_line):
            continue
        out = [f"Flow: {flow.name} (line {flow.line1}); steps: {', '.join(flow.steps)}"]
        for step in flow.steps.values():
            if step.span.start_line <= line0 <= step.span.end_line:
                decos = [d.written + ("(…)" if d.has_call else "") for d in step.decorators]
                out.append(
                    f"Step at cursor: {step.name} (def on line {step.func_lineno}); decorators: {', '.join('@' + d for d in decos)}"
                )
                lo = step.span.start_line + 1
                hi = min(step.span.end_line + 1, lo + MAX_STEP_LINES - 1)
                body = "\n".join(
                    f"{i:>4}  {lines[i - 1]}" for i in range(lo, min(hi, len(lines)) + 1)
                )
                out.append(f"```python\n{body}\n```")
                return out
        return out
    return None


def context_terms(ctx: AskContext | None) -> str:
    """``@name`` for each decorator of the step at the cursor: the offline search has no model to
    read the context, so "what does this decorator do?" is searched with the decorators named."""
    if ctx is None or not ctx.line:
        return ""
    text = ctx.text
    if text is None and ctx.path:
        try:
            text = Path(ctx.path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    if not text:
        return ""
    try:
        from metaflow_expert.parsing import parse_flow_file  # type: ignore[attr-defined]

        flow_file = parse_flow_file(text, ctx.path or "<memory>")
    except Exception:
        return ""
    line0 = ctx.line - 1
    for flow in flow_file.flows:
        for step in flow.steps.values():
            if step.span.start_line <= line0 <= step.span.end_line:
                return " ".join(f"@{d.name}" for d in step.other_decorators)
    return ""
