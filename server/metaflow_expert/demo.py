"""``metaflow-expert demo``: the whole product on a bundled example, for a first look.

Lints the bundled broken flow (what `python flow.py check` would stop at one at a time, all at
once), draws the bundled valid flow's DAG, and answers one question offline from the indexed
Metaflow source, so a newcomer sees every part work on a fresh machine without an API key.
"""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLES = Path(__file__).with_name("examples")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--question",
        default="What arguments does the retry decorator take, and what are their defaults?",
        help="the question answered offline at the end",
    )


def _section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.cli import main as cli

    broken = EXAMPLES / "broken_flow.py"
    hello = EXAMPLES / "hello_flow.py"

    _section(f"lint {broken.name}")
    cli(["lint", str(broken)])

    _section(f"graph {hello.name} (mermaid)")
    cli(["graph", str(hello), "--format", "mermaid"])

    _section(f"ask (offline): {args.question}")
    cli(["ask", args.question, "--offline"])
    return 0
