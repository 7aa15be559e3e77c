"""Garbage in, server still up: binary text, a 5 MB file, random incremental edits, requests at
positions beyond the text. After each, the server must still answer requests."""

from __future__ import annotations

import random
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc

FLOW = Path(__file__).parent / "flows" / "train_flow.py"


async def _alive(client: LanguageClient, uri: str) -> None:
    await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=3, character=8),
        )
    )
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert symbols is not None
    st = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="metaflowExpert.status", arguments=[])
    )
    assert st["state"] in ("starting", "indexing", "ready", "error")


async def test_binary_document(client: LanguageClient, tmp_path: Path):
    rng = random.Random(7)
    junk = "".join(chr(rng.choice([0, 1, 0xFFFD, 0x1F600, *range(32, 127)])) for _ in range(20000))
    path = tmp_path / "junk.py"
    path.write_text("x")
    uri = open_doc(client, path, junk)
    await _alive(client, uri)


async def test_five_megabyte_document(client: LanguageClient, tmp_path: Path):
    text = FLOW.read_text()
    big = text + ("# filler line to make the file large " * 3 + "\n") * (5_000_000 // 115)
    path = tmp_path / "big.py"
    path.write_text("x")
    uri = open_doc(client, path, big)
    await _alive(client, uri)


async def test_random_edits_and_out_of_range_requests(client: LanguageClient, tmp_path: Path):
    rng = random.Random(11)
    text = FLOW.read_text()
    path = tmp_path / "flow.py"
    path.write_text(text)
    uri = open_doc(client, path, text)
    pieces = [
        "self.next(",
        "@step",
        ")",
        "(",
        "\n",
        "    ",
        "'",
        '"""',
        "é😀",
        "def ",
        "self.",
        ":",
        "\t",
    ]
    for version in range(2, 202):
        line = rng.randrange(0, 40)
        col = rng.randrange(0, 60)
        end = types.Position(line=line + rng.randrange(0, 2), character=rng.randrange(0, 60))
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=col),
                            end=max(
                                end,
                                types.Position(line=line, character=col),
                                key=lambda p: (p.line, p.character),
                            ),
                        ),
                        text=rng.choice(pieces),
                    )
                ],
            )
        )
        if version % 25 == 0:
            await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(
                        line=rng.randrange(0, 500), character=rng.randrange(0, 500)
                    ),
                )
            )
            await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(
                        line=rng.randrange(0, 500), character=rng.randrange(0, 500)
                    ),
                )
            )
    await _alive(client, uri)
