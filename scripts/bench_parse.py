"""Benchmark: tree-sitter alone, parse + model, and the full engine on generated flows of 200
and 3,000 lines and on Metaflow's tutorials; plus graph building on a chain of diamonds.

Usage: ``.venv/bin/python scripts/bench_parse.py [--runs N]``. Prints the median wall time,
p90 and the median CPU time (the fairer figure on a shared machine). ``analyze_text`` runs
with the decorator catalog loaded, as the CLI does. Targets for ``analyze_text``: 200 lines
<= 2 ms, 3,000 lines <= 30 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.parsing import parse_flow_file

HEADER = '''"""A generated flow for benchmarks."""
import os

from metaflow import FlowSpec, Parameter, batch, card, catch, retry, step


class BenchFlow(FlowSpec):
    """Benchmark flow."""

    alpha = Parameter("alpha", default=0.5, help="a parameter")
    size = Parameter("size", default=10)

    @step
    def start(self):
        """Start."""
        self.items = list(range(self.size))
        self.next(self.s0)
'''

STEP = '''
    @retry(times=2)
    @batch(cpu=2, memory=4096)
    @step
    def s{i}(self):
        """Step {i}: does a little work."""
        total = 0
        for x in self.items:
            total += x * self.alpha
        self.total_{i} = total
        self.values_{i} = [v for v in self.items if v % 2 == 0]
        if total > 100:
            self.flag_{i} = True
        else:
            self.flag_{i} = False
        print("step {i}", os.getpid(), self.total_{i})
        self.next(self.s{j})
'''

FOOTER = '''
    @step
    def s{i}(self):
        self.next(self.end)

    @step
    def end(self):
        """End."""
        print("done")


if __name__ == "__main__":
    BenchFlow()
'''


def make_flow(lines: int) -> str:
    parts = [HEADER]
    i = 0
    while sum(p.count("\n") for p in parts) < lines - 12:
        parts.append(STEP.format(i=i, j=i + 1))
        i += 1
    parts.append(FOOTER.format(i=i))
    return "".join(parts)


def measure(fn, text: str, runs: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Median and p90 wall time, and median CPU time (robust on a shared machine), in ms."""
    fn(text)  # warm up (rule import, caches)
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
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("metaflow")
    if spec is None or not spec.submodule_search_locations:
        return ""
    root = Path(next(iter(spec.submodule_search_locations)))
    return "\n".join(p.read_text() for p in sorted(root.glob("tutorials/*/*.py")))


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

    for text in (make_flow(200), make_flow(3000), tutorials()):
        if not text:
            continue
        n = text.count("\n")
        stages = (("tree-sitter", tree_sitter), ("parse_flow_file", parse_flow_file))
        for label, fn in (*stages, ("analyze_text", analyze)):
            med, p90, cpu = measure(fn, text, args.runs)
            print(
                f"{label:16s} {n:5d} lines: median {med:7.2f} ms   p90 {p90:7.2f} ms"
                f"   cpu median {cpu:7.2f} ms"
            )
    flow = parse_flow_file(diamonds(16)).flows[0]
    _, _, cpu = measure(lambda _: build_graph(flow), "", args.runs)
    print(f"build_graph, 16 diamonds (2**16 paths for Metaflow): cpu median {cpu:7.2f} ms")


if __name__ == "__main__":
    main()
