"""Hovers over a real server: decorators, their arguments, transitions, steps, artifacts,
``current`` — each citing the installed Metaflow at the right line."""

from __future__ import annotations

import inspect
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import hover_text, open_doc, pos_of, replace_all, wait_diagnostics, wait_ready

FLOW = Path(__file__).parent / "flows" / "train_flow.py"


async def hover(
    client: LanguageClient, uri: str, text: str, needle: str, offset: int = 1, occurrence: int = 0
) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=pos_of(text, needle, offset, occurrence),
        )
    )
    return hover_text(result)


async def test_hover_batch_cites_the_decorator_class(client: LanguageClient):
    from metaflow.plugins.aws.batch.batch_decorator import BatchDecorator

    class_line = inspect.getsourcelines(BatchDecorator)[1]
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    md = await hover(client, uri, text, "@batch", offset=2)
    assert f"batch_decorator.py:{class_line}" in md
    assert "- `cpu` = `4` (Metaflow's default" in md  # this use's arguments, named, first
    assert "| `gpu` |" in md  # the rest in the argument table, from the catalog
    assert "file://" in md  # citations are links to the file


async def test_hover_decorator_argument(client: LanguageClient):
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    md = await hover(client, uri, text, "cpu=4")
    assert "@batch(cpu=…)" in md
    assert "Here: `4`" in md
    assert "batch_decorator.py:" in md


async def test_hover_transition_step_and_artifact(client: LanguageClient):
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    md = await hover(client, uri, text, "next(self.train")
    assert "foreach over `self.items`" in md
    assert "flowspec.py:" in md
    md = await hover(client, uri, text, "train, foreach", offset=2)
    assert "step `train`" in md and "`@batch`" in md and "Leads to: `join`" in md
    md = await hover(client, uri, text, "self.value", offset=6)
    assert "Set in: `train`" in md and "Read in: `join`" in md
    md = await hover(client, uri, text, "retry_count", offset=2)
    assert "current.retry_count" in md and "metaflow_current.py:" in md
    md = await hover(client, uri, text, "self.input", offset=6)
    assert "self.input" in md and "foreach" in md


async def test_hover_outside_anything_is_empty(client: LanguageClient):
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=pos_of(text, "__main__", 2),
        )
    )
    assert result is None


async def test_hover_right_after_an_edit_describes_the_graph_of_that_version(
    client: LanguageClient,
):
    """Hover and graph command read the lint's graph of the text as edited, not a graph of
    their own and not the previous version's: they wait (off the event loop) for its analysis."""
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    await wait_diagnostics(client, uri)
    edited = text.replace("self.next(self.join)", "self.next(self.check)").replace(
        "    @step\n    def join(",
        "    @step\n    def check(self):\n        self.next(self.join)\n\n    @step\n    def join(",
    )
    replace_all(client, uri, edited, 2)
    md = await hover(client, uri, edited, "def check", offset=5)
    assert "step `check`" in md
    assert "Node type: `linear`" in md and "Reached from: `train`" in md
    graph = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="metaflowExpert.graph", arguments=[uri])
    )
    edges = {(e["source"], e["target"]) for e in graph["flows"][0]["edges"]}
    assert ("train", "check") in edges and ("check", "join") in edges
