"""Keep the API key and URL credentials out of everything the server writes.

Why every channel, not the one-line message: the agent already scrubs the message it builds
from an API error, but the traceback of that error carries the chained exception whose text
is the API's error body, and an API that echoes the key puts it there. That traceback reaches
stderr through the logging handler (at the default level), the editor through
``window/logMessage`` (``log_exception``), and the client through a JSON-RPC error's data. So
the scrub sits at the last step of each: the log formatter, ``MetaflowLanguageServer.log``,
the error responses, and stderr itself (for what bypasses logging: thread excepthooks,
warnings).

What is hidden: the value of ``ANTHROPIC_API_KEY`` (read when scrubbing, so a key set after
start-up is covered), anything shaped like an Anthropic key (``sk-ant-…``), and the
``user:password@`` part of a URL. Every pattern is linear on any input.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any, TextIO

MASK = "***"

_KEY_SHAPE = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")
# ``scheme://user:pass@``: the scheme may only start where no scheme character precedes
# (else a long run of letters would be rescanned from each of its characters).
_URL_CREDENTIALS = re.compile(r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]*://)[^\s/@]+@")
#: environment variables whose values are secrets (their values are masked wherever they occur)
SECRET_VARIABLES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")


def scrub(text: str) -> str:
    """``text`` with every secret replaced by ``***``."""
    if not text:
        return text
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 8 and value in text:
            text = text.replace(value, MASK)
    if "sk-ant-" in text:
        text = _KEY_SHAPE.sub(MASK, text)
    if "://" in text:
        text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + MASK + "@", text)
    return text


def scrub_value(value: Any) -> Any:
    """``scrub`` through the strings of a JSON-like value (an error response's ``data``)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_value(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v) for k, v in value.items()}
    return value


class ScrubbingFormatter(logging.Formatter):
    """A formatter whose whole output (message, traceback, chained causes) is scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class ScrubbingStream:
    """A text stream (stderr) that scrubs what is written to it. A secret split across two
    ``write`` calls is not caught; Python writes each traceback line in one call."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(scrub(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding, buffer, ...
        return getattr(self.stream, name)
