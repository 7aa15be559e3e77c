"""The API key and URL credentials never reach what the server writes: log lines, tracebacks
with their chained exceptions, stderr, ``window/logMessage`` and JSON-RPC error data.

The case that leaked: the API's error body echoed the key; the agent's one-line message was
scrubbed, the chained exception's traceback (printed by the log handler at the default level)
was not."""

from __future__ import annotations

import io
import logging

import pytest

from metaflow_expert.lsp.secrets import ScrubbingFormatter, ScrubbingStream, scrub, scrub_value

KEY = "sk-ant-api03-THISISTHEKEY_0123456789abcdef"


@pytest.fixture(autouse=True)
def _key_in_environment(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)


def _chained_error() -> BaseException:
    try:
        try:
            raise ValueError(f'{{"error": {{"message": "invalid x-api-key {KEY}"}}}}')
        except ValueError as body:
            raise RuntimeError("Anthropic API rejected the request (400): ***") from body
    except RuntimeError as exc:
        return exc


def test_a_chained_exception_in_a_log_record_never_shows_the_key():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ScrubbingFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test_secrets")
    logger.addHandler(handler)
    try:
        exc = _chained_error()
        logger.error("ask failed: %s", KEY, exc_info=(type(exc), exc, exc.__traceback__))
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "invalid x-api-key" in out  # the chained traceback was printed
    assert KEY not in out and "THISISTHEKEY" not in out


def test_stderr_writes_are_scrubbed():
    raw = io.StringIO()
    err = ScrubbingStream(raw)
    err.write(f"Traceback: key={KEY}\n")
    assert KEY not in raw.getvalue() and "***" in raw.getvalue()


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        (f"Bearer {KEY}", KEY),
        ("other key sk-ant-admin01-abcDEF_123-xyz here", "abcDEF_123"),
        ("GET https://alice:s3cret@proxy.example.com/v1", "s3cret"),
        ("http://token@internal:8080/x", "token@"),
    ],
)
def test_secret_shapes_are_masked(text, gone):
    assert gone not in scrub(text)


def test_error_data_is_scrubbed_through_nested_values():
    data = {"traceback": [f"line {KEY}"], "n": 1}
    assert scrub_value(data) == {"traceback": ["line ***"], "n": 1}


def test_scrub_is_linear_on_a_1mb_line():
    import time

    t0 = time.perf_counter()
    scrub("a" * 1_000_000 + "://")
    scrub("sk-ant-" + "a" * 1_000_000)
    scrub("x://" * 250_000)
    assert time.perf_counter() - t0 < 2
