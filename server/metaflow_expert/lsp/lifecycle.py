"""Start-up, configuration and the Metaflow index: what the server does before any feature.

Why here: ``initialize`` must answer fast (the editor waits on it), so it only reads the
settings; ``initialized`` starts indexing the workspace interpreter's Metaflow on a thread,
reporting through ``$/progress`` (a server-created token) and ``metaflowExpert/status``.
Lint runs without the decorator catalog until it arrives; this module then fires the server's
knowledge hook (``ls.knowledge_changed``) and, on new settings, its settings hook, and never
imports ``diagnostics``: re-linting is diagnostics' business (it subscribes to both hooks).
Nothing here imports ``anthropic``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import threading
import uuid
from typing import Any

from lsprotocol import types

from metaflow_expert.lsp.server import MetaflowLanguageServer


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(types.INITIALIZE)
    def on_initialize(ls: MetaflowLanguageServer, params: types.InitializeParams) -> None:
        try:
            ls.loop = asyncio.get_running_loop()
        except RuntimeError:
            ls.loop = asyncio.get_event_loop()
        ls.apply_settings(params.initialization_options or {})
        ls.analysis_pool.submit(_warm_up)

    @server.feature(types.INITIALIZED)
    def on_initialized(ls: MetaflowLanguageServer, params: types.InitializedParams) -> None:
        ls.log("info", f"metaflow-expert {ls.version} started")
        ls.send_status()
        # The first lint goes first (it needs no index); indexing starts right after it, or
        # after a short delay when no document is open.
        loop = ls.loop or asyncio.get_event_loop()
        loop.call_later(FIRST_LINT_GRACE_S, start_first_knowledge_build, ls)

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: MetaflowLanguageServer, params: None) -> None:
        ls.prepare_shutdown()

    @server.feature(types.EXIT)
    def on_exit(ls: MetaflowLanguageServer, params: None) -> None:
        ls.exit_process()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_config(
        ls: MetaflowLanguageServer, params: types.DidChangeConfigurationParams
    ) -> None:
        raw = params.settings
        if not isinstance(raw, dict) or not raw:
            raw = await _pull_settings(ls)  # pull-model clients send null
            if raw is None:
                return
        take_settings(ls, raw)


def take_settings(ls: MetaflowLanguageServer, raw: Any) -> None:
    """Apply new settings (merged over the previous ones), re-index if needed, and tell the
    settings hook's subscribers (diagnostics re-lints)."""
    rebuild = ls.apply_settings(raw)
    ls.log("info", "settings updated" + (", re-indexing Metaflow" if rebuild else ""))
    if rebuild:
        ls.artifacts = None
        start_knowledge_build(ls)
    ls.settings_changed()


async def _pull_settings(ls: MetaflowLanguageServer) -> Any:
    """``workspace/configuration`` for section ``metaflowExpert``, if the client offers it."""
    try:
        workspace = ls.client_capabilities.workspace
        if not (workspace and workspace.configuration):
            return None
        result = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="metaflowExpert")])
            ),
            10,
        )
    except Exception as exc:
        ls.log("debug", f"workspace/configuration failed: {exc}")
        return None
    if result and isinstance(result[0], dict) and result[0]:
        return {"metaflowExpert": result[0]}
    return None


FIRST_LINT_GRACE_S = 0.5


def _warm_up() -> None:
    """Import the lint path on the lint thread while the client sends its first document."""
    try:
        from metaflow_expert.lint.engine import analyze_text

        analyze_text("from metaflow import FlowSpec\n", "<warm-up>")
    except Exception:
        pass


def start_first_knowledge_build(ls: MetaflowLanguageServer) -> None:
    """Start the initial index build once (after the first lint, or after the grace delay)."""
    if ls.knowledge.generation == 0:
        start_knowledge_build(ls)


def _progress_supported(ls: MetaflowLanguageServer) -> bool:
    try:
        window = ls.client_capabilities.window
        return bool(window and window.work_done_progress)
    except Exception:
        return False


