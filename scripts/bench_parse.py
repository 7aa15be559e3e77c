"""Benchmark: parse + model (and the full engine) on generated flows of 200 and 3,000 lines.

Usage: ``.venv/bin/python scripts/bench_parse.py [--runs N]``. Prints the median and p90 per
size. Targets: 200 lines < 1.5 ms, 3,000 lines < 20 ms for ``parse_flow_file``.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    for text in (make_flow(200), make_flow(3000), tutorials()):
        if not text:
            continue
        n = text.count("\n")
        for label, fn in (("parse_flow_file", parse_flow_file), ("analyze_text", analyze_text)):
            med, p90, cpu = measure(fn, text, args.runs)
            print(
                f"{label:16s} {n:5d} lines: median {med:7.2f} ms   p90 {p90:7.2f} ms"
                f"   cpu median {cpu:7.2f} ms"
            )


if __name__ == "__main__":
    main()
