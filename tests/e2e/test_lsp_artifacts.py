"""Artifact hovers show values from a real local run: the flow is run with Metaflow's local
datastore in a temporary folder, then a real server (over stdio, pytest-lsp's client) is asked
about ``self.x`` until the run reader (a subprocess of the interpreter) has answered."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

FLOW = """from metaflow import FlowSpec, step


class TinyFlow(FlowSpec):
    @step
    def start(self):
        self.x = 42
        self.words = ["alpha", "beta"]
        self.next(self.end)

    @step
    def end(self):
        print(self.x, self.words)


if __name__ == "__main__":
    TinyFlow()
"""
GUARD_S = 120.0  # against hangs only


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(tmp / "home"),
        METAFLOW_HOME=str(tmp / "mfhome"),
        USERNAME="tester",
        USER="tester",
        METAFLOW_DEFAULT_DATASTORE="local",
        METAFLOW_DEFAULT_METADATA="local",
        # a private datastore: Metaflow otherwise walks up from the cwd to any `.metaflow`
        METAFLOW_DATASTORE_SYSROOT_LOCAL=str(tmp / "datastore"),
    )
    (tmp / "home").mkdir()
    (tmp / "mfhome").mkdir()
    return env


async def _hover(client, uri: str, text: str, needle: str) -> str:
    idx = text.index(needle) + len("self.") + 1
    line = text.count("\n", 0, idx)
    col = idx - (text.rfind("\n", 0, idx) + 1)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=col),
        )
    )
    assert result is not None
    return result.contents.value


async def _session(env: dict[str, str], flow: Path):
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "metaflow_expert", "serve"], server_env=env
    )
    client = await config.start()
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"runs": {"timeoutSeconds": 90}},
        )
    )
    text = flow.read_text()
    uri = flow.resolve().as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    return client, uri, text


async def _until(client, uri: str, text: str, needle: str, done) -> str:
    async def loop() -> str:
        while True:
            md = await _hover(client, uri, text, needle)
            if done(md):
                return md
            await asyncio.sleep(0.2)

    return await asyncio.wait_for(loop(), GUARD_S)


async def test_artifact_hover_before_any_run_says_so(tmp_path: Path):
    env = _env(tmp_path)
    flow = tmp_path / "tiny_flow.py"
    flow.write_text(FLOW)
    client, uri, text = await _session(env, flow)
    try:
        first = await _hover(client, uri, text, "self.x = 42")
        assert "Set in: `start`" in first
        md = await _until(client, uri, text, "self.x = 42", lambda m: "in the background" not in m)
        assert "no successful run" in md or "no runs" in md, md
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_artifact_hover_shows_value_from_latest_run(tmp_path: Path):
    env = _env(tmp_path)
    flow = tmp_path / "tiny_flow.py"
    flow.write_text(FLOW)
    run = subprocess.run(
        [sys.executable, str(flow), "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    client, uri, text = await _session(env, flow)
    try:
        md = await _until(client, uri, text, "self.x = 42", lambda m: "Latest run `TinyFlow/" in m)
        assert "`int`" in md and "= `42`" in md, md
        md = await _until(client, uri, text, "self.words", lambda m: "Latest run `TinyFlow/" in m)
        assert "`list`" in md and "'alpha'" in md, md
    finally:
        await client.shutdown_session()
        await client.stop()
