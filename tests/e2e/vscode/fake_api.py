"""Serve the scripted Anthropic stand-in (tests/agent/fake_anthropic.py) for the VS Code e2e run.

Why a separate process: the e2e driver is node, and the extension's server must reach the API
over real HTTP (`metaflowExpert.ask.baseUrl`), exactly as it would reach api.anthropic.com.
Prints the base URL on the first line of stdout, then serves until SIGTERM/SIGINT.
The scripted answer cites `class FlowSpec(` at the line it really has in the Metaflow in use;
the second request hangs (the driver cancels it).
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "agent"))

from fake_anthropic import FakeAnthropic, Slow, text_reply

from metaflow_expert.knowledge.source import locate_source


def answer_text() -> str:
    root = Path(locate_source(python=sys.executable).root)
    lines = (root / "metaflow/flowspec.py").read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("class FlowSpec("))
    return (
        "A flow is a Python class that subclasses `FlowSpec` "
        f"(metaflow/flowspec.py:{line}). Each step is a method decorated with `@step`, and "
        "every step except `end` ends with `self.next(...)`.\n\n"
        "- Steps run in order along the graph that `self.next` calls describe.\n"
        "- Artifacts assigned to `self` persist between steps.\n"
    )


def main() -> int:
    text = answer_text()
    # 1st question: answered at once; 2nd: hangs, so the driver can press Cancel; then answers.
    script = [text_reply(text), Slow(300, text_reply(text))] + [text_reply(text)] * 20
    with FakeAnthropic(script) as fake:
        print(fake.base_url, flush=True)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
