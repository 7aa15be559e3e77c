"""The language server object: state shared by the feature modules, and nothing else.

Why a subclass holding state (the pygls examples' pattern, not module globals): tests and the
benchmark start many servers; each feature module (``diagnostics``, ``hover``, …) registers its
handlers on one instance through ``register(server)`` and reads documents, analyses, settings
and the Metaflow knowledge from here. This module sits at the bottom of ``lsp/``: it imports no
feature, and which features exist is decided in ``lsp/features.py``.

Why hooks: one feature must react to another's events without importing it (``lifecycle``
loads the Metaflow knowledge and applies settings; ``diagnostics`` re-lints on both;
``watched_files`` watches the side files each kept analysis read). The
event's owner fires it here (:meth:`MetaflowLanguageServer.knowledge_changed`,
:meth:`MetaflowLanguageServer.settings_changed`); whoever cares subscribes
(:meth:`MetaflowLanguageServer.on_knowledge`, :meth:`MetaflowLanguageServer.on_settings`).

Threads: the asyncio loop answers requests and does no heavy work itself; analyses run on the
lint workers and request-time parsing / cursor logic on the request workers, one job per
document at a time (``analyses.submit``), so one slow document holds one worker and never a
hover in another file; the Metaflow index is built on a daemon thread after ``initialized``.
Anything sent to the client from a thread goes through :meth:`call_soon`.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCNotification, LanguageServerProtocol
from pygls.workspace import Workspace

from metaflow_expert import __version__
from metaflow_expert.lsp.secrets import scrub, scrub_value
from metaflow_expert.lsp.settings import ServerSettings, parse_settings, unwrap
from metaflow_expert.lsp.text_lines import LspWorkspace

if TYPE_CHECKING:  # the knowledge and engine load on the lint and index threads, not here
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.knowledge.index import KnowledgeIndex
    from metaflow_expert.knowledge.source import MetaflowSource
    from metaflow_expert.lint.engine import Analysis
    from metaflow_expert.lsp.run_artifacts import ArtifactCache
    from metaflow_expert.model import FlowFile

log = logging.getLogger(__name__)

STATUS_NOTIFICATION = "metaflowExpert/status"
ASK_DELTA_NOTIFICATION = "metaflowExpert/askDelta"

#: The ``workspace/executeCommand`` params of the request being handled (for its workDoneToken).
current_command_params: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "current_command_params", default=None
)
#: The JSON-RPC id of the request being handled (to match ``$/cancelRequest``).
current_request_id: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "current_request_id", default=None
)

#: What became available: the decorator catalog (lint reads it), then the whole index (Ask).
KnowledgeEvent = Literal["catalog", "index"]

#: What an analysis was computed from: document version, editor settings, decorator catalog.
AnalysisInputs = tuple[int | None, ServerSettings, "DecoratorCatalog | None"]

_LEVELS = {"error": 1, "warning": 2, "info": 3, "debug": 4}


#: the editor sends edits, not whole documents
SYNC_KIND = types.TextDocumentSyncKind.Incremental
#: JSON-RPC's code for a request whose params do not fit its method
INVALID_PARAMS = -32602
#: what a request with invalid params becomes once answered: a notification nobody handles
_ANSWERED = "$/metaflowExpert/answeredInvalidRequest"


class MetaflowProtocol(LanguageServerProtocol):
    """pygls' protocol plus the hooks pygls lacks: the command params (workDoneToken) reach
    the command handler, ``$/cancelRequest`` reaches requests already running, a request
    whose params do not deserialize gets an answer, and error responses are scrubbed."""

    @property
    def workspace(self) -> Workspace:
        """pygls' workspace, swapped (once, before the first document opens) for one whose
        documents split lines as LSP does (see ``text_lines``)."""
        workspace = super().workspace
        if not isinstance(workspace, LspWorkspace) and not workspace.text_documents:
            workspace = LspWorkspace.replacing(workspace, SYNC_KIND)
            self._workspace = workspace
        return workspace

    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls raises here on params that do not fit the method (``line: -1``, ``[]``, a
        missing ``position``), before any handler knows the request id: the request then got
        no response at all and the client waited forever. Answer it with -32602."""
        try:
            return super().structure_message(data)
        except Exception as exc:
            if not (
                isinstance(data, dict) and "id" in data and isinstance(data.get("method"), str)
            ):
                raise
            method = data["method"]
            try:
                error = types.ResponseError(
                    code=INVALID_PARAMS, message=f"invalid params for {method}: {_reason(exc)}"
                )
                self._send_response(data["id"], None, error)
            except Exception:
                raise exc from None
            log.warning("answered request %r (%s) with invalid params: -32602", data["id"], method)
            return JsonRPCNotification(method=_ANSWERED, params=None, jsonrpc="2.0")

    def _handle_request(self, msg_id: Any, method_name: str, params: Any) -> None:
        current_request_id.set(msg_id)
        current_command_params.set(
            params if method_name == types.WORKSPACE_EXECUTE_COMMAND else None
        )
        super()._handle_request(msg_id, method_name, params)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        server = self._server
        if isinstance(server, MetaflowLanguageServer):
            server.cancel_request(msg_id)
        super()._handle_cancel_notification(msg_id)

    def _send_response(
        self, msg_id: Any, result: Any | None = None, error: types.ResponseError | None = None
    ) -> None:
        # an error's data is pygls' traceback, whose chained exception may hold the API key
        if error is not None:
            error = types.ResponseError(
                code=error.code, message=scrub(error.message), data=scrub_value(error.data)
            )
        super()._send_response(msg_id, result, error)


