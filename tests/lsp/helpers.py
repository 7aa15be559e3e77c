"""Helpers for the LSP tests: open/edit documents, wait for what the server sends.

Waiting is bounded by a generous guard (WAIT_S) against hangs; nothing asserts on time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

WAIT_S = 90.0  # a guard against hanging, not an assertion about speed


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.resolve().as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="python",
                version=version,
                text=path.read_text() if text is None else text,
            )
        )
    )
    return uri


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def wait_diagnostics(
    client: LanguageClient, uri: str, predicate=lambda d: True
) -> list[types.Diagnostic]:
    """The next diagnostics for ``uri`` that satisfy ``predicate``."""

    async def loop() -> list[types.Diagnostic]:
        while True:
            got = client.diagnostics.get(uri)
            if got is not None and predicate(list(got)):
                return list(got)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(loop(), WAIT_S)


async def status(client: LanguageClient) -> dict[str, Any]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="metaflowExpert.status", arguments=[])
    )
    return dict(result) if not isinstance(result, dict) else result


async def wait_ready(client: LanguageClient, need_index: bool = False) -> dict[str, Any]:
    """Poll ``metaflowExpert.status`` until the decorator catalog (or the full index) is loaded."""

    async def loop() -> dict[str, Any]:
        while True:
            st = await status(client)
            if st["state"] in ("ready", "error") or (st.get("catalog") and not need_index):
                return st
            await asyncio.sleep(0.1)

    st = await asyncio.wait_for(loop(), WAIT_S)
    assert st["state"] == "ready" or (st.get("catalog") and not need_index), st
    return st


def pos_of(text: str, needle: str, offset: int = 1, occurrence: int = 0) -> types.Position:
    """Position (UTF-16 == code points for ASCII test files) inside the n-th ``needle``."""
    idx = -1
    for _ in range(occurrence + 1):
        idx = text.index(needle, idx + 1)
    line = text.count("\n", 0, idx)
    col = idx - (text.rfind("\n", 0, idx) + 1)
    return types.Position(line=line, character=col + offset)


def hover_text(result: types.Hover | None) -> str:
    assert result is not None
    contents = result.contents
    return contents.value if isinstance(contents, types.MarkupContent) else str(contents)
