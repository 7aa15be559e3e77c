"""The reader under pygls: turns whatever the client sends into well-formed frames.

Why a wrapper: pygls' reader accepts exactly ``Content-Length: N\\r\\n`` and, after anything
else (a lowercase ``content-length``, LF-only headers, a length that is off), stays alive but
never answers again, not even ``shutdown``; a ``Content-Length`` of 10^12 makes it allocate
and die with ``MemoryError``. This reader sits between stdin and pygls (pygls only calls
``readline`` and ``read``) and hands pygls canonical frames only:

- header names in any case, ``\\r\\n`` or ``\\n`` line ends;
- junk before or inside a header block is logged and skipped up to the next
  ``Content-Length`` (found anywhere in a line, so a body cut short resynchronises at the
  header glued to its tail);
- a length over :data:`MAX_BODY` (or zero) is logged and refused before anything is read;
- a body longer than its JSON (the length was too large and swallowed the next frame's
  start) is cut after the JSON value, and the rest is read again as the next frame.

A body cut short cannot be repaired: pygls logs it as unparsable and the next frame is read.

The same reader serves stdio and TCP: :func:`serve_tcp` accepts one client and hands its
socket to pygls' stdio loop, so a TCP client gets exactly the framing stdio gets (pygls' own
TCP server reads frames with its strict reader).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import sys
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)

#: bodies above this are refused unread (lint.maxFileChars is 1 M characters by default; a
#: document of that size is at most 4 MB of UTF-8, JSON-escaped at most ~6x)
MAX_BODY = 64 * 1024 * 1024

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\d{1,18})(?!\d)", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9\-]*[ \t]*:[^\r\n]*\r?\n?")
_DECODER = json.JSONDecoder()


class FrameReader:
    """A binary stream offering ``readline``/``read`` that yield only well-formed frames."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.pending = b""  # bytes taken from the stream that belong to the next frames
        self.queue: list[bytes] = []  # the current canonical frame, in the order pygls reads

    # ---- what pygls calls ---------------------------------------------------------------
    def readline(self) -> bytes:
        if not self.queue:
            frame = self.next_body()
            if frame is None:
                return b""  # end of input
            self.queue = [b"Content-Length: %d\r\n" % len(frame), b"\r\n", frame]
        return self.queue.pop(0)

    def read(self, n: int) -> bytes:
        if self.queue:
            return self.queue.pop(0)
        return self._read_exact(n)  # pygls never asks outside a frame; be a stream anyway

    # ---- parsing ------------------------------------------------------------------------
    def next_body(self) -> bytes | None:
        """The next frame's body, or None at the end of input."""
        while True:
            length = self._read_headers()
            if length is None:
                return None
            if length == 0 or length > MAX_BODY:
                log.warning("refused a frame with Content-Length %d; resynchronising", length)
                continue
            body = self._read_exact(length)
            if len(body) < length:
                return None
            return self._trim(body)

    def _read_headers(self) -> int | None:
        """Read a header block; the announced length (None at the end of input)."""
        length: int | None = None
        while True:
            line = self._readline()
            if not line:
                return None
            match = _CONTENT_LENGTH.search(line)
            if match is not None:
                if match.start() > 0 or length is not None:
                    log.warning("malformed frame before a Content-Length header; skipped")
                length = int(match.group(1))
                continue
            if not line.strip():
                if length is not None:
                    return length
                continue  # stray blank line between frames
            if _HEADER_LINE.fullmatch(line):
                continue  # Content-Type or another header
            log.warning("malformed frame (%d bytes of junk); resynchronising", len(line))
            length = None

    def _trim(self, body: bytes) -> bytes:
        """``body`` up to the end of its JSON value when more follows it (the length was too
        large and took the start of the next frame); the rest goes back to be read again.
        A body that ends like a JSON-RPC message and holds no header is left as it is (the
        common case: no second parse)."""
        if body.rstrip().endswith((b"}", b"]")) and _CONTENT_LENGTH.search(body) is None:
            return body
        try:
            text = body.decode("utf-8")
            _value, end = _DECODER.raw_decode(text)
        except (ValueError, UnicodeDecodeError):
            return body
        rest = text[end:].encode("utf-8")
        if not rest.strip():
            return body
        log.warning("frame longer than its JSON body; %d bytes read again", len(rest))
        self.pending = rest + self.pending
        return text[:end].encode("utf-8")

    # ---- the stream, with the bytes put back ---------------------------------------------
    def _readline(self) -> bytes:
        if self.pending:
            cut = self.pending.find(b"\n")
            if cut >= 0:
                line, self.pending = self.pending[: cut + 1], self.pending[cut + 1 :]
                return line
            line, self.pending = self.pending, b""
            return line + self.stream.readline()
        return self.stream.readline()

    def _read_exact(self, n: int) -> bytes:
        out = self.pending[:n]
        self.pending = self.pending[n:]
        while len(out) < n:
            chunk = self.stream.read(n - len(out))
            if not chunk:
                break
            out += chunk
        return out


def serve_tcp(server: LanguageServer, host: str, port: int) -> None:
    """Listen on ``host:port``, serve the first client through a :class:`FrameReader`, return
    when it disconnects.

    Why one client: the server keeps one document store and one writer, as pygls' own TCP
    server does (it shuts down after its first connection ends). The bound address goes to
    stderr, so ``--tcp 127.0.0.1:0`` can be used with the port the system chose."""
    with socket.create_server((host, port)) as listener:
        bound_host, bound_port = listener.getsockname()[:2]
        print(f"metaflow-expert serve: listening on {bound_host}:{bound_port}", file=sys.stderr)
        sys.stderr.flush()
        conn, _addr = listener.accept()
    with conn, conn.makefile("rb") as incoming, conn.makefile("wb") as outgoing:
        server.start_io(stdin=FrameReader(incoming), stdout=outgoing)  # type: ignore[arg-type]
