"""The flow model of an open document at its current version, for request handlers.

Why: hovers and navigation must answer about the text the user sees now, not about the last
lint (which may be a debounce behind). The lint's model is reused when its version matches;
otherwise the text is parsed on the spot (parsing is fast; the rules are what lint adds) and
cached until the next edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from metaflow_expert.lsp import positions
from metaflow_expert.lsp.server import DocState, MetaflowLanguageServer
from metaflow_expert.model import FlowFile, Span

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph


@dataclass
class DocView:
    uri: str
    version: int | None
    file: FlowFile
    graphs: dict[str, FlowGraph]

    def graph(self, flow_name: str) -> FlowGraph | None:
        g = self.graphs.get(flow_name)
        if g is None:
            flow = self.file.flow(flow_name)
            if flow is not None:
                try:
                    from metaflow_expert.graph import build_graph

                    g = build_graph(flow)
                    self.graphs[flow_name] = g
                except Exception:
                    g = None
        return g


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
        return DocView(uri, version, state.analysis.file, dict(state.analysis.graphs or {}))
    if state.model is not None and state.model_version == version:
        graphs = (
            state.analysis.graphs
            if state.analysis is not None and state.analysis_version == version
            else {}
        )
        return DocView(uri, version, state.model, dict(graphs or {}))
    try:
        from metaflow_expert.parsing import parse_flow_file

        model = parse_flow_file(document.source, document.path or uri)
    except Exception as exc:
        ls.log_exception("parse failed", exc)
        return None
    state.model = model
    state.model_version = version
    return DocView(uri, version, model, {})


def too_large(ls: MetaflowLanguageServer, text: str) -> bool:
    """Files beyond ``lint.maxFileChars`` are not analysed: one generated or pasted blob must
    not hold the parser (and every other document's lint) for minutes."""
    return len(text) > ls.settings.lint.max_file_chars


def cursor(ls: MetaflowLanguageServer, doc: DocView, pos: types.Position) -> tuple[int, int]:
    return positions.from_position(ls.workspace.position_codec, doc.file.lines, pos)


def to_range(ls: MetaflowLanguageServer, doc: DocView, span: Span) -> types.Range:
    return positions.to_range(ls.workspace.position_codec, doc.file.lines, span)
