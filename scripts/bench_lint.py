"""Benchmark the lint path against Metaflow's own ``python flow.py check``.

Measures, in one run:

1. whole process, one file: ``metaflow-expert lint F`` vs ``python F check`` (per file ratio);
2. a 20-flow batch: one ``metaflow-expert lint`` process for 20 files vs 20 ``check`` processes;
3. in-process analysis (``analyze_text`` with the catalog): median over many runs for a
   generated 200-line and 3,000-line flow;
4. a generated repository of 1,000 flow files linted by one process (parallel pool).

``check`` runs with the venv's python, ``METAFLOW_DEFAULT_DATASTORE=local`` and ``HOME`` and
the working directory in a temporary folder, so it writes nothing into the repository (it
creates ``.metaflow/`` in its working directory; it needs no network).

Usage: ``.venv/bin/python scripts/bench_lint.py [--quick]``. Timings vary with machine load.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = [sys.executable, "-m", "metaflow_expert", "lint", "--quiet"]

TARGETS = {
    "in-process 200 lines": ("ms", 2.0),
    "in-process 3000 lines": ("ms", 30.0),
    "batch ratio": ("x", 30.0),
    "1000 files": ("s", 5.0),
}


def gen_flow(name: str, target_lines: int) -> str:
    """A realistic flow of about ``target_lines`` lines: parameters, decorators, artifacts,
    linear chains, a branch with a join and a foreach with a join, repeated. Large flows get
    longer step bodies rather than ever more splits (Metaflow's own graph traversal is
    exponential in the number of consecutive splits, so real flows keep few of them)."""
    pad = max(0, (target_lines - 200) // 40)
    head = [
        "from metaflow import FlowSpec, Parameter, card, retry, resources, step",
        "",
        "",
        f"class {name}(FlowSpec):",
        f'    """Generated benchmark flow {name}."""',
        "",
        '    alpha = Parameter("alpha", default=0.5, help="learning rate")',
        '    rounds = Parameter("rounds", default=3)',
        "",
    ]
    body: list[str] = []
    block = 0
    prev = "start"
    body += [
        "    @step",
        "    def start(self):",
        '        """Load the data."""',
        "        self.data = list(range(10))",
        "        self.seen = 0",
    ]

    def add_next(target: str, extra: str = "") -> None:
        body.append(f"        self.next(self.{target}{extra})")

    while len(head) + len(body) < target_lines - 25:
        b = block
        block += 1
        # a linear step between blocks: Metaflow forbids a join that is also a split
        kind = 0 if b % 2 == 0 else (1 if b % 4 == 1 else 2)
        if kind == 0:  # linear step
            add_next(f"prep{b}")
            body += [
                "",
                "    @retry(times=2)",
                "    @resources(cpu=2, memory=4000)",
                "    @step",
                f"    def prep{b}(self):",
                f'        """Prepare block {b}."""',
                "        total = 0",
                "        for v in self.data:",
                "            total += v * self.alpha",
                f"        self.total{b} = total",
                "        self.seen += 1",
            ]
            for k in range(pad):
                body += [
                    f"        part_{k} = [v + {k} for v in self.data if v % 3 != {k % 3}]",
                    f"        self.total{b} += sum(part_{k}) / max(1, len(part_{k}))",
                ]
            prev = f"prep{b}"
        elif kind == 1:  # branch and join
            add_next(f"left{b}", f", self.right{b}")
            body += [
                "",
                "    @step",
                f"    def left{b}(self):",
                f"        self.side{b} = 'left'",
                f"        self.score{b} = len(self.data)",
                f"        self.next(self.join{b})",
                "",
                "    @step",
                f"    def right{b}(self):",
                f"        self.side{b} = 'right'",
                f"        self.score{b} = sum(self.data)",
                f"        self.next(self.join{b})",
                "",
                "    @card",
                "    @step",
                f"    def join{b}(self, inputs):",
                f"        self.best{b} = max(inp.score{b} for inp in inputs)",
                "        self.merge_artifacts(inputs, exclude=[" + f"'side{b}', 'score{b}'" + "])",
            ]
            prev = f"join{b}"
        else:  # foreach and join
            body.append(f"        self.items{b} = list(range(self.rounds))")
            add_next(f"each{b}", f', foreach="items{b}"')
            body += [
                "",
                "    @step",
                f"    def each{b}(self):",
                f"        self.part{b} = self.input * self.alpha",
                f"        self.next(self.gather{b})",
                "",
                "    @step",
                f"    def gather{b}(self, inputs):",
                f"        self.parts{b} = [inp.part{b} for inp in inputs]",
                "        self.data = inputs[0].data",
                "        self.seen = inputs[0].seen",
            ]
            prev = f"gather{b}"
    del prev
    add_next("end")
    body += [
        "",
        "    @step",
        "    def end(self):",
        '        """Report."""',
        "        print(self.seen, len(self.data))",
        "",
        "",
        'if __name__ == "__main__":',
        f"    {name}()",
    ]
    return "\n".join(head + body) + "\n"


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(tmp / "home"),
            "METAFLOW_DEFAULT_DATASTORE": "local",
            "METAFLOW_DEFAULT_METADATA": "local",
            "METAFLOW_USER": "bench",
            "USERNAME": "bench",
        }
    )
    env.pop("PYTHONPATH", None)
    (tmp / "home").mkdir(exist_ok=True)
    return env


def _timed(cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode not in ok:
        raise SystemExit(
            f"benchmark command failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}"
        )
    return dt


def _median_runs(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    return statistics.median(fn() for _ in range(n))


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    reps = 3 if quick else 5
    rows: list[tuple[str, str, str, str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="mfx-bench-"))
    try:
        env = _env(tmp)
        work = tmp / "flows"
        work.mkdir()
        files = []
        for i in range(20):
            p = work / f"flow{i:02d}.py"
            p.write_text(gen_flow(f"Bench{i}Flow", 120))
            files.append(p)
        # warm caches (catalog on disk, .pyc) so both sides are measured warm
        _timed([*CLI, str(files[0])], work, env)
        _timed([sys.executable, str(files[0]), "check"], work, env)

        one_lint = _median_runs(lambda: _timed([*CLI, str(files[0])], work, env), reps)
        one_check = _median_runs(
            lambda: _timed([sys.executable, str(files[0]), "check"], work, env), reps
        )
        rows.append(
            (
                "1 file, whole process",
                f"{one_lint * 1000:.0f} ms",
                f"{one_check * 1000:.0f} ms",
                f"{one_check / one_lint:.1f}x",
            )
        )

        batch_lint = _median_runs(lambda: _timed([*CLI, *map(str, files)], work, env), reps)
        t = time.perf_counter()
        for p in files:
            _timed([sys.executable, str(p), "check"], work, env)
        batch_check = time.perf_counter() - t
        batch_ratio = batch_check / batch_lint
        rows.append(
            (
                "20 flows (1 lint vs 20 check)",
                f"{batch_lint * 1000:.0f} ms",
                f"{batch_check * 1000:.0f} ms",
                f"{batch_ratio:.1f}x (target >= 30x)",
            )
        )

        sys.path.insert(0, str(ROOT / "server"))
        from metaflow_expert.knowledge.catalog import load_catalog
        from metaflow_expert.lint.engine import analyze_text
        from metaflow_expert.rules import load_all_rules

        load_all_rules()
        catalog = load_catalog()
        for lines, runs in ((200, 200 if not quick else 50), (3000, 30 if not quick else 10)):
            text = gen_flow("SizedFlow", lines)
            n_lines = text.count("\n")
            analyze_text(text, "sized.py", catalog=catalog)
            samples = []
            for _ in range(runs):
                t = time.perf_counter()
                analyze_text(text, "sized.py", catalog=catalog)
                samples.append(time.perf_counter() - t)
            med = statistics.median(samples) * 1000
            target = TARGETS[f"in-process {lines} lines"][1]
            rows.append(
                (
                    f"in-process {n_lines} lines (median of {runs})",
                    f"{med:.2f} ms",
                    "",
                    f"target <= {target:g} ms: {'ok' if med <= target else 'MISSED'}",
                )
            )

        repo = tmp / "repo"
        for i in range(1000):
            d = repo / f"pkg{i // 100}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"flow{i:04d}.py").write_text(gen_flow(f"Repo{i}Flow", 80))
        _timed([*CLI, str(repo / "pkg0")], tmp, env)
        big = _median_runs(lambda: _timed([*CLI, str(repo)], tmp, env), 1 if quick else 3)
        rows.append(
            (
                "1,000 files, one process",
                f"{big:.2f} s",
                "",
                f"target <= 5 s: {'ok' if big <= 5 else 'MISSED'}",
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    w = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("measurement", "metaflow-expert", "python F check", "ratio / target")
    w = [max(w[i], len(head[i])) for i in range(4)]
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}")
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)))
    print("  ".join("-" * x for x in w))
    for r in rows:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
