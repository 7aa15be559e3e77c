"""``serve --tcp`` reads frames as forgivingly as stdio does (raw bytes over a socket).

Before: ``--tcp`` used pygls' own TCP server, whose strict reader went silent after one
malformed frame and allocated whatever ``Content-Length`` said. Now a TCP client goes through
the same reader as stdio (lsp/transport.py); these tests repeat the stdio framing tests'
shape: bad bytes, then a good request is still answered, then ``shutdown``/``exit`` work.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import threading
from typing import Any

import pytest

from .rawclient import INITIALIZE, SERVER, frame, notification, request

STATUS = request(10, "workspace/executeCommand", {"command": "metaflowExpert.status"})


class TcpServer:
    """``metaflow-expert serve --tcp 127.0.0.1:0`` and one raw socket to it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [*SERVER, "--tcp", "127.0.0.1:0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        assert self.proc.stderr is not None
        first = self.proc.stderr.readline().decode()
        match = re.search(r"listening on ([\d.]+):(\d+)", first)
        assert match, f"no address announced: {first!r}"
        self.stderr = first.encode()
        threading.Thread(target=self._drain, daemon=True).start()
        self.sock = socket.create_connection((match.group(1), int(match.group(2))), timeout=30)
        self.incoming = self.sock.makefile("rb")

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr += line

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def wait(self, msg_id: int) -> dict[str, Any]:
        """The response to ``msg_id``; socket.timeout (a test failure) after 30 s."""
        while True:
            length = None
            while True:
                line = self.incoming.readline()
                assert line, "the server closed the connection"
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n") and length is not None:
                    break
            msg = json.loads(self.incoming.read(length))
            if msg.get("id") == msg_id and "method" not in msg:
                return msg

    def close(self) -> int | None:
        self.send(frame(request(99_999, "shutdown")))
        self.wait(99_999)
        self.send(frame(notification("exit")))
        try:
            return self.proc.wait(10)
        finally:
            self.sock.close()


@pytest.fixture
def server():
    srv = TcpServer()
    srv.send(frame(INITIALIZE))
    srv.wait(1)
    srv.send(frame(notification("initialized", {})))
    yield srv
    if srv.proc.poll() is None:
        srv.proc.kill()
        srv.proc.wait()
    srv.sock.close()


def _assert_serving(srv: TcpServer) -> None:
    srv.send(frame(STATUS))
    assert "result" in srv.wait(10)
    assert srv.close() == 0


def test_a_malformed_frame_then_a_valid_request_is_answered(server):
    body = json.dumps(request(5, "workspace/executeCommand", {"command": "x"})).encode()
    # junk, a lowercase LF-only header, then a frame whose length is too short
    server.send(b"this is not a header\r\n\r\n{}\r\n")
    server.send(frame(body, header=b"content-length: %d\n\n" % len(body)))
    server.send(frame(body, header=b"Content-Length: %d\r\n\r\n" % (len(body) - 7)))
    _assert_serving(server)
    assert b"malformed frame" in server.stderr


def test_an_absurd_length_is_refused_without_allocating(server):
    server.send(b"Content-Length: %d\r\n\r\n" % 10**12)
    _assert_serving(server)
    assert b"refused a frame with Content-Length 1000000000000" in server.stderr


def test_a_bad_address_exits_2() -> None:
    proc = subprocess.run([*SERVER, "--tcp", "127.0.0.1:nope"], capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert b"--tcp needs HOST:PORT" in proc.stderr
