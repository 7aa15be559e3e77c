"""``metaflowExpert.runOptions`` over stdio, like the extension's "Run with…" asks before a run,
and the "Run with…" code lens beside ▶ Run."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, wait_ready

FLOW = Path(__file__).parent / "flows" / "train_flow.py"


async def _run_options(client: LanguageClient, arg: object) -> dict:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="metaflowExpert.runOptions", arguments=[arg])
    )


async def test_run_options_warn_for_batch_and_follow_the_choices(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, FLOW)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert ("metaflowExpert.runFlowWith", [uri]) in [
        (lens.command.command, list(lens.command.arguments or []))
        for lens in lenses or []
        if lens.command
    ]
    # the server inherits the test's environment; pick the datastore explicitly both ways
    local = await _run_options(
        client, {"uri": uri, "choices": {"settings": {"datastore": "local"}}}
    )
    (flow,) = local["flows"]
    assert flow["name"] == "TrainFlow" and "batch" in flow["decorators"]
    warnings = [w for w in flow["warnings"] if w["decorator"] == "batch"]
    assert warnings and warnings[0]["allowed"] == ["s3"]
    assert warnings[0]["cite"].startswith("metaflow/plugins/aws/batch/batch_decorator.py:")
    s3 = await _run_options(client, {"uri": uri, "choices": {"settings": {"datastore": "s3"}}})
    assert not [w for w in s3["flows"][0]["warnings"] if w["decorator"] == "batch"]
    # a bare uri works too, and a file the editor has not opened is read from disk
    bare = await _run_options(client, FLOW.resolve().as_uri())
    assert bare["flows"][0]["name"] == "TrainFlow"


async def test_run_options_of_a_file_the_editor_has_not_opened(client: LanguageClient):
    """Run With… from the explorer: the file is read and analysed on a worker, like the graph
    view of a closed file (``documents.on_disk``)."""
    await wait_ready(client)
    unopened = Path(__file__).parent / "flows" / "join_flow.py"
    got = await _run_options(client, unopened.resolve().as_uri())
    assert [f["name"] for f in got["flows"]] == ["JoinFlow"]
    missing = await _run_options(client, (unopened.parent / "no_such_flow.py").as_uri())
    assert missing == {"flows": []}
