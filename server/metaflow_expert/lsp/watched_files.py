"""Re-analyse an open flow when a file its analysis read besides the text changes.

Why: MF222 checks the keys a flow reads from a ``Config`` against its default file (a JSON
file beside the flow). The analysis reads that file afresh each time, but nothing asked for
a new analysis when only the JSON file was edited, so the flow's diagnostics stayed wrong
until its next edit. Each kept analysis says which side files it read
(``Analysis.side_files``); this module asks the client to watch exactly those
(``workspace/didChangeWatchedFiles``, registered dynamically, and again whenever the set
changes) and, on a change, re-runs the analyses of the documents that read the file (on the
lint workers, through ``diagnostics.schedule``: the event loop only dispatches). A client
without dynamic registration for watched files gets nothing: the flow is re-checked at its
next edit, as before.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from metaflow_expert.lsp import diagnostics
from metaflow_expert.lsp.server import MetaflowLanguageServer

if TYPE_CHECKING:
    from metaflow_expert.lint.engine import Analysis


class Watching:
    """What is registered with the client: the watched paths and the registration's id."""

    def __init__(self) -> None:
        self.paths: frozenset[str] = frozenset()
        self.registration: str | None = None
        #: the newest re-registration (each waits for the one before it)
        self.pending: asyncio.Future[None] | None = None


def register(server: MetaflowLanguageServer) -> None:
    watching = Watching()

    def on_analysis(uri: str, analysis: Analysis) -> None:
        if not _client_can_watch(server):
            return
        # only grow: a path no flow reads any more costs nothing. Every kept analysis passes
        # here and ``_rewatch`` records its paths at once, so only this one's can be new.
        new = frozenset(analysis.side_files) - watching.paths
        if new:
            _rewatch(server, watching, watching.paths | new)

    server.on_analysis(on_analysis)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: MetaflowLanguageServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        changed = {_path_of(change.uri) for change in params.changes}
        changed.discard(None)
        if not changed:
            return
        for uri in affected(ls, changed):
            diagnostics.schedule(ls, uri, 0.0, fresh=True)


def affected(ls: MetaflowLanguageServer, changed: set[str | None]) -> list[str]:
    """The open documents whose newest analysis read one of the ``changed`` paths."""
    return [
        uri
        for uri, state in ls.docs.items()
        if state.analysis is not None and not changed.isdisjoint(state.analysis.side_files)
    ]


def _path_of(uri: str) -> str | None:
    """The resolved file path of a ``file:`` URI (as the Config reader resolves it)."""
    from pygls.uris import to_fs_path

    try:
        path = to_fs_path(uri)
        return str(Path(path).resolve()) if path else None
    except (OSError, ValueError):
        return None


def _client_can_watch(ls: MetaflowLanguageServer) -> bool:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    return bool(watched and watched.dynamic_registration)


def _relative_patterns(ls: MetaflowLanguageServer) -> bool:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    return bool(watched and watched.relative_pattern_support)


def watchers(paths: frozenset[str], relative: bool) -> list[types.FileSystemWatcher]:
    """One watcher per path: a pattern relative to its folder when the client supports it
    (no glob characters of a file name can then widen the match), else the absolute path
    with its glob characters bracketed."""
    out: list[types.FileSystemWatcher] = []
    for path in sorted(paths):
        p = Path(path)
        pattern: types.GlobPattern = (
            types.RelativePattern(base_uri=p.parent.as_uri(), pattern=p.name)
            if relative
            else _glob_literal(p.as_posix())
        )
        out.append(types.FileSystemWatcher(glob_pattern=pattern))
    return out


def _glob_literal(path: str) -> str:
    """``path`` as an LSP glob matching only itself (``*?[]{}`` each in brackets)."""
    return "".join(f"[{c}]" if c in "*?[]{}" else c for c in path)


def _rewatch(ls: MetaflowLanguageServer, watching: Watching, paths: frozenset[str]) -> None:
    """Replace the registration by one watching ``paths`` (runs on the event loop)."""
    previous = watching.pending
    old = watching.registration
    new = f"metaflow-expert-side-files-{uuid.uuid4().hex}"
    watching.paths, watching.registration = paths, new
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=watchers(paths, _relative_patterns(ls))
    )

    async def run() -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        try:
            if old is not None:
                await ls.client_unregister_capability_async(
                    types.UnregistrationParams(
                        unregisterations=[
                            types.Unregistration(
                                id=old, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES
                            )
                        ]
                    )
                )
            await ls.client_register_capability_async(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id=new,
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=options,
                        )
                    ]
                )
            )
        except Exception as exc:  # a client that refuses: diagnostics follow the next edit
            ls.log("debug", f"watching side files failed: {exc}")

    task = asyncio.ensure_future(run())
    watching.pending = task
    ls.tasks.add(task)
    task.add_done_callback(ls.tasks.discard)
