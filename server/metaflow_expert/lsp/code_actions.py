"""Code actions: the quick fixes findings carry (did-you-mean and the like), plus fixes the
model can justify (``inputs`` on a join, an unambiguous missing ``self.next``).

Edits name the document version they were computed for, so an editor refuses to apply a fix
to text that has changed since.
"""

from __future__ import annotations

from lsprotocol import types

from metaflow_expert.explain import fixes
from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.diagnostics import SOURCE
from metaflow_expert.lsp.server import MetaflowLanguageServer
from metaflow_expert.model import Fix, Span


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_actions(
        ls: MetaflowLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        return await budgets.within(ls, "code actions", actions_for(ls, params), [])


def _overlaps(a: Span, b: Span) -> bool:
    return not (
        (a.end_line, a.end_col) < (b.start_line, b.start_col)
        or (b.end_line, b.end_col) < (a.start_line, a.start_col)
    )


def _action(
    ls: MetaflowLanguageServer,
    doc: documents.DocView,
    fix: Fix,
    diags: list[types.Diagnostic],
    preferred: bool,
) -> types.CodeAction:
    edits: list[types.TextEdit | types.AnnotatedTextEdit | types.SnippetTextEdit] = [
        types.TextEdit(range=documents.to_range(ls, doc, e.span), new_text=e.new_text)
        for e in fix.edits
    ]
    return types.CodeAction(
        title=fix.title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=diags or None,
        is_preferred=preferred or None,
        edit=types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=doc.uri, version=doc.version
                    ),
                    edits=edits,
                )
            ]
        ),
    )


async def actions_for(
    ls: MetaflowLanguageServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    doc = await documents.analysed(ls, uri)  # the derived fixes read the lint's graph
    if doc is None:
        return []
    codec = ls.workspace.position_codec
    from metaflow_expert.lsp import positions

    want = positions.from_range(codec, doc.file.lines, params.range)
    ours = [d for d in params.context.diagnostics if d.source == SOURCE]
    out: list[types.CodeAction] = []
    titles: set[str] = set()
    for f in documents.published_findings(ls, doc):
        if f.fix is None or not _overlaps(f.span, want):
            continue
        rng = documents.to_range(ls, doc, f.span)
        diags = [d for d in ours if d.code == f.code and d.range == rng]
        out.append(_action(ls, doc, f.fix, diags, preferred=True))
        titles.add(f.fix.title)
    for flow in doc.file.flows:
        if not _overlaps(flow.span, want):
            continue
        for step, fix in fixes.derived_fixes(doc.file, flow, doc.graph(flow.name)):
            if fix.title in titles or not _overlaps(step.span, want):
                continue
            step_rng = documents.to_range(ls, doc, step.span)
            diags = [
                d for d in ours if step_rng.start.line <= d.range.start.line <= step_rng.end.line
            ]
            out.append(_action(ls, doc, fix, diags, preferred=False))
            titles.add(fix.title)
    return out
