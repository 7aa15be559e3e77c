"""Signature help (``textDocument/signatureHelp``) for decorators, ``self.next`` and
``Parameter``/``Config``.

Why thin: ``explain.signature`` decides which call the cursor is in and which argument is
active, from the catalog; this module only turns that into an LSP ``SignatureHelp``.
"""

from __future__ import annotations

from lsprotocol import types

from metaflow_expert.explain import signature
from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer

TRIGGERS = ["(", ","]


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_SIGNATURE_HELP,
        types.SignatureHelpOptions(trigger_characters=TRIGGERS),
    )
    async def signature_help(
        ls: MetaflowLanguageServer, params: types.SignatureHelpParams
    ) -> types.SignatureHelp | None:
        work = help_at(ls, params.text_document.uri, params.position)
        return await budgets.within(ls, "completion", work, None)


async def help_at(
    ls: MetaflowLanguageServer, uri: str, position: types.Position
) -> types.SignatureHelp | None:
    doc = await documents.view(ls, uri)
    if doc is None:
        return None
    line, col = documents.cursor(ls, doc, position)
    found = await budgets.in_thread(ls, signature.signature_at, doc.file, line, col, ls.catalog)
    if found is None:
        return None
    info = types.SignatureInformation(
        label=found.label,
        documentation=_markdown(found.doc),
        parameters=[
            types.ParameterInformation(label=p.label, documentation=_markdown(p.doc))
            for p in found.params
        ],
        active_parameter=found.active,
    )
    return types.SignatureHelp(signatures=[info], active_signature=0, active_parameter=found.active)


def _markdown(text: str) -> types.MarkupContent | None:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text) if text else None
