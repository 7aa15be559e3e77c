"""The flow model of an open document at its current version, for request handlers.

Why: hovers and navigation must answer about the text the user sees now, not about the last
lint (which may be a debounce behind). Two views: :func:`view` reuses the lint's model when
its version matches and otherwise parses on the spot (parsing is fast; the rules are what lint
adds), which is all that completion, symbols, navigation or rename need; :func:`analysed`
also carries the engine's graphs and findings, waiting for the analysis of the current version
when the newest is older. Graphs come only from the engine (never built here), so a hover,
a quick fix or the graph view cannot describe another graph than the one the lint checked.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def view(ls: MetaflowLanguageServer, uri: str) -> DocView | None:
    """Model of the document now, or None if it is not open / cannot be parsed."""
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
    try:
        from metaflow_expert.parsing import parse_flow_file

        model = parse_flow_file(document.source, document.path or uri)
    except Exception as exc:
        ls.log_exception("parse failed", exc)
        return None
    state.model = model
    state.model_version = version
    return DocView(uri, version, model)


async def analysed(ls: MetaflowLanguageServer, uri: str) -> DocView | None:
    """The document now with the engine's analysis (graphs, findings): immediate when the
    newest analysis is of this version, else after it ran on the lint thread. A document that
    keeps changing meanwhile gets the parsed-only view rather than an endless wait."""
    for _ in range(_ATTEMPTS):
        doc = view(ls, uri)
        if doc is None or doc.analysis is not None:
            return doc
        await analyses.ensure(ls, uri)
    return view(ls, uri)


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
