"""A scripted stand-in for the Anthropic Messages API, served over real HTTP on 127.0.0.1.

Point the product at it with ``ANTHROPIC_BASE_URL=fake.base_url`` (and any ``ANTHROPIC_API_KEY``).
Each ``POST /v1/messages`` takes the next reply of the script: a message (sent as SSE when the
request streams, JSON otherwise), an HTTP error, a malformed body, a slow reply, a mid-stream
error event, a stream cut before ``message_stop`` or a stream of endless keep-alive pings. Requests are recorded (``fake.requests``) for assertions. Usage is computed from
the request the way the API bills it, prompt caching included: the prefix up to each
``cache_control`` breakpoint is written to the cache the first time and read from it after.

Usable from any test (agent, LSP, e2e)::

    with FakeAnthropic([tool_call("search", {"query": "retry"}), text_reply("...")]) as fake:
        env = {"ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": "test-key"}
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Message:
    content: list[dict[str, Any]]
    stop_reason: str = "end_turn"
    usage: dict[str, int] | None = None  # None: computed from the request


@dataclass
class Status:
    status: int
    error_type: str = "api_error"
    message: str = "scripted error"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Raw:
    body: str
    status: int = 200
    content_type: str = "application/json"


@dataclass
class Slow:
    seconds: float
    reply: Any


@dataclass
class StreamError:
    """A 200 SSE response that starts a message, then sends an ``error`` event."""

    error_type: str = "overloaded_error"
    message: str = "Overloaded"


@dataclass
class Cut:
    """The streamed ``reply`` with its last ``drop`` events left out (by default the
    ``message_delta`` and ``message_stop``): the connection closes cleanly mid-answer."""

    reply: Message
    drop: int = 2


@dataclass
class Pings:
    """A 200 SSE response: ``message_start``, some text, then a ``ping`` every ``every`` seconds
    until the client hangs up or the server stops. Each ping resets a client's read timeout."""

    text: str = "Partial answer that never"
    every: float = 0.2


_ids = itertools.count(1)


def text_reply(text: str, citations: list[dict[str, Any]] | None = None) -> Message:
    block: dict[str, Any] = {"type": "text", "text": text}
    if citations:
        block["citations"] = citations
    return Message([block])


def tool_call(name: str, args: dict[str, Any], *, text: str = "", id: str | None = None) -> Message:
    blocks: list[dict[str, Any]] = []
    if text:
        blocks.append({"type": "text", "text": text})
    blocks.append(
        {"type": "tool_use", "id": id or f"toolu_{next(_ids):04d}", "name": name, "input": args}
    )
    return Message(blocks, stop_reason="tool_use")


def tool_calls(*calls: tuple[str, dict[str, Any]]) -> Message:
    return Message(
        [
            {"type": "tool_use", "id": f"toolu_{next(_ids):04d}", "name": n, "input": a}
            for n, a in calls
        ],
        stop_reason="tool_use",
    )


