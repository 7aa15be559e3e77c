"""``metaflow-expert explain-error "…"``: a pasted error or traceback → where Metaflow raises
it, the condition that triggers it, the enclosing function and the fix (Markdown or JSON).

The text comes from the argument, or from stdin when the argument is ``-`` or absent and
stdin is not a terminal (``pbpaste | metaflow-expert explain-error``). Offline, no model.
Exit codes: 0 found, 1 nothing in the indexed source matches, 2 usage error (no text).
"""

from __future__ import annotations

import argparse
import json
import sys

FOUND, NOT_FOUND, USAGE = 0, 1, 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "text", nargs="?", help="the pasted message or traceback, in quotes; '-' or none: stdin"
    )
    p.add_argument("--json", action="store_true", help="print JSON {found, metaflow, causes}")
    p.add_argument(
        "--metaflow-source", metavar="DIR", help="folder containing the metaflow package to index"
    )


def run(args: argparse.Namespace) -> int:
    text = args.text
    if text in (None, "-"):
        text = "" if text is None and sys.stdin.isatty() else sys.stdin.read()
    if not text or not text.strip():
        print(
            "metaflow-expert explain-error: give the error text as an argument or on stdin",
            file=sys.stderr,
        )
        return USAGE
    from metaflow_expert.agent.explain_error import explain, render
    from metaflow_expert.knowledge.index import load_index
    from metaflow_expert.knowledge.source import locate_source

    try:
        index = load_index(locate_source(args.metaflow_source) if args.metaflow_source else None)
    except Exception as exc:
        print(
            f"metaflow-expert explain-error: cannot index the Metaflow source: {exc}",
            file=sys.stderr,
        )
        return NOT_FOUND
    ex = explain(text, index)
    if args.json:
        print(json.dumps(ex.to_json(index.version), indent=2))
    else:
        print(render(ex, index.version))
    return FOUND if ex.found else NOT_FOUND
