"""Code actions: the quick fixes findings carry (did-you-mean and the like), plus fixes the
model can justify (``inputs`` on a join, an unambiguous missing ``self.next``) for the step
the finding is about — only for findings under the cursor, and only those fixes
:mod:`explain.fix_check` proved to remove their finding without adding an error.

Edits name the document version they were computed for, so an editor refuses to apply a fix
to text that has changed since.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from lsprotocol import types

from metaflow_expert.explain import fix_check
from metaflow_expert.lsp import analyses, budgets, documents
from metaflow_expert.lsp.diagnostics import SOURCE
from metaflow_expert.lsp.server import MetaflowLanguageServer
from metaflow_expert.model import Fix, Span

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.lint.config import LintSettings


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_actions(
        ls: MetaflowLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        return await budgets.within(ls, "code actions", actions_for(ls, params), [])


def _under(a: Span, want: Span) -> bool:
    """The finding's range meets the request's (a cursor touching it counts): the lightbulb
    answers the diagnostic the user is on, never a neighbour elsewhere in the flow."""
    return not (
        (a.end_line, a.end_col) < (want.start_line, want.start_col)
        or (want.end_line, want.end_col) < (a.start_line, a.start_col)
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
    if doc is None or doc.analysis is None:
        return []
    text, path = _text_of(ls, uri, doc)
    if text is None:
        return []
    from metaflow_expert.lsp import positions

    want = positions.from_range(ls.workspace.position_codec, doc.file.lines, params.range)
    ours = [d for d in params.context.diagnostics if d.source == SOURCE]
    settings, catalog = _inputs_of(ls, uri, doc)
    out: list[types.CodeAction] = []
    titles: set[str] = set()
    for f in documents.published_findings(ls, doc):
        if not _under(f.span, want):
            continue
        # re-analysing a copy per candidate is lint work: on a request worker, never the loop
        check = functools.partial(
            fix_check.verified_fixes,
            text,
            path,
            doc.analysis,
            f,
            settings=settings,
            catalog=catalog,
        )
        verified = await budgets.in_thread(ls, check)
        rng = documents.to_range(ls, doc, f.span)
        diags = [d for d in ours if d.code == f.code and d.range == rng]
        for fix in verified:
            if fix.title in titles:
                continue
            out.append(_action(ls, doc, fix, diags, preferred=fix is f.fix))
            titles.add(fix.title)
    return out


def _text_of(
    ls: MetaflowLanguageServer, uri: str, doc: documents.DocView
) -> tuple[str | None, str]:
    """The text ``doc`` was analysed from (None when the document moved on meanwhile: its
    fixes could not be checked against what the editor holds)."""
    try:
        document = ls.workspace.get_text_document(uri)
    except Exception:
        return None, uri
    if document.version != doc.version:
        return None, uri
    return document.source, document.path or uri


def _inputs_of(
    ls: MetaflowLanguageServer, uri: str, doc: documents.DocView
) -> tuple[LintSettings, DecoratorCatalog | None]:
    """The lint settings and catalog ``doc``'s analysis ran with: the check must re-analyse
    the fixed copy exactly as the diagnostic was found."""
    settings, catalog = ls.settings, ls.catalog
    state = ls.docs.get(uri)
    if state is not None and state.analysis is doc.analysis and state.analysis_inputs:
        _, settings, catalog = state.analysis_inputs
    _, path = _text_of(ls, uri, doc)
    return analyses.lint_settings(path, settings), catalog
