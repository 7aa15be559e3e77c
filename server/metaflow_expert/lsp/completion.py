"""Completion: decorator names after ``@``, decorator arguments inside the parentheses, step
names in ``self.next(self.``, artifact names for ``foreach=``/``condition=``, ``current.``,
and the config/environment variables Metaflow reads inside ``os.environ["``.

Why thin: the decision of what fits where (the environment key included) lives in
``explain.completions`` (pure, tested on text) and runs on a request worker, like every
reading of the user's text; this module converts its items to LSP ``CompletionItem``s.
"""

from __future__ import annotations

from lsprotocol import types

from metaflow_expert.explain import completions
from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer

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
    found = await budgets.in_thread(
        ls, completions.complete, doc.file, line, col, ls.catalog, entries
    )
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
