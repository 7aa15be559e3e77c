"""Completion, navigation, symbols, rename, code actions, code lenses and the graph/status
commands, over a real server with VS Code's and Neovim's capabilities."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, pos_of, replace_all, wait_diagnostics, wait_ready

FLOWS = Path(__file__).parent / "flows"
FLOW = FLOWS / "train_flow.py"
BROKEN = FLOWS / "broken_flow.py"
JOIN = FLOWS / "join_flow.py"


def _doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def _complete(client: LanguageClient, uri: str, pos: types.Position) -> list[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=_doc(uri), position=pos)
    )
    items = result.items if isinstance(result, types.CompletionList) else (result or [])
    return [i.label for i in items]


async def test_completion_step_names_decorators_args_current(client: LanguageClient):
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    # typing a transition: `self.next(self.` in the start step
    edited = text.replace('self.next(self.train, foreach="items")', "self.next(self.")
    replace_all(client, uri, edited, 2)
    labels = await _complete(
        client, uri, pos_of(edited, "self.next(self.", offset=len("self.next(self."))
    )
    assert {"start", "train", "join", "end"} <= set(labels)
    # decorator names after '@' on a step
    edited2 = text.replace("    @retry(times=2)\n", "    @re\n")
    replace_all(client, uri, edited2, 3)
    labels = await _complete(client, uri, pos_of(edited2, "    @re\n", offset=7))
    assert "retry" in labels and "resources" in labels and "batch" in labels
    # decorator arguments inside the parentheses (already written ones left out)
    labels = await _complete(client, uri, pos_of(edited2, "cpu=4, ", offset=len("cpu=4, ")))
    assert "memory" in labels and "image" in labels and "cpu" not in labels
    # artifact names for foreach=
    edited3 = text.replace('foreach="items"', 'foreach="')
    replace_all(client, uri, edited3, 4)
    labels = await _complete(client, uri, pos_of(edited3, 'foreach="', offset=len('foreach="')))
    assert "items" in labels
    # current.
    labels = await _complete(
        client, uri, pos_of(edited3, "current.retry_count", offset=len("current."))
    )
    assert "retry_count" in labels and "run_id" in labels


async def test_definition_and_references(client: LanguageClient):
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    locs = await client.text_document_definition_async(
        types.DefinitionParams(text_document=_doc(uri), position=pos_of(text, "self.join", 6))
    )
    assert isinstance(locs, list) and locs[0].uri == uri
    assert locs[0].range.start == pos_of(text, "def join", 4, 0)
    # a decorator → the class in the installed Metaflow
    locs = await client.text_document_definition_async(
        types.DefinitionParams(text_document=_doc(uri), position=pos_of(text, "@batch", 2))
    )
    assert isinstance(locs, list) and locs[0].uri.endswith("batch_decorator.py")
    src = Path(
        types.Location(uri=locs[0].uri, range=locs[0].range).uri.removeprefix("file://")
    ).read_text()
    assert src.splitlines()[locs[0].range.start.line].startswith("class BatchDecorator")
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=_doc(uri),
            position=pos_of(text, "def train", 5),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and len(refs) == 2  # the def and self.next(self.train)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=_doc(uri),
            position=pos_of(text, "self.value", 6),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None and len(refs) == 2


async def test_symbols_and_rename(client: LanguageClient):
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=_doc(uri))
    )
    assert symbols is not None
    flow = symbols[0]
    assert isinstance(flow, types.DocumentSymbol) and flow.name == "TrainFlow"
    assert [c.name for c in flow.children or []] == ["alpha", "start", "train", "join", "end"]
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=_doc(uri), position=pos_of(text, "def join", 5), new_name="gather"
        )
    )
    assert edit is not None and edit.document_changes
    change = edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    lines = text.splitlines()
    for e in change.edits:
        assert isinstance(e, types.TextEdit)
        line = lines[e.range.start.line]
        assert line[e.range.start.character : e.range.end.character] == "join"
    assert len(change.edits) == 2


async def _actions(
    client: LanguageClient, uri: str, text: str, needle: str
) -> list[types.CodeAction]:
    start = pos_of(text, needle, 0)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=_doc(uri),
            range=types.Range(
                start=start, end=types.Position(line=start.line, character=start.character + 10)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


def _single_edit(action: types.CodeAction) -> tuple[types.TextEdit, int | None]:
    assert action.edit and action.edit.document_changes
    change = action.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    edit = change.edits[0]
    assert isinstance(edit, types.TextEdit)
    return edit, change.text_document.version


async def test_code_actions_join_inputs_and_missing_transition(client: LanguageClient):
    # Each fix alone adds an error (inputs alone: MF107; the transition alone: MF210/MF113),
    # so the fix check (explain/fix_check.py) offers neither; tests/lsp/test_fix_check.py
    # covers the fixes that are offered.
    await wait_ready(client)
    text = JOIN.read_text()
    uri = open_doc(client, JOIN)
    await wait_diagnostics(client, uri, lambda d: bool(d))
    actions = await _actions(client, uri, text, "def join")
    assert not [a for a in actions if "inputs" in a.title or "self.next" in a.title]


async def test_code_action_from_finding_fix(client: LanguageClient):
    await wait_ready(client)
    text = BROKEN.read_text()
    uri = open_doc(client, BROKEN)
    diags = await wait_diagnostics(client, uri, lambda d: any("proces" in x.message for x in d))
    # the typo fix unmasks MF113 (a new error), so the fix check drops it; the foreach one stays
    target = next(d for d in diags if "Did you mean" in d.message)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=_doc(uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target]),
        )
    )
    fixes = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.edit]
    assert fixes, "the unknown-step finding carries a did-you-mean fix"
    edit, version = _single_edit(fixes[0])
    assert edit.new_text == '"items"' and version == 1
    assert fixes[0].diagnostics and fixes[0].diagnostics[0].code == target.code
    assert text.splitlines()[target.range.start.line]


async def test_code_lens_and_commands(client: LanguageClient):
    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=_doc(uri))
    )
    commands = [
        (lens.command.command, list(lens.command.arguments or []))
        for lens in lenses or []
        if lens.command
    ]
    assert ("metaflowExpert.runFlow", [uri]) in commands
    assert ("metaflowExpert.showGraph", [uri]) in commands
    assert ("metaflowExpert.spinStep", [uri, "train"]) in commands
    graph = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="metaflowExpert.graph", arguments=[uri])
    )
    flow = graph["flows"][0]
    assert flow["name"] == "TrainFlow"
    assert flow["line"] == pos_of(text, "class TrainFlow", 0).line
    nodes = {n["name"]: n for n in flow["nodes"]}
    assert nodes["train"]["decorators"] == ["batch", "retry"]
    assert nodes["train"]["line"] == pos_of(text, "def train", 0).line
    edges = {(e["source"], e["target"]): e["kind"] for e in flow["edges"]}
    assert edges[("start", "train")] == "foreach"
    assert edges[("train", "join")] == "join"
    assert edges[("join", "end")] == "linear"


async def test_rename_rejects_a_bad_name_and_non_steps(client: LanguageClient):
    import pytest
    from pygls.exceptions import JsonRpcException

    await wait_ready(client)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    with pytest.raises(JsonRpcException):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=_doc(uri), position=pos_of(text, "def join", 5), new_name="1bad"
            )
        )
    prep = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=_doc(uri), position=pos_of(text, "@batch", 2))
    )
    assert prep is None
    prep = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=_doc(uri), position=pos_of(text, "self.train", 7))
    )
    assert prep is not None and getattr(prep, "placeholder", None) == "train"


async def test_graph_of_a_file_not_open_in_the_editor(client: LanguageClient):
    graph = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="metaflowExpert.graph", arguments=[JOIN.resolve().as_uri()]
        )
    )
    assert [f["name"] for f in graph["flows"]] == ["JoinFlow"]
    edges = {(e["source"], e["target"]): e["kind"] for e in graph["flows"][0]["edges"]}
    assert edges[("start", "a")] == "branch" and edges[("a", "join")] == "linear"


async def test_signature_help_over_the_wire(client: LanguageClient):
    await wait_ready(client, need_index=True)
    text = FLOW.read_text()
    uri = open_doc(client, FLOW)
    help_ = await client.text_document_signature_help_async(
        types.SignatureHelpParams(
            text_document=_doc(uri),
            position=pos_of(text, "@batch(cpu=4, ", offset=len("@batch(cpu=4, ")),
        )
    )
    assert help_ is not None and help_.signatures[0].label.startswith("@batch(cpu=")
    help_ = await client.text_document_signature_help_async(
        types.SignatureHelpParams(
            text_document=_doc(uri),
            position=pos_of(text, 'foreach="items"', offset=len('foreach="it')),
        )
    )
    assert help_ is not None and help_.active_parameter == 1  # foreach=
