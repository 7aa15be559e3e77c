"""A raw-frame LSP client: the real ``metaflow-expert serve`` process, spoken to in bytes.

Why not pytest-lsp here: its client writes only well-formed frames, and the failures these
tests pin down are in framing (a lowercase header, LF-only lines, a wrong length) or in what
the server writes to stderr. A reader thread splits stdout into frames; ``wait`` finds a
response by id."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import Any

SERVER = [sys.executable, "-m", "metaflow_expert", "serve"]


def frame(payload: dict[str, Any] | bytes, *, header: bytes | None = None) -> bytes:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    head = header if header is not None else b"Content-Length: %d\r\n\r\n" % len(body)
    return head + body


def request(msg_id: int, method: str, params: Any = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        msg["params"] = params
    return msg


def notification(method: str, params: Any = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        msg["params"] = params
    return msg


INITIALIZE = request(
    1,
    "initialize",
    {
        "processId": None,
        "rootUri": None,
        "capabilities": {},
        "initializationOptions": {"lint": {"debounceMs": 0}, "logLevel": "debug"},
    },
)


class RawServer:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.stderr = b""
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n") and length is not None:
                    break
            self.messages.put(json.loads(out.read(length)))

    def _read_stderr(self) -> None:
        err = self.proc.stderr
        assert err is not None
        for chunk in iter(lambda: err.read1(65536), b""):
            self.stderr += chunk

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait(self, msg_id: Any, timeout: float = 30.0) -> dict[str, Any]:
        """The response to request ``msg_id`` (AssertionError after ``timeout`` seconds)."""
        for msg in self.seen:
            if msg.get("id") == msg_id and "method" not in msg:
                return msg
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no response to request {msg_id!r} in {timeout} s")
            try:
                msg = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(msg)
            if msg.get("id") == msg_id and "method" not in msg:
                return msg

    def start(self) -> None:
        self.send(frame(INITIALIZE))
        self.wait(1)
        self.send(frame(notification("initialized", {})))

    def stop(self, timeout: float = 10.0) -> int | None:
        try:
            self.send(frame(request(99_999, "shutdown")))
            self.wait(99_999, timeout)
            self.send(frame(notification("exit")))
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
