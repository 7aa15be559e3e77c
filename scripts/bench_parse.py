"""Benchmark: tree-sitter alone, parse + model, and the full engine on generated flows of 200
and 3,000 lines and on Metaflow's tutorials; plus graph building on a chain of diamonds.

Usage: ``.venv/bin/python scripts/bench_parse.py [--runs N]``. Prints the median wall time,
p90 and the median CPU time (the fairer figure on a shared machine). ``analyze_text`` runs
with the decorator catalog loaded, as the CLI does. Targets for ``analyze_text``: 200 lines
<= 2 ms, 3,000 lines <= 30 ms, on flows shaped like Metaflow's own
(``scripts/flowgen.py``); the denser stress shape is measured too, without a target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.parsing import parse_flow_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flowgen import dense_flow, realistic_flow, tutorial_texts


def measure(fn, text: str, runs: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Median and p90 wall time, and median CPU time (robust on a shared machine), in ms."""
    for _ in range(5):
        fn(text)  # warm up (rule import, caches, the first runs of a new process)
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn(text)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[max(0, int(len(wall) * 0.9) - 1)], statistics.median(cpu)


def tutorials() -> str:
    """The tutorial flows shipped with the installed Metaflow, concatenated (real code)."""
    return "\n".join(tutorial_texts())


def diamonds(n: int) -> str:
    """start -> (a0, b0) -> j0 -> (a1, b1) -> j1 ... -> end, each join also a split:
    Metaflow's own traversal walks 2**n paths."""
    lines = ["from metaflow import FlowSpec, step", "", "", "class Diamonds(FlowSpec):"]
    lines += ["    @step", "    def start(self):", "        self.next(self.a0, self.b0)"]
    for i in range(n):
        nxt = "self.end" if i == n - 1 else f"self.a{i + 1}, self.b{i + 1}"
        for side in "ab":
            lines += ["    @step", f"    def {side}{i}(self):", f"        self.next(self.j{i})"]
        lines += ["    @step", f"    def j{i}(self, inputs):", f"        self.next({nxt})"]
    lines += ["    @step", "    def end(self):", "        pass", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    from metaflow_expert.graph import build_graph
    from metaflow_expert.knowledge.catalog import load_catalog
    from metaflow_expert.parsing.tree import parse

    catalog = load_catalog()

    def analyze(text: str) -> object:
        return analyze_text(text, "bench.py", catalog=catalog)

    def tree_sitter(text: str) -> object:
        return parse(text.encode())

    inputs = [
        ("real-shape ", realistic_flow("BenchFlow", 200)),
        ("real-shape ", realistic_flow("BenchFlow", 3000)),
        ("dense ", dense_flow("BenchFlow", 200)),
        ("dense ", dense_flow("BenchFlow", 3000)),
        ("tutorials ", tutorials()),
    ]
    for shape, text in inputs:
        if not text:
            continue
        n = text.count("\n")
        stages = (("tree-sitter", tree_sitter), ("parse_flow_file", parse_flow_file))
        for label, fn in (*stages, ("analyze_text", analyze)):
            med, p90, cpu = measure(fn, text, args.runs)
            print(
                f"{label:16s} {shape:>11s}{n:5d} lines: median {med:7.2f} ms   "
                f"p90 {p90:7.2f} ms   cpu median {cpu:7.2f} ms"
            )
    flow = parse_flow_file(diamonds(16)).flows[0]
    _, _, cpu = measure(lambda _: build_graph(flow), "", args.runs)
    print(f"build_graph, 16 diamonds (2**16 paths for Metaflow): cpu median {cpu:7.2f} ms")


if __name__ == "__main__":
    main()
