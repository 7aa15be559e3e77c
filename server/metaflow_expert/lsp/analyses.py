"""The engine's analysis of an open document: run on the lint workers, shared at each version.

Why one place: diagnostics publish an analysis's findings, and hovers, code actions and the
graph command read its graphs. If each built its own graph, a hover could describe a graph
the lint did not check (a step decorator the catalog marks parallel, say). So there is one
analysis per (document version, settings, catalog), run on the lint workers — never on the
event loop, and one job at a time per document (:func:`submit`) — and whoever asks while it
runs waits for that same run.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from metaflow_expert.lsp.server import AnalysisInputs, DocState, MetaflowLanguageServer
from metaflow_expert.lsp.settings import ServerSettings

if TYPE_CHECKING:  # the engine loads on the lint thread (lifecycle's warm-up), not at start-up
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.lint.config import LintSettings
    from metaflow_expert.lint.engine import Analysis


T = TypeVar("T")


def current_version(ls: MetaflowLanguageServer, uri: str) -> int | None:
    try:
        return ls.workspace.get_text_document(uri).version
    except Exception:
        return None


def _same(a: AnalysisInputs | None, b: AnalysisInputs) -> bool:
    """Same version and the very same settings and catalog objects (both are replaced, never
    mutated, when they change)."""
    return a is not None and a[0] == b[0] and a[1] is b[1] and a[2] is b[2]


async def ensure(ls: MetaflowLanguageServer, uri: str, *, fresh: bool = False) -> Analysis | None:
    """The analysis of ``uri`` at its current version with the current settings and catalog:
    the stored one, the one already running, or a new run (always a new run when ``fresh``:
    a save or a re-lint must re-read the project's settings). None when the document closed
    or changed before the analysis ran, or is too large to analyse."""
    state = ls.docs.get(uri)
    if state is None:
        return None
    try:
        document = ls.workspace.get_text_document(uri)
    except Exception:
        return None
    text = document.source
    if len(text) > ls.settings.lint.max_file_chars:
        return None
    version = document.version
    settings, catalog = ls.settings, ls.catalog
    inputs: AnalysisInputs = (version, settings, catalog)
    if not fresh:
        if state.analysis is not None and _same(state.analysis_inputs, inputs):
            return state.analysis
        if state.running is not None and _same(state.running[0], inputs):
            return await _result(ls, uri, state, version, state.running[1])
    path = document.path or uri

    def job() -> Analysis | None:
        if uri not in ls.docs or current_version(ls, uri) != version:
            return None  # superseded while queued
        return analyze(text, path, settings, catalog, ls)

    future = submit(state, ls.analysis_pool, job)
    state.running = (inputs, future)
    future.add_done_callback(lambda f: _keep(ls, uri, state, inputs, f))
    return await _result(ls, uri, state, version, future)


def submit(state: DocState, pool: Executor, job: Callable[[], T]) -> asyncio.Future[T | None]:
    """Run ``job`` on ``pool`` once the document's previous job (parse or analysis) is done.

    Why one at a time per document: a running job cannot be stopped, so without this every
    keystroke in a document that takes seconds to analyse would start one more thread on it
    and starve the other documents. Jobs check when they start whether their version is
    still the newest and return None at once if not: the newest version wins. None too when
    the pool was shut down by ``exit`` while the job waited."""
    previous = state.last_job
    loop = asyncio.get_running_loop()

    async def after_previous() -> T | None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        try:
            return await loop.run_in_executor(pool, job)
        except RuntimeError:  # the pool was shut down (``exit``): nothing left to answer
            return None

    future = asyncio.ensure_future(after_previous())
    state.last_job = future
    return future


def _keep(
    ls: MetaflowLanguageServer,
    uri: str,
    state: DocState,
    inputs: AnalysisInputs,
    future: asyncio.Future[Analysis | None],
) -> None:
    """Store a finished analysis if its document is still open at that version. A callback on
    the run, not code after an ``await``: a cancelled request must not lose the result for
    the others waiting on it."""
    if state.running is not None and state.running[1] is future:
        state.running = None
    if future.cancelled() or future.exception() is not None:
        return
    analysis = future.result()
    version = inputs[0]
    if analysis is None or ls.docs.get(uri) is not state or current_version(ls, uri) != version:
        return
    state.analysis, state.analysis_version, state.analysis_inputs = analysis, version, inputs
    state.model, state.model_version = analysis.file, version
    ls.analysis_kept(uri, analysis)


async def _result(
    ls: MetaflowLanguageServer,
    uri: str,
    state: DocState,
    version: int | None,
    future: asyncio.Future[Analysis | None],
) -> Analysis | None:
    # shield: one waiter's cancellation (a hover the editor gave up on) must not cancel the run
    analysis = await asyncio.shield(future)
    if ls.docs.get(uri) is not state or current_version(ls, uri) != version:
        return None
    return analysis


def lint_settings(path: str, settings: ServerSettings) -> LintSettings:
    """Project settings (``[tool.metaflow-expert]`` in pyproject) overlaid with the editor's.

    A broken pyproject table falls back to the defaults: the editor keeps linting."""
    from metaflow_expert.lint import config

    try:
        base = config.load_settings(path) if path and Path(path).exists() else None
    except Exception:
        base = None
    if base is None:
        base = config.LintSettings()
    lint = settings.lint
    if lint.select:
        base = dataclasses.replace(base, select=tuple(lint.select))
    if lint.ignore:
        base = dataclasses.replace(base, ignore=tuple(lint.ignore))
    if lint.nested_foreach is not None:
        base = dataclasses.replace(base, nested_foreach=lint.nested_foreach)
    return base


def analyze(
    text: str,
    path: str,
    settings: ServerSettings,
    catalog: DecoratorCatalog | None,
    ls: MetaflowLanguageServer | None = None,
) -> Analysis | None:
    """Run the engine; never raises (an engine crash becomes a log line and no analysis)."""
    try:
        from metaflow_expert.lint.engine import analyze_text

        return analyze_text(text, path, settings=lint_settings(path, settings), catalog=catalog)
    except Exception as exc:
        if ls is not None:
            ls.log_exception(f"analysis of {path} failed", exc)
        return None
