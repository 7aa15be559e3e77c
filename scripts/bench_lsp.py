"""Benchmark the language server through a real client over stdio (pytest-lsp's client).

Measures: spawn → first diagnostics (and the server's import time, for the "within 300 ms of
import" target); hover p50/p95 over 500 hovers; diagnostics latency after an edit on 200- and
3,000-line flows with debounce 0; the same hovers against jedi-language-server (peer ratio);
server RSS over 10,000 edits. Prints a markdown table (and JSON with --json).

    .venv/bin/python scripts/bench_lsp.py [--hovers 500] [--edits 10000] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

SERVER = [sys.executable, "-m", "metaflow_expert", "serve"]
ROOT = Path(__file__).resolve().parents[1]
SMALL_FLOW = ROOT / "tests" / "lsp" / "flows" / "train_flow.py"


def big_flow(steps: int) -> str:
    """A linear flow of ``steps`` steps, ~20 lines each, with decorators and artifacts."""
    out = [
        "from metaflow import FlowSpec, batch, current, retry, step",
        "",
        "",
        "class BigFlow(FlowSpec):",
    ]
    names = ["start", *[f"s{i}" for i in range(1, steps - 1)], "end"]
    for i, name in enumerate(names):
        nxt = names[i + 1] if i + 1 < len(names) else None
        out += [
            "",
            "    @retry(times=2)" if i % 3 == 0 else "    @batch(cpu=2, memory=4000)",
            "    @step",
            f"    def {name}(self):",
            f'        """Step {name}: does a little work."""',
            f"        self.value_{i} = {i}",
            "        total = 0",
            "        for k in range(10):",
            "            total += k * 2",
            "            if total > 50:",
            "                total -= 1",
            "        self.total = total",
            "        print(current.run_id, self.total)",
            "        data = {'a': 1, 'b': [1, 2, 3]}",
            "        self.data = data",
            "        text = 'x' * 10",
            "        self.text = text.upper()",
        ]
        if i > 0:
            out.append(f"        self.prev = self.value_{i - 1}")
        if nxt:
            out.append(f"        self.next(self.{nxt})")
    out += ["", "", 'if __name__ == "__main__":', "    BigFlow()", ""]
    return "\n".join(out)


HOVER_ANSWERED: dict[int, int] = {}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def start(
    cmd: list[str], init: dict[str, Any] | None = None, root: Path | None = None
) -> LanguageClient:
    client = make_test_lsp_client()
    client.feature("metaflowExpert/status")(lambda params: None)
    await client.start_io(*cmd)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options=init or {},
            root_uri=(root or ROOT).as_uri(),
        )
    )
    return client


async def stop(client: LanguageClient) -> None:
    try:
        await asyncio.wait_for(client.shutdown_session(), 10)
    except Exception:
        pass
    await client.stop()


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )


async def wait_version(client: LanguageClient, uri: str, version: int) -> None:
    """Until diagnostics for ``uri`` at ``version`` arrive (the server publishes with version)."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and (params.version is None or params.version >= version):
            return


def hover_positions(text: str) -> list[types.Position]:
    needles = [
        ("@batch", 2),
        ("cpu=", 1),
        ("self.next", 6),
        ("self.train", 7),
        ("self.value", 6),
        ("current.retry_count", 10),
        ("self.input", 6),
        ("def join", 5),
        ("self.alpha", 6),
        ("@retry", 2),
    ]
    out = []
    for needle, off in needles:
        idx = text.index(needle) + off
        line = text.count("\n", 0, idx)
        out.append(types.Position(line=line, character=idx - (text.rfind("\n", 0, idx) + 1)))
    return out


async def bench_hovers(client: LanguageClient, uri: str, text: str, n: int) -> list[float]:
    positions = hover_positions(text)
    times = []
    answered = 0
    for i in range(n):
        pos = positions[i % len(positions)]
        t0 = time.perf_counter()
        result = await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
        )
        times.append((time.perf_counter() - t0) * 1000)
        answered += result is not None
    HOVER_ANSWERED[id(client)] = answered
    return times


async def wait_ready(client: LanguageClient) -> None:
    while True:
        st = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="metaflowExpert.status", arguments=[])
        )
        if st["state"] in ("ready", "error"):
            return
        await asyncio.sleep(0.05)