def _tokens(obj: Any) -> int:
    return max(1, len(json.dumps(obj, sort_keys=True)) // 4)


class FakeAnthropic:
    """The server; a context manager. ``replies`` are consumed in order, one per request."""

    def __init__(
        self,
        replies: list[Any] | None = None,
        *,
        model: str = "claude-sonnet-5-5",
        default: Any = None,
        port: int = 0,
    ) -> None:
        self.script: list[Any] = list(replies or [])
        self.default = default  # the reply once the script is used up (None: a 500 error)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.model = model
        self._cache: set[str] = set()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, *replies: Any) -> None:
        with self._lock:
            self.script.extend(replies)

    def start(self) -> FakeAnthropic:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- billing --------------------------------------------------------------------------
    def usage_for(self, request: dict[str, Any], output: list[dict[str, Any]]) -> dict[str, int]:
        """Input split into cache reads/writes/uncached the way prompt caching bills it."""
        units: list[tuple[Any, bool]] = []
        for tool in request.get("tools") or []:
            units.append((tool, "cache_control" in tool))
        system = request.get("system") or []
        if isinstance(system, str):
            system = [{"type": "text", "text": system}]
        for block in system:
            units.append((block, "cache_control" in block))
        for msg in request.get("messages") or []:
            content = msg.get("content")
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            for i, block in enumerate(content or []):
                units.append(
                    (
                        {"role": msg.get("role"), "i": i, "block": block},
                        isinstance(block, dict) and "cache_control" in block,
                    )
                )
        clean = [_strip_cache(u) for u, _ in units]
        sizes = [_tokens(u) for u in clean]
        total = sum(sizes)
        breakpoints = [i for i, (_u, bp) in enumerate(units) if bp]
        read = created = 0
        if breakpoints:
            digest = hashlib.sha256()
            hashes = []
            for u in clean:
                digest.update(json.dumps(u, sort_keys=True).encode())
                hashes.append(digest.hexdigest())
            with self._lock:
                # the longest cached prefix ending at or before the last breakpoint (the API also
                # finds prefixes written at earlier requests' breakpoints)
                last = breakpoints[-1]
                hit = max((i for i in range(last + 1) if hashes[i] in self._cache), default=-1)
                for bp in breakpoints:
                    self._cache.add(hashes[bp])
            read = sum(sizes[: hit + 1])
            created = sum(sizes[hit + 1 : breakpoints[-1] + 1])
        return {
            "input_tokens": total - read - created,
            "output_tokens": sum(_tokens(b) for b in output),
            "cache_creation_input_tokens": created,
            "cache_read_input_tokens": read,
        }


def _strip_cache(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_cache(v) for k, v in obj.items() if k != "cache_control"}
    if isinstance(obj, list):
        return [_strip_cache(v) for v in obj]
    return obj


