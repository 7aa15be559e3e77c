"""``metaflow-expert docs --out DIR``: write the generated knowledge docs (or print one)."""

from __future__ import annotations

import argparse
import sys

from metaflow_expert.knowledge.cli_common import add_source_arguments, source_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", help="folder to write the docs into")
    parser.add_argument("--show", metavar="NAME", help="print one doc (e.g. summary.md) to stdout")
    add_source_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.knowledge.docs import DOC_NAMES, write_docs
    from metaflow_expert.knowledge.index import load_index

    src = source_from_args(args)
    if src is None:
        return 2
    index = load_index(src, cache_dir=args.cache_dir)
    docs = {n: index.docs[n] for n in DOC_NAMES if n in index.docs}
    if args.show:
        name = args.show if args.show.endswith(".md") else f"{args.show}.md"
        if name not in docs:
            print(
                f"metaflow-expert: no doc {args.show!r}; one of {', '.join(docs)}", file=sys.stderr
            )
            return 2
        sys.stdout.write(docs[name])
        return 0
    if not args.out:
        print("metaflow-expert: give --out DIR or --show NAME", file=sys.stderr)
        return 2
    try:
        written = write_docs(docs, args.out)
    except OSError as exc:
        print(
            f"metaflow-expert: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    for p in written:
        print(p)
    return 0
