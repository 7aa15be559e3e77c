"""Hover: explain what is under the cursor from the Metaflow actually installed.

Why thin: ``explain.cursor`` finds the thing, ``explain.render`` writes the markdown from the
decorator catalog; this module adds file-URI links for citations and, for artifacts, a line
about the latest run (read in a subprocess by ``run_artifacts``; never awaited here). A string
naming a config variable, env var or CLI option is explained by ``explain.quoted`` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from lsprotocol import types

from metaflow_expert.explain import cursor as explain_cursor
from metaflow_expert.explain import quoted, render
from metaflow_expert.lsp import budgets, citations, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer
from metaflow_expert.model import FlowFile, Span

if TYPE_CHECKING:
    from metaflow_expert.knowledge.entry_index import EntryIndex


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: MetaflowLanguageServer, params: types.HoverParams) -> types.Hover | None:
        return await budgets.within(
            ls, "hover", hover_at(ls, params.text_document.uri, params.position), None
        )


async def hover_at(
    ls: MetaflowLanguageServer, uri: str, position: types.Position
) -> types.Hover | None:
    doc = await documents.analysed(ls, uri)  # the lint's graph: where a step leads, its type
    if doc is None:
        return None
    line, col = documents.cursor(ls, doc, position)
    knowledge = ls.knowledge

    def link(path: str, line_no: int) -> str:
        return citations.markdown_link(knowledge, path, line_no)

    entries = ls.index.entries if ls.index is not None else None
    target = await budgets.in_thread(ls, _under_cursor, doc.file, line, col, entries, link)
    if isinstance(target, QuotedName):
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=target.markdown),
            range=documents.to_range(ls, doc, target.span),
        )
    if target is None:
        return None

    def link_local(line_no: int) -> str:
        return f"[line {line_no}]({uri}#L{line_no})"

    runtime = None
    if target.kind in ("artifact", "parameter") and target.flow is not None:
        from metaflow_expert.lsp import run_artifacts

        if ls.artifacts is None:
            ls.artifacts = run_artifacts.ArtifactCache(ls.log)
        runtime = run_artifacts.describe(
            ls.artifacts, ls.settings, doc.file.path, target.flow.name, target.name
        )
    graph = doc.graph(target.flow.name) if target.flow is not None else None
    text = render.render(
        target,
        catalog=ls.catalog,
        link=link,
        link_local=link_local,
        graph=graph,
        runtime=runtime,
        pending_note=_pending_note(ls),
        entries=entries,
    )
    if not text:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=documents.to_range(ls, doc, target.span),
    )


class QuotedName(NamedTuple):
    """A hover on a string naming something Metaflow reads: its markdown and the string."""

    markdown: str
    span: Span


def _under_cursor(
    file: FlowFile, line: int, col: int, entries: EntryIndex | None, link: render.Link
) -> QuotedName | explain_cursor.Target | None:
    """What the hover explains, found in one trip to a worker (the line may be a pasted
    megabyte, the flow a large one): a quoted name the index entries know, else the target
    :func:`explain_cursor.locate` finds."""
    if entries is not None:
        found = _quoted_name(file.lines, line, col, entries, link)
        if found is not None:
            return found
    return explain_cursor.locate(file, line, col)


def _quoted_name(
    lines: list[str], line: int, col: int, entries: EntryIndex, link: render.Link
) -> QuotedName | None:
    """A string naming something Metaflow reads (``"METAFLOW_DEFAULT_DATASTORE"``,
    ``"--max-workers"``): its kind, default and definition from the index entries, and the
    string's span."""
    if not (0 <= line < len(lines)):
        return None
    found = quoted.quoted_at(lines[line].rstrip("\r\n"), col)
    if found is None:
        return None
    text, start, end = found
    md = quoted.hover_markdown(entries, text, link)
    return None if md is None else QuotedName(md, Span(line, start, line, end))


def _pending_note(ls: MetaflowLanguageServer) -> str:
    k = ls.knowledge
    if k.state == "error":
        return f"_Metaflow is not indexed: {k.message}_"
    return render.INDEX_PENDING
