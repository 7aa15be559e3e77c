"""The one command-line entry point, ``metaflow-expert``.

Each subcommand lives in its own module and is imported only when chosen, so ``lint`` never
pays for the language server (lsprotocol ≈ 1 s) or the Anthropic SDK (≈ 5 s).
A subcommand module provides ``add_arguments(parser)`` and ``run(args) -> int``.

Exit status everywhere: 0 clean, 1 findings (or a failed answer), 2 usage or I/O. Output that
cannot be written (``> /dev/full``) is one line on stderr and exit 2; a reader that went away
(``| head -1``) is a quiet exit 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from metaflow_expert import __version__

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "lint": (
        "metaflow_expert.lint.cli",
        "check flow files for DAG, artifact and decorator problems",
    ),
    "graph": ("metaflow_expert.lint.graph_cli", "print a flow's DAG as mermaid, dot or json"),
    "rule": ("metaflow_expert.lint.rule_cli", "explain a rule (or list all rules)"),
    "index": (
        "metaflow_expert.knowledge.cli_index",
        "index the Metaflow source in use and report it",
    ),
    "search": (
        "metaflow_expert.knowledge.cli_search",
        "search the indexed Metaflow source and docs",
    ),
    "docs": ("metaflow_expert.knowledge.cli_docs", "write the generated knowledge docs"),
    "ask": ("metaflow_expert.agent.cli", "ask a question about Metaflow (grounded, cited answer)"),
    "explain-error": ("metaflow_expert.agent.explain_cli", "a pasted error: where, why, the fix"),
    "serve": ("metaflow_expert.lsp.cli", "run the language server (stdio by default)"),
    "demo": ("metaflow_expert.demo", "lint, draw and explain the bundled example flow"),
}


def _top_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="metaflow-expert",
        description="Static analysis, hovers and grounded answers for Metaflow flows.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n"
        + "\n".join(f"  {name:<8} {help_}" for name, (_, help_) in COMMANDS.items()),
    )
    p.add_argument("--version", action="version", version=f"metaflow-expert {__version__}")
    p.add_argument("command", nargs="?", help="one of the commands below")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = _top_parser()
    if not argv or argv[0] in ("-h", "--help") or argv[0] == "--version":
        top.parse_args(argv or ["--help"])
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        top.print_usage(sys.stderr)
        print(f"metaflow-expert: unknown command {name!r} (try --help)", file=sys.stderr)
        return 2
    module_name, help_ = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"metaflow-expert {name}", description=help_)
    module.add_arguments(parser)
    try:
        args = parser.parse_args(rest)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        status = int(module.run(args) or 0)
        sys.stdout.flush()  # inside the try: a full disk or a closed pipe shows up here
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _drop_stdout()
        return 2
    except OSError as exc:
        _drop_stdout()
        where = "cannot write output" if exc.filename is None else exc.filename
        print(f"metaflow-expert: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return status


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's flush at exit does not fail again
    (and print a traceback) with what is still buffered."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
