"""Start-up: indexing is reported with server-initiated ``$/progress`` and the
``metaflowExpert/status`` notification; diagnostics do not wait for the index; logging goes to
``window/logMessage``; settings from didChangeConfiguration apply."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, wait_diagnostics, wait_ready

BROKEN = Path(__file__).parent / "flows" / "broken_flow.py"


async def test_indexing_progress_and_status(client: LanguageClient):
    uri = open_doc(client, BROKEN)
    await wait_diagnostics(client, uri, lambda d: len(d) > 0)  # no need to wait for the index
    st = await wait_ready(client, need_index=True)
    assert st["version"] and st["root"]
    states = [getattr(s, "state", None) for s in client.statuses]  # type: ignore[attr-defined]
    assert "indexing" in states and states[-1] == "ready"
    tokens = [t for t in client.progress_reports if str(t).startswith("metaflow-expert/index")]
    assert tokens
    kinds = [type(v).__name__ for v in client.progress_reports[tokens[0]]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert any("started" in m.message for m in client.log_messages)


async def test_on_save_mode_lints_on_save_only(client: LanguageClient):
    await wait_ready(client)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"metaflowExpert": {"lint": {"run": "onSave", "debounceMs": 0}}}
        )
    )
    text = BROKEN.read_text()
    uri = open_doc(client, BROKEN)
    first = await wait_diagnostics(client, uri, lambda d: any("proces" in x.message for x in d))
    fixed = text.replace("self.next(self.proces,", "self.next(self.process,")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    # a request after the change: if a lint had been scheduled by the change, it would be queued
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert list(client.diagnostics[uri]) == first
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_diagnostics(client, uri, lambda d: all("*proces*" not in x.message for x in d))


async def test_pull_configuration_when_the_change_carries_no_settings(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, BROKEN)
    diags = await wait_diagnostics(client, uri, lambda d: len(d) > 0)
    code = str(diags[0].code)
    client.set_configuration(
        {"lint": {"debounceMs": 0, "severity": {code: "off"}}}, section="metaflowExpert"
    )
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_diagnostics(client, uri, lambda d: all(str(x.code) != code for x in d))


async def test_unusable_metaflow_source_is_reported_and_lint_goes_on(
    client: LanguageClient, tmp_path: Path
):
    import asyncio

    from .helpers import WAIT_S, status

    await wait_ready(client, need_index=True)
    missing = tmp_path / "no-metaflow-here"
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"metaflowExpert": {"metaflowSource": str(missing)}}
        )
    )

    async def reported() -> dict:
        while True:
            st = await status(client)
            if st["state"] in ("ready", "error") and str(missing) in (st["message"] or ""):
                return st
            await asyncio.sleep(0.05)

    st = await asyncio.wait_for(reported(), WAIT_S)
    assert "\n" not in st["message"]
    assert any(str(missing) in m.message for m in client.log_messages)
    uri = open_doc(client, BROKEN)
    diags = await wait_diagnostics(client, uri, lambda d: len(d) > 0)
    assert any("proces" in d.message for d in diags)
