"""One pathological document does not hold the others: a hover in another file answers in
under a second while it is being analysed, and ``exit`` ends the process at once.

Before: every request for every open file waited behind one document (parsing and the
completion context ran on the event loop, analyses on one worker). The pathological document
here is a flow with a 20,000-term ``self.a + self.a + …`` expression (180 KB), which took
12–14 s to parse; the parser may get faster, the rule here stays: another document's hover
must not wait for it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, pos_of, replace_all, wait_diagnostics
from .rawclient import RawServer, frame, notification, request

FLOWS = Path(__file__).parent / "flows"


def pathological_flow(terms: int = 20_000) -> str:
    expr = " + ".join(["self.a"] * terms)
    return (
        "from metaflow import FlowSpec, step\n\n\n"
        "class SlowFlow(FlowSpec):\n"
        "    @step\n"
        "    def start(self):\n"
        "        self.a = 1\n"
        f"        self.b = {expr}\n"
        "        self.next(self.end)\n\n"
        "    @step\n"
        "    def end(self):\n"
        "        pass\n"
    )


async def test_another_documents_hover_waits_less_than_a_second(client: LanguageClient):
    path = FLOWS / "train_flow.py"
    text = path.read_text()
    uri = open_doc(client, path)
    await wait_diagnostics(client, uri)  # the engine is warm
    slow = FLOWS / "slow_flow.py"  # never written to disk: the text comes with didOpen
    open_doc(client, slow, pathological_flow())
    await asyncio.sleep(0.5)  # the slow analysis (and its parse) are running now
    text += "\n# edited\n"  # a new version: the hover needs a new analysis of this file
    replace_all(client, uri, text, version=2)
    t0 = time.perf_counter()
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=pos_of(text, "def start", offset=5),
        )
    )
    elapsed = time.perf_counter() - t0
    assert result is not None
    assert elapsed < 1.0, f"hover waited {elapsed:.2f} s behind the pathological document"


def test_exit_during_a_long_lint_returns_promptly():
    srv = RawServer()
    try:
        srv.start()
        doc = {"uri": "file:///tmp/slow_flow.py", "languageId": "python", "version": 1,
               "text": pathological_flow()}  # fmt: skip
        srv.send(frame(notification("textDocument/didOpen", {"textDocument": doc})))
        time.sleep(1.0)  # the lint is running
        t0 = time.perf_counter()
        srv.send(frame(request(5, "shutdown")))
        srv.wait(5, timeout=10)
        srv.send(frame(notification("exit")))
        code = srv.proc.wait(timeout=30)
        elapsed = time.perf_counter() - t0
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
    assert code == 0
    assert elapsed < 3.0, f"exit took {elapsed:.1f} s"
