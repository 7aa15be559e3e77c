"""Safe step rename: refused for a taken, reserved or invalid name; every place the step is
named is edited, ``inputs.<step>`` in joins and switch dictionaries included."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from metaflow_expert.explain import references
from metaflow_expert.parsing import parse_flow_file

from .helpers import open_doc, pos_of, wait_ready

FLOW = textwrap.dedent(
    """
    from metaflow import FlowSpec, Parameter, step

    class RenameFlow(FlowSpec):
        alpha = Parameter("alpha", default=1)

        @step
        def start(self):
            self.mode = "a"
            self.next({"a": self.path_a, "b": self.path_b}, condition="mode")

        @step
        def path_a(self):
            self.next(self.branch)

        @step
        def path_b(self):
            self.next(self.branch)

        @step
        def branch(self):
            self.next(self.left, self.right)

        @step
        def left(self):
            self.x = 1
            self.next(self.join)

        @step
        def right(self):
            self.x = 2
            self.next(self.join)

        @step
        def join(self, inputs):
            # inputs.left is named in a comment: not a reference
            self.total = inputs.left.x + inputs . left.x + inputs.right.x
            print("inputs.left")
            self.next(self.end)

        def helper(self):
            return 1

        @step
        def end(self):
            pass
    """
)


def _flow():
    return parse_flow_file(FLOW, "<memory>").flows[0]


def _refusal(new: str, **kw):
    return references.rename_refusal(_flow(), "left", new, **kw)


def test_refuses_a_clash_with_a_step_method_attribute_or_flowspec_member() -> None:
    assert "already exists" in (_refusal("right") or "")
    assert "already exists" in (_refusal("helper") or "")
    assert "attribute" in (_refusal("alpha") or "")
    assert "FlowSpec" in (_refusal("merge_artifacts", flowspec_members={"merge_artifacts"}) or "")


def test_refuses_a_reserved_or_invalid_name() -> None:
    assert "reserved" in (_refusal("name", reserved={"name", "next", "input"}) or "")
    assert "identifier" in (_refusal("1bad") or "")
    assert "identifier" in (_refusal("has space") or "")
    assert "valid step name" in (_refusal("Upper", step_name_pattern="[^a-z0-9_]") or "")
    assert _refusal("left_side", reserved={"name"}, step_name_pattern="[^a-z0-9_]") is None
    assert _refusal("left") is None  # unchanged name: nothing to refuse


def test_occurrences_include_inputs_in_joins_and_switch_dicts() -> None:
    flow = parse_flow_file(FLOW, "<memory>").flows[0]
    file = parse_flow_file(FLOW, "<memory>")
    lines = FLOW.splitlines()
    left = references.step_occurrences(file.flows[0], "left", file=file)
    texts = [lines[s.start_line][s.start_col : s.end_col] for s in left]
    assert texts == ["left"] * len(texts)
    # def, self.next(self.left, ...), inputs.left.x, inputs . left.x (not the comment/string)
    assert len(left) == 4
    join_line = next(i for i, t in enumerate(lines) if "self.total" in t)
    assert sum(s.start_line == join_line for s in left) == 2
    path_a = references.step_occurrences(flow, "path_a", file=file)
    switch_line = next(i for i, t in enumerate(lines) if "condition=" in t)
    assert any(s.start_line == switch_line for s in path_a) and len(path_a) == 2


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def test_rename_over_lsp_refuses_a_clash_and_edits_inputs(
    client: LanguageClient, tmp_path: Path
) -> None:
    await wait_ready(client)
    path = tmp_path / "rename_flow.py"
    path.write_text(FLOW)
    uri = open_doc(client, path)
    at = pos_of(FLOW, "def left", 5)
    with pytest.raises(JsonRpcException, match="already exists"):
        await client.text_document_rename_async(
            types.RenameParams(text_document=_doc(uri), position=at, new_name="right")
        )
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=_doc(uri), position=at, new_name="west")
    )
    assert edit is not None and edit.document_changes
    change = edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    assert len(change.edits) == 4
