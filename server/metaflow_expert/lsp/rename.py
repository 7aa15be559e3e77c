"""Rename a step: its ``def``, every ``self.next(...)`` naming it (switch dictionaries too)
and every ``inputs.<step>`` in joins, in one versioned edit — refused, with the reason, when
the new name is taken (a step, method or attribute of the flow or of FlowSpec), reserved by
Metaflow or not a valid step name (see ``references.rename_refusal``).

Why only steps: a step's name is referenced by name in transitions, which Python refactoring
tools do not understand; artifacts and everything else are left to the Python server.
"""

from __future__ import annotations

from lsprotocol import types

from metaflow_expert.explain import cursor as explain_cursor
from metaflow_expert.explain import references
from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer
from metaflow_expert.model import FlowClass


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare(
        ls: MetaflowLanguageServer, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder | None:
        work = placeholder(ls, params.text_document.uri, params.position)
        return await budgets.within(ls, "rename", work, None)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def rename(
        ls: MetaflowLanguageServer, params: types.RenameParams
    ) -> types.WorkspaceEdit | None:
        work = rename_step(ls, params.text_document.uri, params.position, params.new_name)
        return await budgets.within(ls, "rename", work, None)


async def placeholder(
    ls: MetaflowLanguageServer, uri: str, position: types.Position
) -> types.PrepareRenamePlaceholder | None:
    found = await _step_at(ls, uri, position)
    if found is None:
        return None
    doc, target = found
    return types.PrepareRenamePlaceholder(
        range=documents.to_range(ls, doc, target.span), placeholder=target.name
    )


async def _step_at(ls: MetaflowLanguageServer, uri: str, position: types.Position):
    doc = await documents.view(ls, uri)
    if doc is None:
        return None
    line, col = documents.cursor(ls, doc, position)
    target = await budgets.in_thread(ls, explain_cursor.locate, doc.file, line, col)
    if target is None or target.kind not in ("step_def", "step_ref") or target.flow is None:
        return None
    if target.name not in target.flow.steps:
        return None
    return doc, target


async def rename_step(
    ls: MetaflowLanguageServer, uri: str, position: types.Position, new_name: str
) -> types.WorkspaceEdit | None:
    found = await _step_at(ls, uri, position)
    if found is None:
        return None
    doc, target = found
    assert target.flow is not None
    refusal = await budgets.in_thread(ls, _refusal, ls, target.flow, target.name, new_name)
    if refusal is not None:
        from pygls.exceptions import JsonRpcInvalidParams

        # the protocol's prepareRename never sees the new name: the refusal is this answer
        raise JsonRpcInvalidParams(refusal)
    edits: list[types.TextEdit | types.AnnotatedTextEdit | types.SnippetTextEdit] = []
    for flow in doc.file.flows:
        # the same step name in subclasses of this flow (inherited steps) is the same step
        if flow is not target.flow and target.flow.name not in flow.bases:
            continue
        for span in references.step_occurrences(flow, target.name, file=doc.file):
            edit = types.TextEdit(range=documents.to_range(ls, doc, span), new_text=new_name)
            if all(e.range != edit.range for e in edits):
                edits.append(edit)
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=doc.version
                ),
                edits=edits,
            )
        ]
    )


def _refusal(ls: MetaflowLanguageServer, flow: FlowClass, old: str, new: str) -> str | None:
    """Metaflow's own reserved names and step-name pattern, and FlowSpec's members, from the
    catalog (the facts of the interpreter's Metaflow without one)."""
    from metaflow_expert.knowledge.facts import facts_for

    catalog = ls.catalog
    facts = facts_for(catalog)
    return references.rename_refusal(
        flow,
        old,
        new,
        flowspec_members=catalog.flowspec_members if catalog is not None else (),
        reserved=facts.reserved_step_names or (),
        step_name_pattern=facts.step_name_pattern,
    )
