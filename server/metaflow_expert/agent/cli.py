"""``metaflow-expert ask "QUESTION"``: a grounded answer in the terminal (Markdown or JSON).

Uses the model when ``ANTHROPIC_API_KEY`` is set (``ANTHROPIC_BASE_URL`` to point elsewhere),
otherwise answers offline from the index. ``--file``/``--line`` add the flow and step at that
line as context; ``--conversation ID`` continues an earlier conversation (kept on disk).

Exit status: 0 answered, 1 the answer failed (the API refused or broke off), 2 usage or I/O (a
``--file`` that is not a readable regular file, a ``--metaflow-source`` that is not there, an
index that cannot be built), as for every other command.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import threading
from typing import TYPE_CHECKING

from metaflow_expert.agent.types import (
    MAX_TURNS_CAP,
    Answer,
    AskContext,
    AskError,
    AskEvent,
    AskIncomplete,
    AskSettings,
)

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("question", help="the question, in quotes")
    p.add_argument(
        "--json", action="store_true", help="print JSON {answer, citations, mode, not_found, usage}"
    )
    p.add_argument(
        "--offline", action="store_true", help="never call the API: answer from the index only"
    )
    p.add_argument("--file", metavar="FLOW", help="a flow file to use as context")
    p.add_argument(
        "--line", type=int, metavar="N", help="1-based line in --file (the step there is context)"
    )
    p.add_argument("--model", help="model id (default: %(default)s)", default=AskSettings.model)
    p.add_argument("--conversation", metavar="ID", help="continue (or start) a named conversation")
    p.add_argument(
        "--max-turns",
        type=int,
        default=AskSettings.max_turns,
        help=f"tool-use turns before answering (at most {MAX_TURNS_CAP})",
    )
    p.add_argument(
        "--deadline",
        type=float,
        default=AskSettings.deadline,
        metavar="SECONDS",
        help="give up on an answer after this many seconds (default: %(default)g)",
    )
    p.add_argument(
        "--metaflow-source", metavar="DIR", help="folder containing the metaflow package to index"
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.agent.ask import ask
    from metaflow_expert.agent.history import STORE, load_into, save_from

    try:
        index = _load_index(args.metaflow_source)
    except Exception as exc:
        print(f"metaflow-expert ask: cannot index the Metaflow source: {exc}", file=sys.stderr)
        return 2
    settings = AskSettings(
        model=args.model,
        max_turns=max(1, min(args.max_turns, MAX_TURNS_CAP)),
        offline=args.offline,
        deadline=args.deadline,
    )
    context = None
    if args.file:
        try:
            if not stat.S_ISREG(os.stat(args.file).st_mode):  # a FIFO would block, /dev/zero grow
                raise OSError(0, "not a regular file")
            with open(args.file, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError as exc:
            print(f"metaflow-expert ask: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 2
        context = AskContext(path=args.file, line=args.line, text=text)
    if args.conversation:
        load_into(STORE, args.conversation)
    show = not args.quiet and sys.stderr.isatty()

    def on_event(event: AskEvent) -> None:
        if show and event.kind in ("status", "tool", "note"):
            print(f"… {event.text}", file=sys.stderr)

    cancel = threading.Event()
    try:
        answer = ask(
            args.question,
            index=index,
            context=context,
            conversation_id=args.conversation,
            settings=settings,
            on_event=on_event,
            cancel=cancel,
        )
    except KeyboardInterrupt:
        cancel.set()
        return 130
    except AskError as exc:
        from metaflow_expert.agent.anthropic_client import scrub_secrets

        if isinstance(exc, AskIncomplete) and exc.partial:
            print(scrub_secrets(exc.partial, settings.api_key))
        print(f"metaflow-expert ask: {scrub_secrets(str(exc), settings.api_key)}", file=sys.stderr)
        return 1
    if args.conversation:
        save_from(STORE, args.conversation)
    if args.json:
        print(json.dumps(answer.to_json(), indent=2))
    else:
        print(render_markdown(answer))
    return 0


def render_markdown(answer: Answer) -> str:
    out = [answer.answer.rstrip(), ""]
    if answer.citations:
        out.append("Sources:")
        for c in answer.citations:
            mark = "verified" if c.verified else "UNVERIFIED"
            out.append(f"  {c.label()}  [{mark}]")
        out.append("")
    u = answer.usage
    footer = f"[{answer.mode} · Metaflow {answer.version}"
    if answer.mode == "agent":
        cost = "" if u.cost_usd is None else f" · ≈ ${u.cost_usd:.4f}"
        footer += f" · {u.input_tokens} in / {u.output_tokens} out / {u.cache_read_tokens} cached tokens{cost}"
    footer += "]"
    if answer.note:
        out.append(f"Note: {answer.note}")
    out.append(footer)
    return "\n".join(out)


def _load_index(explicit: str | None) -> KnowledgeIndex:
    """The index of the Metaflow the user named, never a fallback for it (that would answer
    about another Metaflow than the one asked about)."""
    from metaflow_expert.knowledge.cli_common import named_source_missing
    from metaflow_expert.knowledge.index import load_index
    from metaflow_expert.knowledge.source import locate_source

    if not explicit:
        return load_index(None)
    source = locate_source(explicit)
    problem = named_source_missing(source, explicit, None)
    if problem:
        raise ValueError(problem)
    return load_index(source)
