"""Completion: decorator names after ``@``, decorator arguments inside the parentheses, step
names in ``self.next(self.``, artifact names for ``foreach=``/``condition=``, ``current.``,
and the config/environment variables Metaflow reads inside ``os.environ["``.

Why thin: the decision of what fits where lives in ``explain.completions`` (pure, tested on
text); this module converts its items to LSP ``CompletionItem``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from metaflow_expert.explain import completions, quoted
from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.knowledge.entry_index import EntryIndex
    from metaflow_expert.model import FlowFile

_KINDS = {
    "decorator": types.CompletionItemKind.Function,
    "argument": types.CompletionItemKind.Property,
    "step": types.CompletionItemKind.Method,
    "artifact": types.CompletionItemKind.Field,
    "attribute": types.CompletionItemKind.Property,
    "function": types.CompletionItemKind.Function,
    "variable": types.CompletionItemKind.Variable,
}

TRIGGERS = ["@", ".", "(", ",", '"', "'"]


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGERS)
    )
    async def complete(
        ls: MetaflowLanguageServer, params: types.CompletionParams
    ) -> types.CompletionList:
        work = items_at(ls, params.text_document.uri, params.position)
        items = await budgets.within(ls, "completion", work, [])
        return types.CompletionList(is_incomplete=ls.catalog is None, items=items)


async def items_at(
    ls: MetaflowLanguageServer, uri: str, position: types.Position
) -> list[types.CompletionItem]:
    doc = await documents.view(ls, uri)
    if doc is None:
        return []
    line, col = documents.cursor(ls, doc, position)
    entries = ls.index.entries if ls.index is not None else None
    found = await budgets.in_thread(ls, _items, doc.file, line, col, ls.catalog, entries)
    out = []
    for it in found:
        out.append(
            types.CompletionItem(
                label=it.label,
                kind=_KINDS.get(it.kind, types.CompletionItemKind.Text),
                detail=it.detail or None,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=it.doc)
                if it.doc
                else None,
                insert_text=it.insert,
                sort_text=it.sort or None,
                preselect=it.preselect or None,
            )
        )
    return out


def _items(
    file: FlowFile,
    line: int,
    col: int,
    catalog: DecoratorCatalog | None,
    entries: EntryIndex | None,
) -> list[completions.Item]:
    """In ``os.environ["…``: the names Metaflow reads (index entries); elsewhere the flow's
    completions. On a worker, like every reading of the user's text."""
    before = file.lines[line][:col] if 0 <= line < len(file.lines) else ""
    found = quoted.env_key_items(before, entries)
    return found if found is not None else completions.complete(file, line, col, catalog)
