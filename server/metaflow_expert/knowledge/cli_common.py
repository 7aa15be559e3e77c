"""Arguments shared by the knowledge CLIs (which Metaflow to index, where to cache)."""

from __future__ import annotations

import argparse
import sys

from metaflow_expert.knowledge.source import MetaflowSource, SourceNotFound, locate_source


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--python", metavar="P", help="index the metaflow installed for this interpreter"
    )
    parser.add_argument(
        "--metaflow-source",
        metavar="DIR",
        help="a Metaflow git checkout, a site-packages folder, or the metaflow/ package folder",
    )
    parser.add_argument(
        "--docs",
        metavar="DIR",
        action="append",
        default=[],
        help="extra markdown docs folder to index (repeatable)",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="cache folder (default: $METAFLOW_EXPERT_CACHE or ~/.cache/metaflow-expert)",
    )


def source_from_args(args: argparse.Namespace) -> MetaflowSource | None:
    """The located source, or None after printing a one-line error (the caller exits 2).

    A source the user named (``--metaflow-source``, ``--python``) that is not there is an
    error, not a note: falling back to the bundled Metaflow would index and report another
    Metaflow than the one asked about, with exit 0."""
    try:
        src = locate_source(args.metaflow_source, args.python)
    except SourceNotFound as exc:
        print(f"metaflow-expert: {exc}", file=sys.stderr)
        return None
    problem = named_source_missing(src, args.metaflow_source, args.python)
    if problem:
        print(f"metaflow-expert: {problem}", file=sys.stderr)
        return None
    for note in src.notes:
        print(f"metaflow-expert: skipped {note}", file=sys.stderr)
    return src


def named_source_missing(
    src: MetaflowSource, metaflow_source: str | None, python: str | None
) -> str | None:
    """Why ``src`` is a fallback for the Metaflow the user named, or None when it is that one."""
    if metaflow_source and src.origin != "explicit":
        return f"--metaflow-source {metaflow_source}: no metaflow/ package with flowspec.py there"
    if python and not metaflow_source and src.origin != "interpreter":
        return f"--python {python}: {'; '.join(src.notes) or 'no Metaflow there'}"
    return None
