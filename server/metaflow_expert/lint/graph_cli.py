"""``metaflow-expert graph FILE``: print a flow's DAG as mermaid, Graphviz dot or json.

The DAG is Metaflow's own (see ``graph.py``); the json is exactly what the language server's
``metaflowExpert.graph`` command returns, so scripts and the editor agree. Per-step
diagnostic counts come from the same lint run the CLI would do (without the decorator catalog,
to stay fast).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from metaflow_expert.lint.render import RENDERERS, graph_dict


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a Python file defining a FlowSpec")
    parser.add_argument(
        "--flow",
        metavar="NAME",
        help="only this flow class (default: every flow not subclassed in the file)",
    )
    parser.add_argument("--format", choices=sorted(RENDERERS), default="mermaid")


def flows_of(text: str, path: str, flow_name: str | None = None) -> list[dict[str, Any]]:
    """Graph dicts of the flows in ``text``, in source order: the leaf flows (a base class
    subclassed in the same file is incomplete on its own, as in Metaflow), or ``flow_name``."""
    from metaflow_expert.lint.engine import analyze_text
    from metaflow_expert.rules import load_all_rules

    load_all_rules()
    analysis = analyze_text(text, path)
    out = []
    for flow in analysis.file.flows:
        if flow_name is not None and flow.name != flow_name:
            continue
        if flow_name is None and not flow.is_leaf:
            continue
        graph = analysis.graphs.get(flow.name)
        if graph is None:
            from metaflow_expert.graph import build_graph
            from metaflow_expert.knowledge.facts import facts_for

            graph = build_graph(flow, facts_for(None).parallel_decorators)
        out.append(graph_dict(flow, graph, analysis.findings))
    return out


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.lint.runner import read_source

    text, error = read_source(args.file)
    if text is None:
        print(f"metaflow-expert: {error}", file=sys.stderr)
        return 2
    flows = flows_of(text, args.file, args.flow)
    if not flows:
        if args.flow:
            from metaflow_expert.parsing import parse_flow_file

            names = ", ".join(f.name for f in parse_flow_file(text, args.file).flows) or "none"
            print(
                f"metaflow-expert: {args.file}: no flow named {args.flow!r} (flows: {names})",
                file=sys.stderr,
            )
            return 2
        print(f"metaflow-expert: {args.file}: no FlowSpec subclass found", file=sys.stderr)
        return 1
    sys.stdout.write(RENDERERS[args.format](flows))
    if args.format == "json":
        sys.stdout.write("\n")
    return 0
