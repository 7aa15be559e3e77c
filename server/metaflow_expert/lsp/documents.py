"""The flow model of an open document at its current version, for request handlers.

Why: hovers and navigation must answer about the text the user sees now, not about the last
lint (which may be a debounce behind). Two views: :func:`view` reuses the lint's model when
its version matches and otherwise parses on a request worker (the rules are what lint adds),
which is all that completion, symbols, navigation or rename need; :func:`analysed`
also carries the engine's graphs and findings, waiting for the analysis of the current version
when the newest is older. Graphs come only from the engine (never built here), so a hover,
a quick fix or the graph view cannot describe another graph than the one the lint checked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from metaflow_expert.lsp import analyses, positions
from metaflow_expert.lsp.server import DocState, MetaflowLanguageServer
from metaflow_expert.model import Finding, FlowFile, Span

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph
    from metaflow_expert.lint.engine import Analysis

#: how often :func:`analysed` follows a document that keeps changing before it gives up
_ATTEMPTS = 3


@dataclass
class DocView:
    uri: str
    version: int | None
    file: FlowFile
    analysis: Analysis | None = None  # the engine's, for this version (None: parsed only)

    def graph(self, flow_name: str) -> FlowGraph | None:
        return self.analysis.graphs.get(flow_name) if self.analysis is not None else None


async def view(ls: MetaflowLanguageServer, uri: str) -> DocView | None:
    """Model of the document now, or None if it is not open / cannot be parsed. Parsed on a
    request worker (one parse per version, shared by every request that asks meanwhile),
    never on the event loop: one pathological document must not hold every other request."""
    for _ in range(_ATTEMPTS):
        if uri not in ls.workspace.text_documents:
            return None  # only open documents: pygls would otherwise read the file from disk
        try:
            document = ls.workspace.get_text_document(uri)
        except Exception:
            return None
        state = ls.docs.get(uri)
        if state is None:
            state = ls.docs[uri] = DocState()
        version = document.version
        if too_large(ls, document.source):
            return None
        if state.analysis is not None and state.analysis_version == version:
            return DocView(uri, version, state.analysis.file, state.analysis)
        if state.model is not None and state.model_version == version:
            return DocView(uri, version, state.model)
        if state.parsing is not None and state.parsing[0] == version:
            future = state.parsing[1]
        else:
            future = _parse(ls, uri, state, version, document.source, document.path or uri)
        # shield: a request past its budget must not cancel the parse the others wait for
        model = await asyncio.shield(future)
        if model is not None:
            return DocView(uri, version, model)
    return None


def _parse(
    ls: MetaflowLanguageServer, uri: str, state: DocState, version: int | None, text: str, path: str
) -> asyncio.Future[FlowFile | None]:
    def job() -> FlowFile | None:
        if analyses.current_version(ls, uri) != version:
            return None  # superseded while queued: the newest version wins
        try:
            from metaflow_expert.parsing import parse_flow_file

            return parse_flow_file(text, path)
        except Exception as exc:
            ls.log_exception("parse failed", exc)
            return None

    def keep(future: asyncio.Future[FlowFile | None]) -> None:
        if state.parsing is not None and state.parsing[1] is future:
            state.parsing = None
        if future.cancelled() or future.exception() is not None:
            return
        model = future.result()
        current = ls.docs.get(uri) is state and analyses.current_version(ls, uri) == version
        if model is not None and current and state.model_version != version:
            state.model, state.model_version = model, version

    future = analyses.submit(state, ls.request_pool, job)
    state.parsing = (version, future)
    future.add_done_callback(keep)
    return future


async def analysed(ls: MetaflowLanguageServer, uri: str) -> DocView | None:
    """The document now with the engine's analysis (graphs, findings): immediate when the
    newest analysis is of this version, else after it ran on a lint worker. A document that
    keeps changing meanwhile gets the parsed-only view rather than an endless wait."""
    for _ in range(_ATTEMPTS):
        doc = await view(ls, uri)
        if doc is None or doc.analysis is not None:
            return doc
        await analyses.ensure(ls, uri)
    return await view(ls, uri)


async def on_disk(ls: MetaflowLanguageServer, uri: str) -> DocView | None:
    """A flow file the editor has not opened (the graph panel may outlive its editor; Run
    With… from the explorer), read and analysed on the lint workers like an open one; None
    when it is not a file, is beyond ``lint.maxFileChars`` or cannot be read."""

    def read_and_analyze(path: str) -> Analysis | None:
        p = Path(path)
        if not p.is_file() or p.stat().st_size > ls.settings.lint.max_file_chars:
            return None
        text = p.read_text(errors="replace")
        return analyses.analyze(text, path, ls.settings, ls.catalog, ls)

    try:
        from pygls.uris import to_fs_path

        path = to_fs_path(uri)
        if not path:
            return None
        loop = asyncio.get_running_loop()
        analysis = await loop.run_in_executor(ls.analysis_pool, read_and_analyze, path)
    except Exception:
        return None
    return DocView(uri, None, analysis.file, analysis) if analysis is not None else None


def published_findings(ls: MetaflowLanguageServer, doc: DocView) -> list[Finding]:
    """The findings of ``doc``'s analysis if the editor has been shown them (with
    ``lint.run: onSave`` a hover may have analysed an edit that is not published yet)."""
    state = ls.docs.get(doc.uri)
    if doc.analysis is None or state is None or state.published_version != doc.version:
        return []
    return list(doc.analysis.findings)


def too_large(ls: MetaflowLanguageServer, text: str) -> bool:
    """Files beyond ``lint.maxFileChars`` are not analysed: one generated or pasted blob must
    not hold the parser (and every other document's lint) for minutes."""
    return len(text) > ls.settings.lint.max_file_chars


def cursor(ls: MetaflowLanguageServer, doc: DocView, pos: types.Position) -> tuple[int, int]:
    return positions.from_position(ls.workspace.position_codec, doc.file.lines, pos)


def to_range(ls: MetaflowLanguageServer, doc: DocView, span: Span) -> types.Range:
    return positions.to_range(ls.workspace.position_codec, doc.file.lines, span)