@dataclass
class DocState:
    """Per open document: the newest analysis, the one running, the parse running for a
    request, and the pending lint timer."""

    analysis: Analysis | None = None
    analysis_version: int | None = None
    analysis_inputs: AnalysisInputs | None = None
    running: tuple[AnalysisInputs, asyncio.Future[Analysis | None]] | None = None
    parsing: tuple[int | None, asyncio.Future[FlowFile | None]] | None = None
    #: the document's newest job on a worker (parse or analysis); the next one waits for it
    last_job: asyncio.Future[Any] | None = None
    timer: asyncio.TimerHandle | None = None
    model: FlowFile | None = None
    model_version: int | None = None
    published_version: int | None = None


@dataclass
class KnowledgeState:
    """The Metaflow being explained: where it is and what has been indexed so far."""

    state: str = "starting"
    version: str | None = None
    root: str | None = None
    message: str = "starting"
    source: MetaflowSource | None = None
    catalog: DecoratorCatalog | None = None
    index: KnowledgeIndex | None = None
    generation: int = 0


class MetaflowLanguageServer(LanguageServer):
    """State for every feature; features live in their own modules."""

    def __init__(self) -> None:
        super().__init__(
            "metaflow-expert",
            __version__,
            text_document_sync_kind=SYNC_KIND,
            protocol_cls=MetaflowProtocol,
        )
        self.settings = ServerSettings()
        self.raw_settings: dict[str, Any] = {}
        self.docs: dict[str, DocState] = {}
        self.knowledge = KnowledgeState()
        self.loop: asyncio.AbstractEventLoop | None = None
        # Several workers, at most one job per document at a time (``analyses.submit``): one
        # pathological document then holds one worker, not every other document's lint.
        self.analysis_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mfx-lint")
        # parsing for requests and explain's cursor / completion logic, off the event loop
        self.request_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mfx-request")
        self.cancel_events: dict[Any, threading.Event] = {}
        self.lock = threading.Lock()
        self.artifacts: ArtifactCache | None = None  # created by the first artifact hover
        self.tasks: set[asyncio.Future[Any]] = set()  # background lint tasks (keep a reference)
        self.shutdown_requested = False
        self._knowledge_subscribers: list[Callable[[KnowledgeEvent], None]] = []
        self._settings_subscribers: list[Callable[[], None]] = []
        self._analysis_subscribers: list[Callable[[str, Analysis], None]] = []

    # ---- hooks: features react to each other's events without importing each other --------
    def on_knowledge(self, callback: Callable[[KnowledgeEvent], None]) -> None:
        """Call ``callback(event)`` each time more of the Metaflow knowledge is loaded."""
        self._knowledge_subscribers.append(callback)

    def knowledge_changed(self, event: KnowledgeEvent) -> None:
        """Tell the subscribers (on the event loop thread; safe to call from any thread)."""
        for callback in list(self._knowledge_subscribers):
            self.call_soon(self._run_subscriber, "knowledge", callback, event)

    def on_settings(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after new editor settings have been applied."""
        self._settings_subscribers.append(callback)

    def settings_changed(self) -> None:
        """Tell the subscribers (on the event loop thread; safe to call from any thread)."""
        for callback in list(self._settings_subscribers):
            self.call_soon(self._run_subscriber, "settings", callback)

    def on_analysis(self, callback: Callable[[str, Analysis], None]) -> None:
        """Call ``callback(uri, analysis)`` each time a document's new analysis is kept (on
        the event loop thread): what the analysis read besides the text is known then."""
        self._analysis_subscribers.append(callback)

    def analysis_kept(self, uri: str, analysis: Analysis) -> None:
        """Tell the subscribers (on the event loop thread; safe to call from any thread)."""
        for callback in list(self._analysis_subscribers):
            self.call_soon(self._run_subscriber, "analysis", callback, uri, analysis)

    def _run_subscriber(self, hook: str, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as exc:  # one subscriber's bug must not starve the others
            self.log_exception(f"{hook} subscriber", exc)

    # ---- client communication (safe from any thread) -------------------------------------
    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn`` on the event loop thread (pygls' transport is not thread-safe)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            if _loop_running_here(loop):
                fn(*args)
            else:
                loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            pass

    def notify(self, method: str, params: Any) -> None:
        self.call_soon(self.protocol.notify, method, params)

    def log(self, level: str, message: str) -> None:
        """``window/logMessage`` when ``level`` is within the configured ``logLevel``."""
        if _LEVELS.get(level, 3) > _LEVELS.get(self.settings.log_level, 3):
            return
        kind = {
            "error": types.MessageType.Error,
            "warning": types.MessageType.Warning,
            "info": types.MessageType.Info,
            "debug": types.MessageType.Log,
        }[level]
        params = types.LogMessageParams(type=kind, message=scrub(message))
        self.call_soon(self.window_log_message, params)

    def log_exception(self, what: str, exc: BaseException) -> None:
        self.log("error", f"{what}: {type(exc).__name__}: {exc}")
        self.log("debug", "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))

    def send_status(self, knowledge: KnowledgeState | None = None) -> None:
        """``metaflowExpert/status`` for ``knowledge`` (default: the current state)."""
        k = knowledge if knowledge is not None else self.knowledge
        self.notify(
            STATUS_NOTIFICATION, {"state": k.state, "version": k.version, "message": k.message}
        )

    def status_payload(self) -> dict[str, Any]:
        k = self.knowledge
        return {
            "state": k.state,
            "version": k.version,
            "root": k.root,
            "message": k.message,
            "catalog": k.catalog is not None,
            "index": k.index is not None,
        }

    # ---- settings -----------------------------------------------------------------------
    def apply_settings(self, raw: Any) -> bool:
        """Take new editor settings; returns True when the Metaflow index must be rebuilt."""
        self.raw_settings = _merge(self.raw_settings, unwrap(raw))
        settings, warnings = parse_settings(self.raw_settings)
        old_key = self.settings.knowledge_key()
        self.settings = settings
        for w in warnings:
            self.log("warning", w)
        return settings.knowledge_key() != old_key

    # ---- end of life ------------------------------------------------------------------------
    def prepare_shutdown(self) -> None:
        """``shutdown``: drop the queued analyses (a running one cannot be interrupted)."""
        self.shutdown_requested = True
        self.analysis_pool.shutdown(wait=False, cancel_futures=True)
        self.request_pool.shutdown(wait=False, cancel_futures=True)

    def exit_process(self) -> None:
        """``exit``: end the process now, with LSP's code (0 after ``shutdown``, else 1).

        Why not return to pygls: it then joins its reader thread and Python joins the lint
        worker, so an ``exit`` during a 15-second lint took 13 s. Nothing is lost: responses
        are flushed as they are written, and the log is flushed here."""
        code = 0 if self.shutdown_requested else 1
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)

    # ---- requests ---------------------------------------------------------------------------
    def cancel_request(self, msg_id: Any) -> None:
        event = self.cancel_events.get(msg_id)
        if event is not None:
            event.set()

    @property
    def catalog(self) -> DecoratorCatalog | None:
        return self.knowledge.catalog

    @property
    def index(self) -> KnowledgeIndex | None:
        return self.knowledge.index


def _reason(exc: BaseException) -> str:
    """The innermost cause of a deserialization failure, on one short line."""
    cause: BaseException = exc
    while cause.__cause__ is not None:
        cause = cause.__cause__
    try:
        from cattrs import transform_error

        text = "; ".join(transform_error(cause))  # type: ignore[arg-type]
    except Exception:
        text = f"{type(cause).__name__}: {cause}"
    return " ".join(text.split())[:300] or type(exc).__name__


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` over ``old``, recursively (a client may send only the keys that changed)."""
    out = dict(old)
    for k, v in new.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _loop_running_here(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
