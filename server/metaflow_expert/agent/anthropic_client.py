"""The one module that talks to the Anthropic Messages API (and the only one importing ``anthropic``).

``anthropic`` costs seconds to import, so it is imported inside :func:`make_client`, i.e. only
when a question actually goes to the API. One model turn is :func:`run_turn`: a streamed
request (text deltas go to ``on_text``), retried with backoff on 429, 529, 5xx and timeouts,
cancellable through a ``threading.Event``, bounded by the answer's deadline, and turned into
plain dicts. Failures become :class:`AskError` with one line a user can act on, raised ``from
None`` so no chained SDK traceback (whose text may echo the key) reaches a log;
:class:`Unreachable` tells the caller to fall back to the offline answer. A stream that ends
without ``message_stop`` is :class:`AskIncomplete`, never a complete answer. Every message passes
through :func:`scrub_secrets` first: the API key and URL credentials never reach the user.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from metaflow_expert.agent.types import AskCancelled, AskError, AskIncomplete, AskSettings

MAX_RETRY_AFTER_S = 20.0
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]*(?::[^/\s@]*)?@")
_KEY_SHAPED = re.compile(r"\bsk-ant-[A-Za-z0-9_-]{8,}")


def scrub_secrets(text: str, key: str | None = None) -> str:
    """``text`` with the API key, anything shaped like an Anthropic key and the credentials of
    any URL (``https://user:pass@host``) replaced by ``***``: an error body or a proxy URL may
    echo them, and what we print ends up in terminals, logs and bug reports."""
    text = str(text)
    if key:
        text = text.replace(key, "***")
    text = _KEY_SHAPED.sub("***", text)
    return _URL_CREDENTIALS.sub(r"\1***@", text)


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
    deadline_at: float | None = None,
) -> TurnResult:
    """One model turn with retries, ending by ``deadline_at`` (``time.monotonic()``; default:
    the settings' deadline from now). Raises AskError/AskIncomplete/Unreachable/AskCancelled."""
    cancel = cancel or threading.Event()
    if deadline_at is None:
        deadline_at = time.monotonic() + settings.deadline_s()
    attempt = 0
    while True:
        if cancel.is_set():
            raise AskCancelled("cancelled")
        if time.monotonic() >= deadline_at:
            raise deadline_error(settings) from None
        try:
            return _in_thread(client, request, settings, on_text, cancel, deadline_at)
        except AskCancelled:
            raise
        except AskIncomplete:
            raise
        except Exception as exc:
            kind, message, retry_after = classify(exc, settings)
        if kind == "retry" and attempt < settings.retries:
            delay = (
                retry_after if retry_after is not None else settings.retry_backoff * (2**attempt)
            )
            # the wait we announce is the wait we do: capped, and never past the deadline
            wait = max(0.0, min(delay, MAX_RETRY_AFTER_S, deadline_at - time.monotonic()))
            attempt += 1
            if on_retry:
                on_retry(f"{message}; retry {attempt}/{settings.retries} in {wait:.1f} s")
            if cancel.wait(wait):
                raise AskCancelled("cancelled")
            continue
        if kind == "retry" and attempt:
            message = f"{message} (after {attempt} retries)"
        if kind == "unreachable" or (kind == "retry" and "timed out" in message):
            raise Unreachable(message) from None
        raise AskError(message) from None


def deadline_error(settings: AskSettings, partial: str = "") -> AskIncomplete:
    return AskIncomplete(
        f"no complete answer within the {settings.deadline_s():g} s deadline "
        "(raise it with --deadline or the ask.deadlineSeconds setting)",
        partial,
    )


def _in_thread(
    client: Any,
    request: dict[str, Any],
    settings: AskSettings,
    on_text: Callable[[str], None] | None,
    cancel: threading.Event,
    deadline_at: float,
) -> TurnResult:
    """Run the HTTP call on a daemon thread so a cancel or the deadline returns at once, even
    mid-response (keep-alive pings would otherwise keep the read alive indefinitely)."""
    results: list[TurnResult] = []
    errors: list[BaseException] = []
    done = threading.Event()
    holder: dict[str, Any] = {"text": []}

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
            _close(holder)
            raise AskCancelled("cancelled")
        if time.monotonic() >= deadline_at:
            _close(holder)
            raise deadline_error(settings, "".join(holder["text"]))
    if cancel.is_set():
        raise AskCancelled("cancelled")
    if errors:
        raise errors[0]
    return results[0]


def _close(holder: dict[str, Any]) -> None:
    stream = holder.get("stream")
    if stream is not None:
        try:
            stream.close()
        except Exception:
            pass


def _call(
    client: Any,
    request: dict[str, Any],
    settings: AskSettings,
    on_text: Callable[[str], None] | None,
    cancel: threading.Event,
    holder: dict[str, Any],
) -> TurnResult:
    if not settings.stream:
        raw = client.messages.with_raw_response.create(**request)
        try:
            message = raw.parse()
        except Exception as exc:
            raise malformed(raw.http_response, exc) from None
        return _result(message, raw.http_response)
    with client.messages.stream(**request) as stream:
        holder["stream"] = stream
        started = stopped = False
        try:
            for event in stream:
                if cancel.is_set():
                    raise AskCancelled("cancelled")
                started = started or event.type == "message_start"
                stopped = stopped or event.type == "message_stop"
                if event.type == "text":
                    holder["text"].append(event.text)
                    if on_text is not None:
                        on_text(event.text)
        except (AskError, _api_error()):
            raise
        except Exception as exc:
            if type(exc).__module__.split(".")[0].startswith("httpx"):
                if not started:
                    raise  # a transport failure before any answer: classified like any other
                raise AskIncomplete(
                    f"the connection to the Anthropic API broke mid-answer ({type(exc).__name__})",
                    "".join(holder["text"]),
                ) from None
            # an undecodable event: the body is not the API's SSE
            raise malformed(stream.response, exc) from None
        if not started:
            raise malformed(stream.response, None)
        if not stopped:
            raise AskIncomplete(
                "the Anthropic API stream ended before message_stop: the answer is incomplete",
                "".join(holder["text"]),
            )
        message = stream.get_final_message()
    return _result(message, stream.response)


def _api_error() -> type[Exception]:
    import anthropic

    return anthropic.APIError


def malformed(response: Any, exc: BaseException | None) -> AskError:
    """A body that is not a Messages API response, named by what the user can check: the HTTP
    status and content type (often a proxy's HTML page or a wrong ``base_url``)."""
    status = getattr(response, "status_code", "?")
    headers = getattr(response, "headers", None) or {}
    ctype = headers.get("content-type") or "none"
    detail = f": {type(exc).__name__}" if exc is not None else ""
    return AskError(
        f"malformed response from the Anthropic API (HTTP {status}, content-type {ctype}){detail}"
    )


def _result(message: Any, response: Any = None) -> TurnResult:
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
        raise malformed(response, None)
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

    def scrub(text: str) -> str:
        # scrub before cutting, so a key straddling the cut is never half-printed
        return " ".join(scrub_secrets(str(text), settings.api_key).split())[:300]

    if isinstance(exc, anthropic.APITimeoutError):
        return "retry", f"Anthropic API request timed out after {settings.timeout:g} s", None
    if isinstance(exc, anthropic.APIConnectionError):
        where = scrub(settings.base_url or "api.anthropic.com")
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
        return "fatal", scrub(str(exc)), None
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
