"""The API key echoed in an API error body never reaches the server's stderr or the client.

The leak reported: the ask command's one-line error was scrubbed, but pygls logged the
request's failure with its traceback, whose chained exception was the API error carrying the
key, on stderr at the default log level. (The agent now raises its error ``from None``; the
server scrubs every channel anyway, ``lsp/secrets.py``, so a chain added later cannot leak.)
Here the fake Messages API answers 400 with the key in its message."""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

from .rawclient import RawServer, frame, request

_spec = importlib.util.spec_from_file_location(
    "fake_anthropic_for_lsp_secrets", Path(__file__).parents[1] / "agent" / "fake_anthropic.py"
)
assert _spec and _spec.loader
fake_anthropic = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fake_anthropic
_spec.loader.exec_module(fake_anthropic)

KEY = "sk-ant-api03-ECHOEDKEYVALUE_0123456789abcdef"


def _wait_index(srv: RawServer, deadline_s: float = 120.0) -> None:
    end = time.monotonic() + deadline_s
    msg_id = 100
    while time.monotonic() < end:
        msg_id += 1
        srv.send(
            frame(
                request(
                    msg_id,
                    "workspace/executeCommand",
                    {"command": "metaflowExpert.status", "arguments": []},
                )
            )
        )
        if srv.wait(msg_id)["result"].get("index"):
            return
        time.sleep(0.2)
    raise AssertionError("the index did not load")


def test_a_key_echoed_by_the_api_never_reaches_stderr_or_the_client():
    reply = fake_anthropic.Status(400, "invalid_request_error", f"invalid x-api-key: {KEY}")
    with fake_anthropic.FakeAnthropic([reply]) as fake:
        srv = RawServer(env={"ANTHROPIC_BASE_URL": fake.base_url, "ANTHROPIC_API_KEY": KEY})
        try:
            srv.start()
            _wait_index(srv)
            params = {
                "command": "metaflowExpert.ask",
                "arguments": [{"question": "What is foreach?"}],
            }
            srv.send(frame(request(7, "workspace/executeCommand", params)))
            answer = srv.wait(7, timeout=60)
            assert "error" in answer
            assert srv.stop() == 0
        finally:
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait()
    assert fake.requests, "the question never reached the fake API"
    assert b"ECHOEDKEYVALUE" not in srv.stderr
    assert "ECHOEDKEYVALUE" not in json.dumps(srv.seen)
