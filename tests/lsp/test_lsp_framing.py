"""The server answers every request and keeps serving after bad frames (raw bytes over stdio).

Before: after one malformed frame (a lowercase ``content-length``, LF-only headers, a length
that is off) the process stayed alive but answered nothing again, not even ``shutdown``; a
``Content-Length`` of 10^12 crashed it with ``MemoryError``; a request with invalid params got
no response, only a traceback in the log. Each test sends the bad bytes, then a good request,
and asserts both the answer and that ``shutdown``/``exit`` still work.
"""

from __future__ import annotations

import json

import pytest

from .rawclient import RawServer, frame, notification, request

STATUS = "metaflowExpert.status"


def _status(msg_id: int) -> dict:
    return request(msg_id, "workspace/executeCommand", {"command": STATUS, "arguments": []})


@pytest.fixture
def server():
    srv = RawServer()
    srv.start()
    yield srv
    if srv.proc.poll() is None:
        srv.proc.kill()
        srv.proc.wait()


def _assert_serving(srv: RawServer, msg_id: int = 50) -> None:
    srv.send(frame(_status(msg_id)))
    assert "result" in srv.wait(msg_id)
    assert srv.stop() == 0


def test_lowercase_header_name_is_accepted(server):
    body = json.dumps(_status(10)).encode()
    server.send(frame(body, header=b"content-length: %d\r\n\r\n" % len(body)))
    assert "result" in server.wait(10)
    _assert_serving(server)


def test_lf_only_header_lines_are_accepted(server):
    body = json.dumps(_status(10)).encode()
    server.send(frame(body, header=b"Content-Length: %d\nContent-Type: x\n\n" % len(body)))
    assert "result" in server.wait(10)
    _assert_serving(server)


def test_a_length_too_short_costs_that_frame_only(server):
    body = json.dumps(_status(10)).encode()
    server.send(frame(body, header=b"Content-Length: %d\r\n\r\n" % (len(body) - 7)))
    _assert_serving(server)


def test_a_length_too_long_swallows_no_later_request(server):
    body = json.dumps(_status(10)).encode()
    server.send(frame(body, header=b"Content-Length: %d\r\n\r\n" % (len(body) + 12)))
    _assert_serving(server)
    assert any(m.get("id") == 10 and "result" in m for m in server.seen)


def test_junk_between_frames_is_skipped(server):
    server.send(b"this is not a header\r\n\r\n{}\r\nX-Other: 1\r\n\r\n")
    _assert_serving(server)


@pytest.mark.parametrize("length", [10**12, 0, 10**30])
def test_an_absurd_length_is_refused_without_allocating(server, length):
    server.send(b"Content-Length: %d\r\n\r\n" % length)
    _assert_serving(server)
    assert server.proc.returncode == 0


@pytest.mark.parametrize(
    "params",
    [
        {"textDocument": {"uri": "file:///x.py"}, "position": {"line": -1, "character": 0}},
        [],
        {"textDocument": {"uri": "file:///x.py"}},
    ],
    ids=["line -1", "params []", "no position"],
)
def test_invalid_params_get_an_invalid_params_error(server, params):
    server.send(frame(request(7, "textDocument/hover", params)))
    reply = server.wait(7)
    assert reply["error"]["code"] == -32602
    assert "textDocument/hover" in reply["error"]["message"]
    _assert_serving(server)


def test_exit_without_shutdown_ends_with_code_1(server):
    server.send(frame(notification("exit")))
    assert server.proc.wait(10) == 1


def test_the_api_key_never_reaches_stderr_or_the_client():
    key = "sk-ant-api03-SECRETKEYVALUE_abcdef0123456789"
    srv = RawServer(env={"ANTHROPIC_API_KEY": key})
    try:
        srv.start()
        bad = {"textDocument": {"uri": f"file:///{key}.py"}, "position": {"line": -1}}
        srv.send(frame(request(7, "textDocument/hover", bad)))
        srv.wait(7)
        srv.send(frame(request(8, "textDocument/hover", {"textDocument": key})))
        srv.wait(8)
        srv.send(frame(notification("window/logMessage", {"bogus": key})))
        _assert_serving(srv)
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
    assert b"SECRETKEYVALUE" not in srv.stderr
    assert "SECRETKEYVALUE" not in json.dumps(srv.seen)
