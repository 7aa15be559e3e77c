"""Benchmark the knowledge index: cold build, warm load, catalog load, query time, with peers.

Run: ``.venv/bin/python scripts/bench_index.py [--metaflow-source DIR]``. One run, printed as a
table; the peers (``grep -rn`` over the same tree, ``python -c "import metaflow"``) are measured
in the same run so the ratios mean something on this machine. Targets: cold ≤ 3 s, warm
≤ 150 ms, catalog warm ≤ 30 ms, median query ≤ 30 ms (questions, and pasted messages, which
also take the phrase path). Prints the index size: search documents and entries by kind.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--metaflow-source", default=None)
    args = ap.parse_args()

    from metaflow_expert.knowledge import catalog as catalog_mod
    from metaflow_expert.knowledge.index import load_index
    from metaflow_expert.knowledge.source import locate_source

    src = locate_source(args.metaflow_source)
    cache = Path(tempfile.mkdtemp(prefix="mfx-bench-"))

    t = time.perf_counter()
    cold = load_index(src, cache_dir=cache)
    t_cold = time.perf_counter() - t
    assert not cold.from_cache

    catalog_mod._MEMO.clear()
    t = time.perf_counter()
    warm = load_index(src, cache_dir=cache)
    t_warm = time.perf_counter() - t
    assert warm.from_cache

    catalog_mod._MEMO.clear()
    t = time.perf_counter()
    catalog_mod.load_catalog(src, cache_dir=cache)
    t_cat = time.perf_counter() - t

    questions = json.loads((ROOT / "tests/knowledge/search_questions.json").read_text())[
        "questions"
    ]
    warm.search("warm up the fuzzy matcher")
    times = []
    for q in questions:
        t = time.perf_counter()
        warm.search(q["question"], k=10)
        times.append(time.perf_counter() - t)
    t_query = statistics.median(times)
    # pasted messages take the phrase path too: a sample of the indexed messages, filled in
    messages = [e.text for e in warm.entries.of_kind("error message") if len(e.text) > 40]
    pasted = [m.replace("{}", "'my_step'") for m in messages[:: max(1, len(messages) // 50)]]
    p_times = []
    for q in pasted:
        t = time.perf_counter()
        warm.search(q, k=10)
        p_times.append(time.perf_counter() - t)
    t_pasted = statistics.median(p_times)

    # a fresh process: what the CLI / language server pay on a warm cache (incl. imports)
    code = (
        "import time; t=time.perf_counter();"
        "from metaflow_expert.knowledge.index import load_index;"
        f"load_index(cache_dir={str(cache)!r}); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    t_proc = float(out.stdout.strip())

    t = time.perf_counter()
    subprocess.run(
        ["grep", "-rn", "--include=*.py", "retry", str(src.package_dir)], capture_output=True
    )
    t_grep = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import metaflow"], capture_output=True)
    t_import = time.perf_counter() - t

    print(
        f"Metaflow {src.version} at {src.root}: {len(warm.symbols.files)} files, {len(warm.symbols)} symbols, "
        f"{len(warm.search_index)} search documents"
    )
    counts = ", ".join(f"{n} {kind}" for kind, n in warm.entries.counts().items())
    print(f"entries: {len(warm.entries)} ({counts})")
    print(f"cold build (symbols+catalog+docs+search)  {_ms(t_cold)}   target ≤ 3000 ms")
    print(f"warm load_index (in process)              {_ms(t_warm)}   target ≤  150 ms")
    print(f"warm load_index (fresh process, imports)  {_ms(t_proc)}")
    print(f"warm load_catalog                         {_ms(t_cat)}   target ≤   30 ms")
    print(f"median query ({len(times)} questions, k=10)       {_ms(t_query)}   target ≤   30 ms")
    print(
        f"median query ({len(p_times)} pasted messages, k=10)  {_ms(t_pasted)}   target ≤   30 ms"
    )
    print(
        f"peer: grep -rn retry over metaflow/       {_ms(t_grep)}   (cold/grep = {t_cold / t_grep:.1f}x)"
    )
    print(
        f"peer: python -c 'import metaflow'         {_ms(t_import)}   (warm/import = {t_warm / t_import:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
