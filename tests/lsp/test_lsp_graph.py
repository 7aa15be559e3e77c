"""The graph view's payload over a real server: foreach bodies as groups, and each node's
problems listed (code + message), not just counted."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, wait_diagnostics, wait_ready

FLOWS = Path(__file__).parent / "flows"


async def graph_of(client: LanguageClient, uri: str) -> dict:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="metaflowExpert.graph", arguments=[uri])
    )
    (flow,) = result["flows"]
    return flow


async def test_graph_groups_the_foreach_body(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, FLOWS / "train_flow.py")
    flow = await graph_of(client, uri)
    assert flow["groups"] == [
        {
            "split": "start",
            "join": "join",
            "parent": None,
            "label": "foreach items",
            "steps": ["train"],
        }
    ]


async def test_graph_nodes_list_their_problems(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, FLOWS / "broken_flow.py")
    diags = await wait_diagnostics(client, uri, lambda d: len(d) > 0)
    flow = await graph_of(client, uri)
    nodes = {n["name"]: n for n in flow["nodes"]}
    for node in nodes.values():
        assert node["diagnostics"] == len(node["problems"])
    listed = [p for n in nodes.values() for p in n["problems"]]
    assert listed, "the broken flow's step findings are listed on its nodes"
    codes = {str(d.code) for d in diags}
    for problem in listed:
        assert problem["code"] in codes
        assert problem["message"] and problem["severity"] in ("error", "warning", "info")
