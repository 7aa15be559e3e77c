"""The one module that talks to the Anthropic Messages API (and the only one importing ``anthropic``).

``anthropic`` costs seconds to import, so it is imported inside :func:`make_client`, i.e. only
when a question actually goes to the API. One model turn is :func:`run_turn`: a streamed
request (text deltas go to ``on_text``), retried with backoff on 429, 529, 5xx and timeouts,
cancellable through a ``threading.Event``, and turned into plain dicts. Failures become
:class:`AskError` with one line a user can act on; :class:`Unreachable` tells the caller to fall
back to the offline answer. The API key is never put in a message or a log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from metaflow_expert.agent.types import AskCancelled, AskError, AskSettings

MAX_RETRY_AFTER_S = 20.0


class Unreachable(AskError):
    """No connection to the API (DNS, refused, timeouts after retries)."""


@dataclass
class TurnResult:
    content: list[dict[str, Any]]
    stop_reason: str | None
    usage: dict[str, int] = field(default_factory=dict)
    model: str = ""


def make_client(settings: AskSettings) -> Any:
    import anthropic  # lazy: ≈ seconds, only for questions that go to the API

    if not settings.api_key:
        raise AskError("no API key: set ANTHROPIC_API_KEY or ask with --offline")
    kwargs: dict[str, Any] = {
        "api_key": settings.api_key,
        "timeout": settings.timeout,
        "max_retries": 0,  # retries are ours: cancellable, configurable backoff
    }
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    return anthropic.Anthropic(**kwargs)


def run_turn(
    client: Any,
    request: dict[str, Any],
    settings: AskSettings,
    *,
    on_text: Callable[[str], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> TurnResult:
    """One model turn with retries. Raises AskError/Unreachable/AskCancelled."""
    cancel = cancel or threading.Event()
    attempt = 0
    while True:
        if cancel.is_set():
            raise AskCancelled("cancelled")
        try:
            return _in_thread(client, request, settings, on_text, cancel)
        except AskCancelled:
            raise
        except Exception as exc:
            kind, message, retry_after = classify(exc, settings)
            if kind == "retry" and attempt < settings.retries:
                delay = (
                    retry_after
                    if retry_after is not None
                    else settings.retry_backoff * (2**attempt)
                )
                attempt += 1
                if on_retry:
                    on_retry(f"{message}; retry {attempt}/{settings.retries} in {delay:.1f} s")
                if cancel.wait(min(delay, MAX_RETRY_AFTER_S)):
                    raise AskCancelled("cancelled")
                continue
            if kind == "retry" and attempt:
                message = f"{message} (after {attempt} retries)"
            if kind == "unreachable" or (kind == "retry" and "timed out" in message):
                raise Unreachable(message)
            raise AskError(message)


def _in_thread(
    client: Any,
    request: dict[str, Any],
    settings: AskSettings,
    on_text: Callable[[str], None] | None,
    cancel: threading.Event,
) -> TurnResult:
    """Run the HTTP call on a daemon thread so a cancel returns at once, even mid-response."""
    results: list[TurnResult] = []
    errors: list[BaseException] = []
    done = threading.Event()
    holder: dict[str, Any] = {}

    def work() -> None:
        try:
            results.append(_call(client, request, settings, on_text, cancel, holder))
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=work, name="metaflow-expert-ask", daemon=True).start()
    while not done.wait(0.05):
        if cancel.is_set():
            stream = holder.get("stream")
            if stream is not None:
                try:
                    stream.close()
                except Exception:
                    pass
            raise AskCancelled("cancelled")
    if cancel.is_set():
        raise AskCancelled("cancelled")
    if errors:
        raise errors[0]
    return results[0]


def _call(
    client: Any,
    request: dict[str, Any],
    settings: AskSettings,
    on_text: Callable[[str], None] | None,
    cancel: threading.Event,
    holder: dict[str, Any],
) -> TurnResult:
    if not settings.stream:
        message = client.messages.create(**request)
        return _result(message)
    with client.messages.stream(**request) as stream:
        holder["stream"] = stream
        for event in stream:
            if cancel.is_set():
                raise AskCancelled("cancelled")
            if event.type == "text" and on_text is not None:
                on_text(event.text)
        message = stream.get_final_message()
    return _result(message)


def _result(message: Any) -> TurnResult:
    content: list[dict[str, Any]] = []
    for block in getattr(message, "content", None) or []:
        btype = getattr(block, "type", None)
        if btype == "text":
            item: dict[str, Any] = {"type": "text", "text": block.text}
            cits = getattr(block, "citations", None)
            if cits:
                item["citations"] = [
                    c.model_dump() if hasattr(c, "model_dump") else dict(c) for c in cits
                ]
            content.append(item)
        elif btype == "tool_use":
            content.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
            )
    if not content and getattr(message, "stop_reason", None) is None:
        raise AskError("unexpected response from the Anthropic API: no content")
    u = getattr(message, "usage", None)
    usage = {
        "input_tokens": int(getattr(u, "input_tokens", 0) or 0),
        "output_tokens": int(getattr(u, "output_tokens", 0) or 0),
        "cache_creation_tokens": int(getattr(u, "cache_creation_input_tokens", 0) or 0),
        "cache_read_tokens": int(getattr(u, "cache_read_input_tokens", 0) or 0),
    }
    return TurnResult(
        content, getattr(message, "stop_reason", None), usage, str(getattr(message, "model", ""))
    )


def classify(exc: BaseException, settings: AskSettings) -> tuple[str, str, float | None]:
    """(kind, one-line message, retry-after seconds): kind is retry | unreachable | fatal."""
    import anthropic

    key = settings.api_key or ""

    def scrub(text: str) -> str:
        text = " ".join(str(text).split())[:300]
        return text.replace(key, "***") if key else text

    if isinstance(exc, anthropic.APITimeoutError):
        return "retry", f"Anthropic API request timed out after {settings.timeout:g} s", None
    if isinstance(exc, anthropic.APIConnectionError):
        where = settings.base_url or "api.anthropic.com"
        return (
            "unreachable",
            f"cannot reach the Anthropic API at {where} ({scrub(str(exc.__cause__ or exc))})",
            None,
        )
    if isinstance(exc, anthropic.APIStatusError):
        status = int(getattr(exc, "status_code", 0) or 0)
        etype, emsg = _error_body(getattr(exc, "body", None))
        detail = scrub(emsg or str(exc))
        retry_after = _retry_after(getattr(exc, "response", None))
        if status == 401 or etype == "authentication_error":
            return (
                "fatal",
                "Anthropic API rejected the API key (401): check ANTHROPIC_API_KEY",
                None,
            )
        if status == 403 or etype == "permission_error":
            return "fatal", f"Anthropic API refused access (403): {detail}", None
        if status == 404 or etype == "not_found_error":
            return (
                "fatal",
                f"Anthropic API: not found (404) — is the model id {settings.model!r} right? {detail}",
                None,
            )
        if status == 429 or etype == "rate_limit_error":
            return "retry", "Anthropic API rate limit hit (429)", retry_after
        if status == 529 or etype == "overloaded_error":
            return "retry", "Anthropic API is overloaded (529)", retry_after
        if status >= 500 or etype == "api_error":
            return "retry", f"Anthropic API server error ({status or etype})", retry_after
        if status == 413:
            return "fatal", "Anthropic API: request too large (413)", None
        return "fatal", f"Anthropic API rejected the request ({status}): {detail}", None
    if isinstance(exc, AskError):
        return "fatal", str(exc), None
    return (
        "fatal",
        f"unexpected response from the Anthropic API: {type(exc).__name__}: {scrub(str(exc))}",
        None,
    )


def _error_body(body: Any) -> tuple[str | None, str | None]:
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return err.get("type"), err.get("message")
    return None, None


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None
