"""``metaflow-expert serve``: run the language server on stdio (default) or TCP.

Why stdio by default: that is how VS Code, Neovim and Helix launch servers. stdout is the
protocol channel, so nothing in the server may print; Python logging goes to stderr.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead")
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["error", "warning", "info", "debug"],
        help="level of the server's own log on stderr (editor log: setting logLevel)",
    )


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.lsp.secrets import ScrubbingFormatter, ScrubbingStream

    # stderr reaches the editor's output panel: nothing written there may carry the API key
    # (a traceback's chained exception can: the API echoes it in its error body)
    sys.stderr = ScrubbingStream(sys.stderr)  # type: ignore[assignment]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(level=getattr(logging, args.log_level.upper()), handlers=[handler])
    # Each analysis allocates many short-lived objects; with CPython's default thresholds a
    # full collection lands in about one lint out of five and triples its time (p95 of edit →
    # diagnostics on 3,000 lines: ~170 ms → ~55 ms with these). The long-lived index is frozen
    # out of the collector once loaded (lifecycle).
    gc.set_threshold(50_000, 20, 100)
    from metaflow_expert.lsp.features import create_server
    from metaflow_expert.lsp.transport import FrameReader, serve_tcp

    server = create_server()
    # pygls reads only what FrameReader hands it, on stdio and TCP alike: well-formed frames,
    # whatever the client sent (see transport.py)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print(
                f"metaflow-expert serve: --tcp needs HOST:PORT, got {args.tcp!r}", file=sys.stderr
            )
            return 2
        try:
            serve_tcp(server, host.strip("[]") or "127.0.0.1", int(port))
        except OSError as exc:  # the address is taken or not ours
            print(f"metaflow-expert serve: cannot listen on {args.tcp}: {exc}", file=sys.stderr)
            return 2
    else:
        # stdout stays pygls' own
        server.start_io(stdin=FrameReader(sys.stdin.buffer))  # type: ignore[arg-type]
    return 0
