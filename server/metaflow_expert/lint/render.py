"""A flow's DAG as data (json), mermaid or Graphviz dot.

The json shape is the one the language server's ``metaflowExpert.graph`` command returns
(docs/architecture.md), so the CLI's ``graph --format json`` and the editor's graph view show
the same thing. Nodes and edges come from :class:`~metaflow_expert.graph.FlowGraph` (Metaflow's
own graph semantics); nothing here re-derives the DAG.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from metaflow_expert.model import Finding, FlowClass

EDGE_KINDS = ("linear", "branch", "foreach", "switch", "parallel", "join")


def _edge_kind(src: Any, dst: Any) -> str:
    t = getattr(src, "type", None)
    if t == "split-switch" or getattr(src, "switch_cases", None):
        return "switch"
    if t == "foreach" or (t == "start" and getattr(src, "foreach_param", None)):
        if getattr(src, "parallel_foreach", False) or getattr(src, "num_parallel", None):
            return "parallel"
        return "foreach"
    if t == "split" or len(getattr(src, "out_funcs", ()) or ()) > 1:
        return "branch"
    if getattr(dst, "type", None) == "join":
        return "join"
    return "linear"


def _edge_labels(src: Any) -> dict[str, str]:
    """Edge label per target: the switch key, the foreach variable or num_parallel."""
    out: dict[str, str] = {}
    cases = getattr(src, "switch_cases", None) or {}
    for key, target in dict(cases).items():
        out.setdefault(str(target), str(key))
    param = getattr(src, "foreach_param", None)
    num = getattr(src, "num_parallel", None)
    for target in getattr(src, "out_funcs", ()) or ():
        if param and param != "_parallel_ubf_iter" and target not in out:
            out[target] = f"foreach {param}"
        elif num and target not in out:
            out[target] = f"num_parallel={num}"
    return out


def graph_dict(flow: FlowClass, graph: Any, findings: Iterable[Finding] = ()) -> dict[str, Any]:
    """One flow's entry of the ``metaflowExpert.graph`` result:
    ``{name, line, nodes: [{name, type, line, decorators, diagnostics, doc}], edges: [...]}``."""
    per_step: dict[str, int] = {}
    for f in findings:
        if f.flow in (None, flow.name) and f.step:
            per_step[f.step] = per_step.get(f.step, 0) + 1
    nodes_map = getattr(graph, "nodes", None) or {}
    nodes = []
    edges = []
    for name, node in nodes_map.items():
        step = getattr(node, "step", None) or flow.steps.get(name)
        doc = (getattr(step, "docstring", None) or "").strip()
        nodes.append(
            {
                "name": name,
                "type": getattr(node, "type", None),
                "line": getattr(node, "func_lineno", None)
                or (step.func_lineno if step is not None else None),
                "decorators": list(getattr(node, "decorators", None) or []),
                "diagnostics": per_step.get(name, 0),
                "doc": doc.splitlines()[0] if doc else "",
            }
        )
    for name, node in nodes_map.items():
        labels = _edge_labels(node)
        for target in getattr(node, "out_funcs", ()) or ():
            if target not in nodes_map:
                continue  # unknown transition targets are reported as findings, not drawn
            edges.append(
                {
                    "source": name,
                    "target": target,
                    "kind": _edge_kind(node, nodes_map[target]),
                    "label": labels.get(target, ""),
                }
            )
    return {"name": flow.name, "line": flow.line1, "nodes": nodes, "edges": edges}


def to_json(flows: list[dict[str, Any]]) -> str:
    return json.dumps({"flows": flows}, indent=2)


def _mermaid_id(name: str, prefix: str = "n") -> str:
    return f"{prefix}_{name}"


def _mermaid_node(node: dict[str, Any], prefix: str = "n") -> str:
    label = node["name"].replace('"', "'")
    nid = _mermaid_id(node["name"], prefix)
    t = node["type"]
    if t in ("start", "end"):
        return f'{nid}(["{label}"])'
    if t in ("split", "foreach", "split-switch"):
        return f'{nid}{{"{label}"}}'
    if t == "join":
        return f'{nid}[["{label}"]]'
    return f'{nid}["{label}"]'


_MERMAID_ARROW = {"foreach": "==>", "parallel": "==>", "switch": "-.->"}


def to_mermaid(flows: list[dict[str, Any]]) -> str:
    """``flowchart TD`` per flow (a subgraph each when the file has several)."""
    lines = ["flowchart TD"]
    many = len(flows) > 1
    for i, flow in enumerate(flows):
        indent = "    "
        prefix = f"f{i}" if many else "n"  # node ids must be unique across subgraphs
        if many:
            lines.append(f"    subgraph {flow['name']}")
            indent = "        "
        for node in flow["nodes"]:
            lines.append(indent + _mermaid_node(node, prefix))
        for e in flow["edges"]:
            arrow = _MERMAID_ARROW.get(e["kind"], "-->")
            label = e["label"].replace('"', "'").replace("|", "/")
            mid = f'|"{label}"|' if label else ""
            src, dst = _mermaid_id(e["source"], prefix), _mermaid_id(e["target"], prefix)
            lines.append(f"{indent}{src} {arrow}{mid} {dst}")
        if many:
            lines.append("    end")
    return "\n".join(lines) + "\n"


def _dot_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_SHAPE = {
    "start": "oval",
    "end": "oval",
    "split": "diamond",
    "foreach": "diamond",
    "split-switch": "diamond",
    "join": "box3d",
}
_DOT_STYLE = {"foreach": "bold", "parallel": "bold", "switch": "dashed"}


def to_dot(flows: list[dict[str, Any]]) -> str:
    """One ``digraph`` per flow (Graphviz accepts several in one file)."""
    out: list[str] = []
    for flow in flows:
        out.append(f"digraph {_dot_quote(flow['name'])} {{")
        out.append("    rankdir=TB;")
        out.append('    node [shape=box, fontname="Helvetica"];')
        for node in flow["nodes"]:
            shape = _DOT_SHAPE.get(node["type"] or "", "box")
            out.append(f"    {_dot_quote(node['name'])} [shape={shape}];")
        for e in flow["edges"]:
            attrs = []
            if e["label"]:
                attrs.append(f"label={_dot_quote(e['label'])}")
            if e["kind"] in _DOT_STYLE:
                attrs.append(f"style={_DOT_STYLE[e['kind']]}")
            suffix = f" [{', '.join(attrs)}]" if attrs else ""
            out.append(f"    {_dot_quote(e['source'])} -> {_dot_quote(e['target'])}{suffix};")
        out.append("}")
    return "\n".join(out) + "\n"


RENDERERS = {"json": to_json, "mermaid": to_mermaid, "dot": to_dot}
