"""Quick fixes in the editor: offered for the diagnostic under the cursor only, and only when
the fix check proved them (a missing ``self.next`` that the re-analysis shows is enough)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, pos_of, wait_diagnostics, wait_ready

NEXT_NOT_LAST = Path(__file__).resolve().parents[1] / "corpus" / "broken" / "next_not_last.py"


async def _titles_at(client: LanguageClient, uri: str, pos: types.Position) -> list[str]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=pos, end=pos),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a.title for a in actions or [] if isinstance(a, types.CodeAction)]


async def test_fix_offered_on_its_diagnostic_and_not_elsewhere(client: LanguageClient):
    await wait_ready(client)
    text = NEXT_NOT_LAST.read_text()
    uri = open_doc(client, NEXT_NOT_LAST)
    await wait_diagnostics(client, uri, lambda d: any(x.code == "MF108" for x in d))
    # the cursor on `middle` in `def middle`: MF108 is there, and adding the transition is proven
    on = await _titles_at(client, uri, pos_of(text, "def middle", len("def mid")))
    assert "Add `self.next(self.end)` to step 'middle'" in on
    # inside the same step's body, away from the diagnostic: nothing
    assert await _titles_at(client, uri, pos_of(text, "self.value = 1", 2)) == []
    # on another step's diagnostic-free line: not the fix for `middle`
    away = await _titles_at(client, uri, pos_of(text, "def end", 5))
    assert all("'middle'" not in t for t in away)