def import_time() -> float:
    """Seconds to import the server (what ``serve`` pays before it can answer)."""
    code = "import time; t=time.perf_counter(); import metaflow_expert.lsp.features as s; s.create_server(); print(time.perf_counter()-t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return statistics.median(runs)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-lsp-"))
    small = work / "train_flow.py"
    small.write_text(SMALL_FLOW.read_text())
    init = {"lint": {"debounceMs": 0}, "runs": {"enabled": False}}

    # 1. spawn → first diagnostics
    results["import_s"] = import_time()
    firsts = []
    for _ in range(3):
        t0 = time.perf_counter()
        client = await start(SERVER, init, work)
        uri = small.as_uri()
        open_doc(client, uri, small.read_text())
        await wait_version(client, uri, 1)
        firsts.append(time.perf_counter() - t0)
        await stop(client)
    results["first_diagnostics_s"] = statistics.median(firsts)

    # 2. hovers (index ready, warm)
    client = await start(SERVER, init, work)
    text = small.read_text()
    uri = small.as_uri()
    open_doc(client, uri, text)
    await wait_version(client, uri, 1)
    await wait_ready(client)
    await bench_hovers(client, uri, text, 20)  # warm-up
    hov = await bench_hovers(client, uri, text, args.hovers)
    results["hover_p50_ms"], results["hover_p95_ms"] = pct(hov, 50), pct(hov, 95)
    results["hovers"], results["hovers_with_content"] = len(hov), HOVER_ANSWERED[id(client)]

    # 3. diagnostics latency after an edit, 200 and 3,000 lines
    for label, steps in (("200", 10), ("3000", 150)):
        body = big_flow(steps)
        path = work / f"big_{label}.py"
        path.write_text(body)
        buri = path.as_uri()
        open_doc(client, buri, body)
        await wait_version(client, buri, 1)
        lat = []
        edit_line = body.splitlines().index("                total -= 1")
        for v in range(2, 2 + args.edit_samples):
            # an incremental edit, as editors send them: retype the number on one line
            col = len("                total -= ")
            t0 = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=buri, version=v),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(
                                start=types.Position(line=edit_line, character=col),
                                end=types.Position(line=edit_line, character=col + 1),
                            ),
                            text=str(v % 10),
                        )
                    ],
                )
            )
            await wait_version(client, buri, v)
            lat.append((time.perf_counter() - t0) * 1000)
        results[f"diag_{label}_lines"] = body.count("\n") + 1
        results[f"diag_{label}_p50_ms"], results[f"diag_{label}_p95_ms"] = (
            pct(lat, 50),
            pct(lat, 95),
        )

    # 5. RSS over many edits (incremental one-character edits, debounce 0)
    pid = client._server.pid  # type: ignore[union-attr]
    rss0 = rss_kb(pid)
    line = text.splitlines().index("        self.next(self.join)")
    for v in range(2, 2 + args.edits):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=v),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=0),
                            end=types.Position(line=line, character=1 if v % 2 else 0),
                        ),
                        text="" if v % 2 else " ",
                    )
                ],
            )
        )
        if v % 500 == 0:
            await client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await asyncio.sleep(1.0)
    results["rss_before_mb"], results["rss_after_mb"] = rss0 / 1024, rss_kb(pid) / 1024
    results["edits"] = args.edits
    await stop(client)

    # 4. peer: jedi-language-server, same file, same hover positions
    jedi = shutil.which("jedi-language-server") or str(
        Path(sys.executable).parent / "jedi-language-server"
    )
    if Path(jedi).exists():
        peer = await start([jedi], {}, work)
        open_doc(peer, uri, text)
        await bench_hovers(peer, uri, text, 20)
        ph = await bench_hovers(peer, uri, text, args.hovers)
        results["jedi_hover_p50_ms"], results["jedi_hover_p95_ms"] = pct(ph, 50), pct(ph, 95)
        results["hover_p95_ratio_vs_jedi"] = results["hover_p95_ms"] / max(
            results["jedi_hover_p95_ms"], 1e-9
        )
        await stop(peer)
    shutil.rmtree(work, ignore_errors=True)
    return results


def report(r: dict[str, Any]) -> str:
    rows = [
        ("server import (create_server)", f"{r['import_s'] * 1000:.0f} ms", ""),
        (
            "spawn → first diagnostics",
            f"{r['first_diagnostics_s'] * 1000:.0f} ms",
            f"{(r['first_diagnostics_s'] - r['import_s']) * 1000:.0f} ms after import (target ≤ 300)",
        ),
        (
            "hover p50 / p95",
            f"{r['hover_p50_ms']:.2f} / {r['hover_p95_ms']:.2f} ms",
            f"{r['hovers_with_content']}/{r['hovers']} with content; target p95 ≤ 10 ms",
        ),
        (
            f"diagnostics after edit, {r['diag_200_lines']} lines p50 / p95",
            f"{r['diag_200_p50_ms']:.1f} / {r['diag_200_p95_ms']:.1f} ms",
            "",
        ),
        (
            f"diagnostics after edit, {r['diag_3000_lines']} lines p50 / p95",
            f"{r['diag_3000_p50_ms']:.1f} / {r['diag_3000_p95_ms']:.1f} ms",
            "target p95 ≤ 50 ms",
        ),
        (
            f"RSS before / after {r['edits']} edits",
            f"{r['rss_before_mb']:.0f} / {r['rss_after_mb']:.0f} MB",
            "",
        ),
    ]
    if "jedi_hover_p95_ms" in r:
        rows.append(
            (
                "jedi-language-server hover p50 / p95 (same file)",
                f"{r['jedi_hover_p50_ms']:.2f} / {r['jedi_hover_p95_ms']:.2f} ms",
                f"ratio p95 ours/jedi = {r['hover_p95_ratio_vs_jedi']:.2f}",
            )
        )
    lines = ["| measure | value | note |", "|---|---|---|"] + [
        f"| {a} | {b} | {c} |" for a, b, c in rows
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hovers", type=int, default=500)
    p.add_argument("--edits", type=int, default=10_000)
    p.add_argument("--edit-samples", type=int, default=30)
    p.add_argument("--json", type=Path)
    a = p.parse_args()
    res = asyncio.run(main(a))
    print(report(res))
    if a.json:
        a.json.write_text(json.dumps(res, indent=2))