def _handler_for(fake: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            with fake._lock:
                fake.requests.append(body)
                fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                if fake.script:
                    reply = fake.script.pop(0)
                elif fake.default is not None:
                    reply = fake.default
                else:
                    reply = Status(500, "api_error", "fake: script exhausted")
            self._reply(reply, body)

        def _reply(self, reply: Any, body: dict[str, Any]) -> None:
            if isinstance(reply, Slow):
                end = time.monotonic() + reply.seconds
                while time.monotonic() < end and not fake.stopping.is_set():
                    time.sleep(0.02)
                if fake.stopping.is_set():
                    return
                reply = reply.reply
            if isinstance(reply, Status):
                payload = json.dumps(
                    {"type": "error", "error": {"type": reply.error_type, "message": reply.message}}
                )
                self._send(reply.status, payload.encode(), "application/json", reply.headers)
            elif isinstance(reply, Raw):
                self._send(reply.status, reply.body.encode(), reply.content_type, {})
            elif isinstance(reply, StreamError):
                events = [
                    (
                        "message_start",
                        {
                            "type": "message_start",
                            "message": _message_shell(
                                fake.model, {"input_tokens": 1, "output_tokens": 0}
                            ),
                        },
                    ),
                    (
                        "error",
                        {
                            "type": "error",
                            "error": {"type": reply.error_type, "message": reply.message},
                        },
                    ),
                ]
                self._send(200, _sse(events), "text/event-stream", {})
            elif isinstance(reply, Cut):
                usage = reply.reply.usage or fake.usage_for(body, reply.reply.content)
                events = _stream_events(reply.reply, usage, fake.model)[: -reply.drop or None]
                self._send(200, _sse(events), "text/event-stream", {})
            elif isinstance(reply, Pings):
                self._pings(reply)
            elif isinstance(reply, Message):
                usage = reply.usage or fake.usage_for(body, reply.content)
                if body.get("stream"):
                    self._send(
                        200, _sse(_stream_events(reply, usage, fake.model)), "text/event-stream", {}
                    )
                else:
                    msg = _message_shell(fake.model, usage)
                    msg["content"] = copy.deepcopy(reply.content)
                    msg["stop_reason"] = reply.stop_reason
                    self._send(200, json.dumps(msg).encode(), "application/json", {})
            else:
                self._send(
                    500,
                    b'{"type":"error","error":{"type":"api_error","message":"fake: bad script item"}}',
                    "application/json",
                    {},
                )

        def _pings(self, reply: Pings) -> None:
            shell = _message_shell(fake.model, {"input_tokens": 1, "output_tokens": 1})
            first = [
                ("message_start", {"type": "message_start", "message": shell}),
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    },
                ),
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": reply.text},
                    },
                ),
            ]
            try:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")  # the body ends when the socket does
                self.end_headers()
                self.wfile.write(_sse(first))
                self.wfile.flush()
                while not fake.stopping.wait(reply.every):
                    self.wfile.write(_sse([("ping", {"type": "ping"})]))
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def _send(self, status: int, payload: bytes, ctype: str, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.send_header("request-id", f"req_fake_{next(_ids)}")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def _message_shell(model: str, usage: dict[str, int]) -> dict[str, Any]:
    return {
        "id": f"msg_fake_{next(_ids)}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": dict(usage),
    }


def _stream_events(
    reply: Message, usage: dict[str, int], model: str
) -> list[tuple[str, dict[str, Any]]]:
    start_usage = dict(usage, output_tokens=1)
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": _message_shell(model, start_usage)})
    ]
    for i, block in enumerate(reply.content):
        if block["type"] == "text":
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": i,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            text = block["text"]
            for j in range(0, len(text), 40):
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": i,
                            "delta": {"type": "text_delta", "text": text[j : j + 40]},
                        },
                    )
                )
            for cit in block.get("citations") or []:
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": i,
                            "delta": {"type": "citations_delta", "citation": cit},
                        },
                    )
                )
        elif block["type"] == "tool_use":
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": i,
                        "content_block": {
                            "type": "tool_use",
                            "id": block["id"],
                            "name": block["name"],
                            "input": {},
                        },
                    },
                )
            )
            events.append(
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": i,
                        "delta": {
                            "type": "input_json_delta",
                            "partial_json": json.dumps(block["input"]),
                        },
                    },
                )
            )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": usage["output_tokens"]},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _sse(events: list[tuple[str, dict[str, Any]]]) -> bytes:
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events).encode()


def reply_from_json(item: dict[str, Any]) -> Any:
    """``{"text": ...}``, ``{"tool": name, "input": {...}}``, ``{"status": 429, "error_type": ...}``,
    ``{"slow": seconds, "then": {...}}``: the script format of the command line."""
    if "slow" in item:
        return Slow(float(item["slow"]), reply_from_json(item.get("then") or {"text": ""}))
    if "status" in item:
        return Status(
            int(item["status"]),
            item.get("error_type", "api_error"),
            item.get("message", "scripted error"),
        )
    if "tool" in item:
        return tool_call(item["tool"], item.get("input") or {})
    return text_reply(str(item.get("text", "")))


def main(argv: list[str] | None = None) -> int:
    """Serve until killed, for end-to-end tests of other processes (the editor, the CLI):
    prints the base URL on the first line of stdout."""
    import argparse

    ap = argparse.ArgumentParser(description="scripted fake Anthropic Messages API on 127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--script", help="JSON file: a list of replies (see reply_from_json)")
    ap.add_argument("--text", default=None, help="reply with this text once the script is used up")
    args = ap.parse_args(argv)
    replies = []
    if args.script:
        with open(args.script, encoding="utf-8") as fh:
            replies = [reply_from_json(r) for r in json.load(fh)]
    default = text_reply(args.text) if args.text is not None else None
    fake = FakeAnthropic(replies, default=default, port=args.port).start()
    print(fake.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
