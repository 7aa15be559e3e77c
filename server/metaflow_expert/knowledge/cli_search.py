"""``metaflow-expert search QUERY``: ranked places in the Metaflow source that answer a query.

A query may be a question, an identifier, a command line (``run --max-workers``) or a pasted
error message or traceback. Each hit says what it is (``kind``: ``error message``, ``cli
option``, ``cli command``, ``config``, ``env var``, or the symbol kind ``class``, ``method``…),
in the text output and in ``--json``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from metaflow_expert.knowledge.cli_common import add_source_arguments, source_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="+",
        help="words, a question, an identifier, a CLI flag or a pasted error message",
    )
    parser.add_argument("-n", type=int, default=10, metavar="K", help="number of hits (default 10)")
    parser.add_argument("--json", action="store_true", help="print hits as JSON")
    add_source_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.knowledge.index import load_index

    src = source_from_args(args)
    if src is None:
        return 2
    index = load_index(src, extra_docs=args.docs, cache_dir=args.cache_dir)
    hits = index.search(" ".join(args.query), k=max(1, args.n))
    if args.json:
        print(json.dumps([asdict(h) for h in hits], indent=2))
        return 0
    if not hits:
        print(f"no results in Metaflow {index.version}")
        return 1
    for h in hits:
        print(f"{h.path}:{h.line}  {h.symbol}  [{h.kind}, {h.score:.2f}]")
        if h.snippet:
            print(f"    {h.snippet[:160]}")
    return 0
