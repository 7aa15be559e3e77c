"""Go to definition and find references.

Definition: a step named in ``self.next(self.x)`` → its ``def``; a decorator, ``self.next``,
``current.x``, ``Parameter`` … → the line in the indexed Metaflow source (through the
catalog, because ``from metaflow import batch`` is generated at import time and no Python
tool can follow it); an artifact → the places that set it. References: every naming of a
step or artifact in the flow.
"""

from __future__ import annotations

from lsprotocol import types

from metaflow_expert.explain import cursor as explain_cursor
from metaflow_expert.explain import references
from metaflow_expert.explain.render import api_member, api_symbol
from metaflow_expert.lsp import budgets, citations, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        ls: MetaflowLanguageServer, params: types.DefinitionParams
    ) -> list[types.Location] | None:
        work = definition_at(ls, params.text_document.uri, params.position)
        return await budgets.within(ls, "definition", work, None)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def refs(
        ls: MetaflowLanguageServer, params: types.ReferenceParams
    ) -> list[types.Location] | None:
        work = references_at(
            ls, params.text_document.uri, params.position, params.context.include_declaration
        )
        return await budgets.within(ls, "references", work, None)


def _source_location(
    ls: MetaflowLanguageServer, target: explain_cursor.Target
) -> types.Location | None:
    catalog = ls.catalog
    if catalog is None:
        return None
    sym = None
    if target.kind in ("decorator", "decorator_arg") and target.decorator is not None:
        spec = catalog.lookup(
            target.decorator.name, "flow" if target.flow_level else "step"
        ) or catalog.lookup(target.decorator.name)
        if spec is None:
            return None
        if target.kind == "decorator_arg" and target.arg is not None and target.arg.name:
            a = spec.arg(target.arg.name)
            if a is not None:
                return citations.location(ls.knowledge, a.path or spec.path, a.line)
        return citations.location(ls.knowledge, spec.path, spec.line)
    if target.kind == "step_decorator":
        sym = api_symbol(catalog, target.name)
    elif target.kind in ("next_call", "input", "index", "merge_artifacts"):
        sym = api_member(catalog, target.name)
    elif target.kind == "metaflow_name":
        spec = catalog.lookup(target.name)
        if spec is not None:
            return citations.location(ls.knowledge, spec.path, spec.line)
        sym = api_symbol(catalog, target.name)
    elif target.kind == "metaflow_attr" and target.attr:
        sym = api_symbol(catalog, f"{target.name}.{target.attr}")
    elif target.kind == "parameter" and target.parameter is not None:
        return None
    if sym is None:
        return None
    return citations.location(ls.knowledge, sym.path, sym.line)


async def definition_at(
    ls: MetaflowLanguageServer, uri: str, position: types.Position
) -> list[types.Location] | None:
    doc = await documents.view(ls, uri)
    if doc is None:
        return None
    line, col = documents.cursor(ls, doc, position)
    target = await budgets.in_thread(ls, explain_cursor.locate, doc.file, line, col)
    if target is None:
        return None
    flow = target.flow
    if target.kind in ("step_ref", "step_def") and flow is not None:
        step = flow.steps.get(target.name)
        if step is None:
            return None
        return [types.Location(uri=uri, range=documents.to_range(ls, doc, step.name_span))]
    if target.kind == "artifact" and flow is not None:
        spans = references.artifact_occurrences(flow, target.name, ("write",))
        return [
            types.Location(uri=uri, range=documents.to_range(ls, doc, s)) for s in spans
        ] or None
    if target.kind == "parameter" and target.parameter is not None:
        return [
            types.Location(uri=uri, range=documents.to_range(ls, doc, target.parameter.attr_span))
        ]
    loc = _source_location(ls, target)
    return [loc] if loc else None


async def references_at(
    ls: MetaflowLanguageServer, uri: str, position: types.Position, include_declaration: bool = True
) -> list[types.Location] | None:
    doc = await documents.view(ls, uri)
    if doc is None:
        return None
    line, col = documents.cursor(ls, doc, position)
    target = await budgets.in_thread(ls, explain_cursor.locate, doc.file, line, col)
    if target is None or target.flow is None:
        return None
    if target.kind in ("step_ref", "step_def"):
        spans = references.step_occurrences(target.flow, target.name, include_declaration)
    elif target.kind in ("artifact", "parameter"):
        spans = references.artifact_occurrences(target.flow, target.name)
        if target.parameter is not None and include_declaration:
            spans = [target.parameter.attr_span, *spans]
    else:
        return None
    return [types.Location(uri=uri, range=documents.to_range(ls, doc, s)) for s in spans]
