"""Document symbols: each flow class with its parameters and steps (outline, breadcrumbs)."""

from __future__ import annotations

from lsprotocol import types

from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def symbols(
        ls: MetaflowLanguageServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        return await budgets.within(
            ls, "symbols", document_symbols(ls, params.text_document.uri), []
        )


async def document_symbols(ls: MetaflowLanguageServer, uri: str) -> list[types.DocumentSymbol]:
    doc = await documents.view(ls, uri)
    if doc is None:
        return []
    out = []
    for flow in doc.file.flows:
        children = []
        for p in flow.parameters:
            children.append(
                types.DocumentSymbol(
                    name=p.attr,
                    detail=p.kind,
                    kind=types.SymbolKind.Constant,
                    range=documents.to_range(ls, doc, p.span),
                    selection_range=documents.to_range(ls, doc, p.attr_span),
                )
            )
        for name in flow.own_step_names or list(flow.steps):
            step = flow.steps.get(name)
            if step is None:
                continue
            tr = step.transition
            detail = "step"
            if tr is not None and tr.targets:
                detail = "→ " + ", ".join(tr.target_names)
            children.append(
                types.DocumentSymbol(
                    name=step.name,
                    detail=detail,
                    kind=types.SymbolKind.Method,
                    range=documents.to_range(ls, doc, step.span),
                    selection_range=documents.to_range(ls, doc, step.name_span),
                )
            )
        out.append(
            types.DocumentSymbol(
                name=flow.name,
                detail=f"flow · {len(flow.steps)} steps",
                kind=types.SymbolKind.Class,
                range=documents.to_range(ls, doc, flow.span),
                selection_range=documents.to_range(ls, doc, flow.name_span),
                children=children,
            )
        )
    return out
