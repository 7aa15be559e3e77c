"""``workspace/executeCommand``: ``metaflowExpert.graph``, ``.ask`` and ``.status`` (the
contract in docs/architecture.md, consumed by the VS Code extension).

Why ask runs on a thread: an answer takes seconds to minutes; the loop keeps serving hovers
while ``agent.ask`` runs, its status goes out as ``$/progress`` on the request's
``workDoneToken`` and its text as ``metaflowExpert/askDelta``. ``$/cancelRequest`` sets the
agent's cancel event. Lines in the graph are 0-based (LSP coordinates).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from metaflow_expert.lsp import budgets, citations, documents
from metaflow_expert.lsp.server import (
    ASK_DELTA_NOTIFICATION,
    MetaflowLanguageServer,
    current_command_params,
    current_request_id,
)
from metaflow_expert.model import Finding, FlowClass

if TYPE_CHECKING:  # the agent and the graph load when a command needs them
    from metaflow_expert.agent import AskSettings
    from metaflow_expert.graph import FlowGraph, GraphNode
    from metaflow_expert.graph_groups import ForeachGroup
    from metaflow_expert.knowledge.index import KnowledgeIndex

GRAPH = "metaflowExpert.graph"
ASK = "metaflowExpert.ask"
STATUS = "metaflowExpert.status"
INDEX_WAIT_S = 120.0


def register(server: MetaflowLanguageServer) -> None:
    @server.command(STATUS)
    def status(ls: MetaflowLanguageServer, *args: Any) -> dict[str, Any]:
        return ls.status_payload()

    @server.command(GRAPH)
    async def graph(ls: MetaflowLanguageServer, *args: Any) -> dict[str, Any]:
        uri = args[0] if args and isinstance(args[0], str) else None
        if uri is None and args and isinstance(args[0], dict):
            uri = args[0].get("uri")
        if not uri:
            uri = next(iter(ls.docs), None)
        if not uri:
            return {"flows": []}
        return await budgets.within(ls, "graph", graph_payload(ls, uri), {"flows": []})

    @server.command(ASK)
    async def ask(ls: MetaflowLanguageServer, *args: Any) -> dict[str, Any]:
        params = current_command_params.get()
        token = getattr(params, "work_done_token", None)
        msg_id = current_request_id.get()
        arg = args[0] if args and isinstance(args[0], dict) else {}
        if args and isinstance(args[0], str):
            arg = {"question": args[0]}
        cancel = threading.Event()
        ls.cancel_events[msg_id] = cancel
        try:
            return await _ask(ls, arg, token, cancel)
        except asyncio.CancelledError:
            cancel.set()
            raise
        finally:
            ls.cancel_events.pop(msg_id, None)


def _edge_kind(node: GraphNode | None, target_node: GraphNode | None) -> str:
    t = getattr(node, "type", None)
    if t == "split":
        return "branch"
    if t == "foreach":
        return "parallel" if getattr(node, "parallel_foreach", False) else "foreach"
    if t == "split-switch":
        return "switch"
    if getattr(target_node, "type", None) == "join":
        return "join"
    return "linear"


def _flow_payload(
    flow: FlowClass, graph: FlowGraph | None, findings: list[Finding]
) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    from metaflow_expert.graph_groups import foreach_groups

    problems: dict[str, list[dict[str, str]]] = {}
    for f in sorted(findings, key=Finding.sort_key):
        if f.flow in (None, flow.name) and f.step:
            problems.setdefault(f.step, []).append(
                {"code": f.code, "message": f.message, "severity": f.severity.value}
            )
    for name, step in flow.steps.items():
        node = None
        try:
            node = graph[name] if graph is not None and name in graph else None
        except Exception:
            node = None
        nodes.append(
            {
                "name": name,
                "type": getattr(node, "type", None) or "unknown",
                "line": step.def_span.start_line,
                "decorators": [d.name for d in step.other_decorators],
                "diagnostics": len(problems.get(name, ())),
                "problems": problems.get(name, []),
                "doc": step.docstring,
            }
        )
        targets = list(
            getattr(node, "out_funcs", None)
            or (step.transition.target_names if step.transition else [])
        )
        labels: dict[str, str] = {}
        if step.transition is not None:
            tr = step.transition
            for case in tr.switch_cases:
                if case.target is not None:
                    labels[case.target.name] = case.key_source
            if tr.kind in ("foreach", "parallel") and tr.targets:
                src = tr.foreach if tr.kind == "foreach" else tr.num_parallel
                labels[tr.targets[0].name] = f"{tr.kind} {src}" if src is not None else tr.kind
        for target in targets:
            tnode = None
            try:
                tnode = graph[target] if graph is not None and target in graph else None
            except Exception:
                tnode = None
            edges.append(
                {
                    "source": name,
                    "target": target,
                    "kind": _edge_kind(node, tnode),
                    "label": labels.get(target),
                }
            )
    return {
        "name": flow.name,
        "line": flow.span.start_line,
        "nodes": nodes,
        "edges": edges,
        "groups": [_group_payload(g) for g in foreach_groups(graph)] if graph is not None else [],
    }


def _group_payload(group: ForeachGroup) -> dict[str, Any]:
    return {
        "split": group.split,
        "join": group.join,
        "parent": group.parent,
        "label": group.label,
        "steps": list(group.steps),
    }


async def graph_payload(ls: MetaflowLanguageServer, uri: str) -> dict[str, Any]:
    """The graph view's data: per flow its steps (with their problems listed, so a node's
    tooltip says what is wrong), edges, and foreach bodies as nested groups (from the pure
    core's :func:`~metaflow_expert.graph_groups.foreach_groups`)."""
    doc = await documents.analysed(ls, uri) or await documents.on_disk(ls, uri)
    if doc is None:
        return {"flows": []}
    findings = documents.published_findings(ls, doc)
    flows = [f for f in doc.file.flows if f.is_leaf] or doc.file.flows
    return {"flows": [_flow_payload(f, doc.graph(f.name), findings) for f in flows]}


def _ask_settings(ls: MetaflowLanguageServer) -> AskSettings:
    from metaflow_expert.agent import AskSettings

    s = AskSettings()
    a = ls.settings.ask
    if a.model:
        s.model = a.model
    if a.base_url:
        s.base_url = a.base_url
    if a.max_turns:
        s.max_turns = a.max_turns
    if a.max_tokens:
        s.max_tokens = a.max_tokens
    if a.deadline_s and a.deadline_s > 0:
        s.deadline = float(a.deadline_s)
    return s


def _progress(ls: MetaflowLanguageServer, token: Any, kind: str, message: str) -> None:
    if token is None:
        return
    value: Any
    if kind == "begin":
        value = types.WorkDoneProgressBegin(
            title="Metaflow Expert", message=message, cancellable=True
        )
    elif kind == "end":
        value = types.WorkDoneProgressEnd(message=message)
    else:
        value = types.WorkDoneProgressReport(message=message)
    ls.notify(types.PROGRESS, types.ProgressParams(token=token, value=value))


async def _wait_for_index(
    ls: MetaflowLanguageServer, token: Any, cancel: threading.Event
) -> KnowledgeIndex:
    deadline = time.monotonic() + INDEX_WAIT_S
    told = False
    while ls.index is None:
        if ls.knowledge.state == "error":
            raise RuntimeError(f"Metaflow is not indexed: {ls.knowledge.message}")
        if cancel.is_set() or time.monotonic() > deadline:
            raise RuntimeError("the Metaflow index is not ready yet; try again in a moment")
        if not told:
            _progress(ls, token, "report", "Waiting for the Metaflow index…")
            told = True
        await asyncio.sleep(0.1)
    return ls.index


async def _ask(
    ls: MetaflowLanguageServer, arg: dict[str, Any], token: Any, cancel: threading.Event
) -> dict[str, Any]:
    question = str(arg.get("question") or "").strip()
    _progress(ls, token, "begin", "Thinking…")
    try:
        index = await _wait_for_index(ls, token, cancel)
        from metaflow_expert.agent import AskContext, AskEvent, ask

        context = None
        uri = arg.get("uri")
        if isinstance(uri, str) and uri:
            text = path = None
            try:
                document = ls.workspace.get_text_document(uri)
                text, path = document.source, document.path
            except Exception:
                pass
            line = arg.get("line")
            context = AskContext(
                path=path,
                line=int(line) + 1 if isinstance(line, int) else None,
                text=text,
                selection=arg.get("selection") if isinstance(arg.get("selection"), str) else None,
            )

        def on_event(event: AskEvent) -> None:
            if event.kind == "text" and token is not None:
                ls.notify(ASK_DELTA_NOTIFICATION, {"token": token, "text": event.text})
            elif event.kind == "reset" and token is not None:
                # the text streamed so far is superseded (a tool turn, or the repaired answer)
                ls.notify(ASK_DELTA_NOTIFICATION, {"token": token, "text": "", "reset": True})
            elif event.kind in ("status", "tool", "note"):
                _progress(ls, token, "report", event.text)

        settings = _ask_settings(ls)
        offline = arg.get("offline") if isinstance(arg.get("offline"), bool) else None
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(
            None,
            lambda: ask(
                question,
                index=index,
                context=context,
                conversation_id=arg.get("conversationId") or None,
                offline=offline,
                settings=settings,
                on_event=on_event,
                cancel=cancel,
            ),
        )
    except Exception as exc:
        _progress(ls, token, "end", "failed")
        from pygls.exceptions import JsonRpcInternalError

        if type(exc).__name__ == "AskCancelled":
            from pygls.exceptions import JsonRpcRequestCancelled

            raise JsonRpcRequestCancelled("the question was cancelled")
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise JsonRpcInternalError(first)
    _progress(ls, token, "end", "done")
    usage = answer.usage.to_json() if hasattr(answer.usage, "to_json") else {}
    return {
        "answer": answer.answer,
        "citations": [
            {
                "path": c.path,
                "line": c.line,
                "end_line": c.end_line,
                "verified": c.verified,
                "uri": citations.file_uri(ls.knowledge, c.path, c.line),
            }
            for c in answer.citations
        ],
        "mode": answer.mode,
        "not_found": answer.not_found,
        "usage": usage,
        "conversationId": answer.conversation_id,
        "note": getattr(answer, "note", None),
    }