class _Progress:
    """Server-initiated ``$/progress``: begin/report/end, silently absent if unsupported."""

    def __init__(self, ls: MetaflowLanguageServer, title: str) -> None:
        self.ls = ls
        self.token = f"metaflow-expert/index/{uuid.uuid4().hex[:8]}"
        self.title = title
        self.ready = threading.Event()
        self.enabled = _progress_supported(ls)
        if self.enabled:
            ls.call_soon(self._create)
        else:
            self.ready.set()

    def _create(self) -> None:
        try:
            # no pygls callback: it would raise on a request cancelled by shutdown
            fut = self.ls.protocol.send_request(
                types.WINDOW_WORK_DONE_PROGRESS_CREATE,
                types.WorkDoneProgressCreateParams(token=self.token),
            )
            fut.add_done_callback(lambda _f: self.ready.set())
        except Exception:
            self.enabled = False
            self.ready.set()

    def _send(self, value: Any) -> None:
        if not self.enabled:
            return
        self.ready.wait(timeout=5)
        self.ls.notify(types.PROGRESS, types.ProgressParams(token=self.token, value=value))

    def begin(self, message: str) -> None:
        self._send(types.WorkDoneProgressBegin(title=self.title, message=message, percentage=0))

    def report(self, message: str, percentage: int) -> None:
        self._send(types.WorkDoneProgressReport(message=message, percentage=percentage))

    def end(self, message: str) -> None:
        self._send(types.WorkDoneProgressEnd(message=message))


def start_knowledge_build(ls: MetaflowLanguageServer) -> None:
    """Index the Metaflow in use on a daemon thread; a newer build supersedes an older one."""
    with ls.lock:
        ls.knowledge.generation += 1
        generation = ls.knowledge.generation
    thread = threading.Thread(target=_build, args=(ls, generation), name="mfx-index", daemon=True)
    thread.start()


def _set_state(
    ls: MetaflowLanguageServer, generation: int, state: str, message: str, **kw: Any
) -> bool:
    """Publish a new knowledge state unless a newer build superseded this one.

    Why the notification is queued before the new state is swapped in: a client that reads
    the state through ``metaflowExpert.status`` has then always been sent the
    ``metaflowExpert/status`` notification (and, for a final state, the progress end) first."""
    with ls.lock:
        if generation != ls.knowledge.generation:
            return False
        new = dataclasses.replace(ls.knowledge, state=state, message=message, **kw)
        ls.send_status(new)
        ls.knowledge = new
    return True


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _build(ls: MetaflowLanguageServer, generation: int) -> None:
    settings = ls.settings
    progress = _Progress(ls, "Metaflow Expert: indexing Metaflow")
    progress.begin("locating the Metaflow source")
    _set_state(ls, generation, "indexing", "locating the Metaflow source")
    try:
        from metaflow_expert.knowledge.source import locate_source

        source = locate_source(explicit=settings.metaflow_source, python=settings.interpreter)
    except Exception as exc:
        msg = f"Metaflow source not found: {_one_line(exc)}"
        progress.end(msg)
        _set_state(ls, generation, "error", msg)
        ls.log("error", msg)
        return
    version = getattr(source, "version", None)
    root = str(getattr(source, "root", "") or "") or None
    origin = getattr(source, "origin", "")
    notes = [str(n) for n in (getattr(source, "notes", None) or ())]
    for note in notes:
        ls.log("warning", f"Metaflow source: {note}; using the {origin} Metaflow at {root}")
    _set_state(
        ls,
        generation,
        "indexing",
        f"reading decorators of Metaflow {version}",
        source=source,
        version=version,
        root=root,
        catalog=None,
        index=None,
    )
    progress.report(f"reading decorators of Metaflow {version}", 20)
    try:
        from metaflow_expert.knowledge.catalog import load_catalog

        catalog = load_catalog(source)
    except Exception as exc:
        msg = f"could not read Metaflow's decorators: {_one_line(exc)}"
        ls.log_exception("decorator catalog", exc)
        progress.end(msg)
        _set_state(ls, generation, "error", msg)
        return
    if not _set_state(ls, generation, "indexing", f"indexing Metaflow {version}", catalog=catalog):
        progress.end("superseded")
        return
    ls.knowledge_changed("catalog")
    progress.report(f"indexing Metaflow {version} source", 50)
    try:
        from metaflow_expert.knowledge.index import load_index

        index = load_index(source, extra_docs=tuple(settings.extra_docs))
    except Exception as exc:
        msg = f"could not index Metaflow {version}: {_one_line(exc)}"
        ls.log_exception("knowledge index", exc)
        progress.end(msg)
        _set_state(ls, generation, "error", msg)
        return
    message = f"Metaflow {version} indexed ({origin}: {root})"
    if notes:
        message += f"; not used: {notes[0]}"
    # The index is large and lives as long as the server: move it out of the garbage
    # collector's view, so a full collection during a lint does not rescan it (p95 latency).
    gc.collect()
    gc.freeze()
    progress.end(message)
    if _set_state(ls, generation, "ready", message, index=index):
        ls.log("info", message)
        ls.knowledge_changed("index")
