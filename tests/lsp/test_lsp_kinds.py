"""Hovers and completion name the kind of what they show (issue 12, "name the kinds"), over a
real server: a quoted config variable, environment variable or CLI flag in a flow is
explained from the index entries with its kind, default and definition; completion inside
``os.environ["`` offers the variables Metaflow reads, and every completion item's ``detail``
starts with what the item is."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import hover_text, open_doc, pos_of, replace_all, wait_ready

FLOW_TEXT = '''import os

from metaflow import FlowSpec, Runner, batch, current, step


class KindsFlow(FlowSpec):
    """Reads configuration the way real flows do."""

    @batch(cpu=2)
    @step
    def start(self):
        self.store = os.environ.get("METAFLOW_DEFAULT_DATASTORE", "local")
        self.home = os.environ["METAFLOW_HOME"]
        self.args = ["--max-workers", "4"]
        self.greeting = "hello"
        self.next(self.end)

    @step
    def end(self):
        print(current.run_id)


if __name__ == "__main__":
    KindsFlow()
'''
CITE = re.compile(r"`(metaflow/[\w/.]+\.py):(\d+)`")


async def _hover(client: LanguageClient, uri: str, text: str, needle: str) -> str | None:
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=pos_of(text, needle, 2)
        )
    )
    return None if result is None else hover_text(result)


async def _items(
    client: LanguageClient, uri: str, pos: types.Position
) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
    )
    return result.items if isinstance(result, types.CompletionList) else list(result or [])


def _cited_line_shows(first_line: str, name: str, source_root: Path) -> None:
    m = CITE.search(first_line)
    assert m is not None, first_line
    lines = (source_root / m.group(1)).read_text().splitlines()
    assert name in lines[int(m.group(2)) - 1], (m.group(0), name)


async def test_quoted_names_are_hovered_with_their_kind(client: LanguageClient, tmp_path):
    import metaflow

    root = Path(metaflow.__file__).resolve().parents[1]
    await wait_ready(client, need_index=True)
    path = tmp_path / "kinds_flow.py"
    path.write_text(FLOW_TEXT)
    uri = open_doc(client, path)

    md = await _hover(client, uri, FLOW_TEXT, '"METAFLOW_DEFAULT_DATASTORE"')
    assert md is not None
    first = md.split("\n", 1)[0]
    assert first.startswith("**`METAFLOW_DEFAULT_DATASTORE`** — config variable · default `")
    assert "metaflow_config.py:" in first
    _cited_line_shows(first, "DEFAULT_DATASTORE", root)
    assert "Which source wins" in md

    md = await _hover(client, uri, FLOW_TEXT, '"METAFLOW_HOME"')
    assert md is not None
    first = md.split("\n", 1)[0]
    assert first.startswith("**`METAFLOW_HOME`** — environment variable")
    _cited_line_shows(first, "METAFLOW_HOME", root)

    md = await _hover(client, uri, FLOW_TEXT, '"--max-workers"')
    assert md is not None and md.startswith("**`--max-workers`** — cli option")
    assert "default `16`" in md

    # a plain string is not an entry: the hover says nothing rather than guess
    assert await _hover(client, uri, FLOW_TEXT, '"hello"') is None


async def test_completion_details_name_the_kind(client: LanguageClient, tmp_path):
    await wait_ready(client, need_index=True)
    path = tmp_path / "kinds_flow.py"
    path.write_text(FLOW_TEXT)
    uri = open_doc(client, path)

    typing = FLOW_TEXT.replace(
        'os.environ.get("METAFLOW_DEFAULT_DATASTORE", "local")', 'os.environ.get("METAFLOW_DEF'
    )
    replace_all(client, uri, typing, 2)
    items = await _items(client, uri, pos_of(typing, '"METAFLOW_DEF', offset=len('"METAFLOW_DEF')))
    by_label = {i.label: i for i in items}
    store = by_label["METAFLOW_DEFAULT_DATASTORE"]
    assert store.detail is not None and store.detail.startswith("config variable · default ")
    assert store.kind == types.CompletionItemKind.Variable
    assert any((i.detail or "").startswith("environment variable") for i in items)

    # decorator arguments and current attributes say what they are, too
    items = await _items(client, uri, pos_of(FLOW_TEXT, "@batch(cpu=2", offset=len("@batch(")))
    memory = next(i for i in items if i.label == "memory")
    assert (memory.detail or "").startswith("step decorator argument · default ")
    items = await _items(client, uri, pos_of(FLOW_TEXT, "current.run_id", offset=len("current.")))
    assert all(" of current" in (i.detail or "") for i in items if i.label == "run_id"), items
    items = await _items(client, uri, pos_of(FLOW_TEXT, "@batch(", offset=1))
    assert all("decorator" in (i.detail or "") for i in items)
