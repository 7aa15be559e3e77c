"""Diagnostics: lint on open, on change (debounced, per document) and on save; clear on close.

Why this shape: typing must never wait for lint. Each change (re)arms a per-document timer;
when it fires, the analysis runs on the lint workers (``analyses``: one run per version,
one job per document at a time, shared with a hover that asked first), and its result is published only if the
document still has the version that was analysed (stale results are dropped; a queued job
whose version is already outdated does not even run). Findings carry their rule
code, a link to the rule's doc, the related places, and a citation of the Metaflow check they
mirror (``metaflow/lint.py:LINE`` of the check function, or the decorator's source).

Open documents are linted again when the decorator catalog arrives and when the settings
change: this module subscribes to the server's knowledge and settings hooks (``lifecycle``,
which fires them, does not know who listens).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types

from metaflow_expert.lsp import analyses, citations, positions
from metaflow_expert.lsp.lifecycle import start_first_knowledge_build
from metaflow_expert.lsp.server import DocState, KnowledgeEvent, MetaflowLanguageServer
from metaflow_expert.model import split_citation

if TYPE_CHECKING:  # the engine loads on the lint thread (lifecycle's warm-up), not at start-up
    from metaflow_expert.lint.engine import Analysis
    from metaflow_expert.model import Finding

SOURCE = "metaflow-expert"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def register(server: MetaflowLanguageServer) -> None:
    def relint_on_catalog(event: KnowledgeEvent) -> None:
        if event == "catalog":  # lint reads only the decorator catalog, not the whole index
            relint_all(server)

    server.on_knowledge(relint_on_catalog)
    server.on_settings(lambda: relint_all(server))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MetaflowLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.docs[params.text_document.uri] = DocState()
        schedule(ls, params.text_document.uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MetaflowLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        if ls.settings.lint.run == "onType":
            schedule(ls, params.text_document.uri, ls.settings.lint.debounce_ms / 1000.0)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MetaflowLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, 0.0, fresh=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MetaflowLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        state = ls.docs.pop(params.text_document.uri, None)
        if state and state.timer:
            state.timer.cancel()
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )


def schedule(ls: MetaflowLanguageServer, uri: str, delay: float, fresh: bool = False) -> None:
    """(Re)arm the document's lint timer. Must run on the event loop thread.

    ``fresh``: analyse again even if this version was analysed already (for a hover, say),
    because what the analysis reads besides the text (``pyproject.toml``) may have changed."""
    state = ls.docs.setdefault(uri, DocState())
    if state.timer is not None:
        state.timer.cancel()
        state.timer = None
    loop = ls.loop or asyncio.get_event_loop()
    if delay <= 0:
        _spawn(ls, uri, fresh)
    else:
        state.timer = loop.call_later(delay, _spawn, ls, uri, fresh)


def _spawn(ls: MetaflowLanguageServer, uri: str, fresh: bool) -> None:
    task = asyncio.ensure_future(lint_document(ls, uri, fresh))
    ls.tasks.add(task)
    task.add_done_callback(ls.tasks.discard)


def relint_all(ls: MetaflowLanguageServer) -> None:
    """Lint every open document again (new settings or a newly loaded catalog)."""
    for uri in list(ls.docs):
        schedule(ls, uri, 0.0, fresh=True)


async def lint_document(ls: MetaflowLanguageServer, uri: str, fresh: bool = False) -> None:
    if uri not in ls.docs:
        return
    document = ls.workspace.get_text_document(uri)
    version = document.version
    text = document.source
    path = document.path or uri
    if len(text) > ls.settings.lint.max_file_chars:
        state = ls.docs[uri]
        if state.published_version is None or state.published_version >= 0:
            ls.log(
                "warning", f"{path}: {len(text)} characters, over lint.maxFileChars; not analysed"
            )
        state.published_version = -1
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[], version=version)
        )
        return
    analysis = await analyses.ensure(ls, uri, fresh=fresh)
    current = ls.docs.get(uri)
    if analysis is None or current is None or analyses.current_version(ls, uri) != version:
        return
    diagnostics = to_diagnostics(ls, analysis, uri)
    current.published_version = version
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
    )
    if ls.knowledge.generation == 0:
        start_first_knowledge_build(ls)


def _severity(finding: Finding, overrides: dict[str, str]) -> types.DiagnosticSeverity | None:
    level = overrides.get(finding.code)
    if level is None:
        for prefix, value in overrides.items():
            if finding.code.startswith(prefix):
                level = value
                break
    if level == "off":
        return None
    if level is None:
        level = getattr(finding.severity, "value", str(finding.severity))
    return _SEVERITY.get(level, types.DiagnosticSeverity.Warning)


def check_citation(ls: MetaflowLanguageServer, finding: Finding) -> tuple[str, int] | None:
    """Where in Metaflow the check this finding mirrors lives (path, 1-based line)."""
    mirrors = finding.mirrors
    catalog = ls.catalog
    if mirrors and catalog is not None:
        try:
            found = catalog.lint_checks.get(mirrors)
        except Exception:
            found = None
        if found:
            return str(found[0]), int(found[1])
    if finding.cites:
        return split_citation(finding.cites)
    return None


def to_diagnostics(
    ls: MetaflowLanguageServer, analysis: Analysis, uri: str
) -> list[types.Diagnostic]:
    codec = ls.workspace.position_codec
    lines = analysis.file.lines
    out: list[types.Diagnostic] = []
    overrides = ls.settings.lint.severity
    for f in analysis.findings:
        severity = _severity(f, overrides)
        if severity is None:
            continue
        related: list[types.DiagnosticRelatedInformation] = []
        for r in f.related:
            if r.path is None:
                related.append(
                    types.DiagnosticRelatedInformation(
                        location=types.Location(
                            uri=uri, range=positions.to_range(codec, lines, r.span)
                        ),
                        message=r.message,
                    )
                )
            else:
                loc = citations.location(ls.knowledge, r.path, r.span.line1)
                if loc is not None:
                    related.append(
                        types.DiagnosticRelatedInformation(location=loc, message=r.message)
                    )
        cite = check_citation(ls, f)
        if cite is not None:
            loc = citations.location(ls.knowledge, cite[0], cite[1])
            if loc is not None:
                what = f.mirrors or "source"
                related.append(
                    types.DiagnosticRelatedInformation(
                        location=loc, message=f"Metaflow's check {what} ({cite[0]}:{cite[1]})"
                    )
                )
        href = ls.settings.lint.doc_url(f.code)
        out.append(
            types.Diagnostic(
                range=positions.to_range(codec, lines, f.span),
                message=f.message,
                severity=severity,
                code=f.code,
                code_description=types.CodeDescription(href=href) if href else None,
                source=SOURCE,
                related_information=related or None,
                data={"code": f.code, "fix": bool(f.fix)},
            )
        )
    return out
