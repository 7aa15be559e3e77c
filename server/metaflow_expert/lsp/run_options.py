"""``workspace/executeCommand`` ``metaflowExpert.runOptions``: what "Run with…" offers for the
flows of a document, and the warnings to show before the run.

Argument: ``uri`` or ``{uri, choices?: {settings?: {name: value}, with?: [spec]}}``. Answer:
``{flows: [RunOptions…]}`` (see :mod:`metaflow_expert.explain.run_options`), one per leaf flow;
lines are 0-based. The settings are resolved as a run started in the flow file's folder (where
the extension's terminal runs it) would resolve them, from this server's environment — the
extension starts the server, so both inherit the editor's environment.

Why it waits for the catalog: the requirement warnings come from it; answering without them
right after start would let the very run the warning is for go ahead unwarned.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from metaflow_expert.explain.run_options import Choices, run_options
from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer

RUN_OPTIONS = "metaflowExpert.runOptions"
CATALOG_WAIT_S = 20.0


def register(server: MetaflowLanguageServer) -> None:
    @server.command(RUN_OPTIONS)
    async def run_options_command(ls: MetaflowLanguageServer, *args: Any) -> dict[str, Any]:
        arg = args[0] if args else None
        uri = arg if isinstance(arg, str) else arg.get("uri") if isinstance(arg, dict) else None
        if not isinstance(uri, str) or not uri:
            return {"flows": []}
        picked = arg.get("choices") if isinstance(arg, dict) else None
        return await budgets.within(
            ls, "run options", payload(ls, uri, choices_of(picked)), {"flows": []}
        )


def choices_of(raw: object) -> Choices:
    """The client's ``choices`` object, anything malformed dropped."""
    if not isinstance(raw, dict):
        return Choices()
    settings = raw.get("settings")
    specs = raw.get("with")
    return Choices(
        settings={str(k): str(v) for k, v in (settings or {}).items() if isinstance(v, str) and v}
        if isinstance(settings, dict)
        else {},
        with_specs=[s for s in specs if isinstance(s, str)] if isinstance(specs, list) else [],
    )


async def payload(ls: MetaflowLanguageServer, uri: str, choices: Choices) -> dict[str, Any]:
    path = _path_of(uri)
    doc = await documents.view(ls, uri) or await documents.on_disk(ls, uri)
    if doc is None:
        return {"flows": []}
    flow_file = doc.file
    deadline = time.monotonic() + CATALOG_WAIT_S
    while ls.catalog is None and ls.knowledge.state != "error" and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    catalog = ls.catalog
    cwd = path.parent if path is not None else Path.cwd()
    flows = [f for f in flow_file.flows if f.is_leaf] or flow_file.flows

    def build() -> list[dict[str, object]]:
        return [run_options(f, catalog, choices, cwd=cwd).to_json() for f in flows]

    return {"flows": await budgets.in_thread(ls, build), "catalog": catalog is not None}


def _path_of(uri: str) -> Path | None:
    from pygls.uris import to_fs_path

    path = to_fs_path(uri)
    return Path(path) if path else None
