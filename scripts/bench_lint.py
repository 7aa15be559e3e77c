"""Benchmark the lint path against Metaflow's own ``python flow.py check``.

Measures, in one run:

1. whole process, one file: ``metaflow-expert lint F`` vs ``python F check`` (per file ratio);
2. a 20-flow batch: one ``metaflow-expert lint`` process for 20 files vs 20 ``check`` processes;
3. in-process analysis (``analyze_text`` with the catalog): median over many runs for a
   generated 200-line and 3,000-line flow shaped like Metaflow's own flows (the targets), and
   for the denser stress shape of earlier versions (printed, no target); the shape statistics
   of each and of Metaflow's tutorials are printed so the comparison can be checked;
4. a generated repository of 1,000 flow files linted by one process (parallel pool).

``check`` runs with the venv's python, ``METAFLOW_DEFAULT_DATASTORE=local`` and ``HOME`` and
the working directory in a temporary folder, so it writes nothing into the repository (it
creates ``.metaflow/`` in its working directory; it needs no network).

Usage: ``.venv/bin/python scripts/bench_lint.py [--quick]``. Timings vary with machine load.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flowgen import dense_flow, realistic_flow, stats, tutorial_texts

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
    """The measured flow: shaped like Metaflow's own flows (see ``scripts/flowgen.py``)."""
    return realistic_flow(name, target_lines)


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


@dataclass
class Timing:
    """Wall time and CPU time (user + system of the child processes) of one measurement.
    CPU time is what to compare on a shared, loaded machine: it does not count waiting."""

    wall: float
    cpu: float


def _timed(cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in ok:
        raise SystemExit(
            f"benchmark command failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(dt, cpu)


def _median(fn: Callable[[], Timing], n: int) -> Timing:
    runs = [fn() for _ in range(n)]
    return Timing(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs))


def _ms(t: Timing) -> str:
    return f"{t.wall * 1000:.0f} ms (cpu {t.cpu * 1000:.0f})"


def _phases(text: str, catalog: Any, runs: int) -> dict[str, float]:
    """Median cpu ms of each stage of ``analyze_text``, so a missed target names its owner."""
    import tree_sitter_python
    from tree_sitter import Language, Parser

    from metaflow_expert.graph import build_graph
    from metaflow_expert.parsing import parse_flow_file
    from metaflow_expert.rules import REGISTRY, RuleContext
    from metaflow_expert.rules.facts import FileFacts, FlowFacts

    parser = Parser(Language(tree_sitter_python.language()))
    data = text.encode()
    flow_file = parse_flow_file(text, "sized.py")
    flow = flow_file.flows[0]
    graph = build_graph(flow)

    def rules(prefix: str) -> None:
        # a real run analyses fresh objects: measure cold (new facts, as the engine makes
        # once per analysis, shared by every rule)
        for step in flow.steps.values():
            step.__dict__.pop("other_decorators", None)
        facts = FileFacts(flow_file, catalog)
        flow_facts = FlowFacts(facts, flow, graph)
        for code, r in REGISTRY.items():
            if code.startswith(prefix):
                scoped = r.scope == "flow"
                ctx = RuleContext(
                    file=flow_file,
                    flow=flow if scoped else None,
                    graph=graph if scoped else None,
                    catalog=catalog,
                    facts=facts,
                    flow_facts=flow_facts if scoped else None,
                )
                list(r.check(ctx))

    stages: dict[str, Callable[[], object]] = {
        "tree-sitter": lambda: parser.parse(data),
        "flow model (incl. tree-sitter)": lambda: parse_flow_file(text, "sized.py"),
        "graph": lambda: build_graph(flow),
        "all rules": lambda: rules("MF"),
        "MF2xx rules": lambda: rules("MF2"),
    }
    out = {}
    for name, fn in stages.items():
        samples = []
        for _ in range(max(3, runs // 2)):
            t = time.process_time()
            fn()
            samples.append(time.process_time() - t)
        out[name] = statistics.median(samples) * 1000
    return out


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    reps = 3 if quick else 5
    rows: list[tuple[str, str, str, str]] = []
    notes: list[str] = []
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
        # warm caches (catalog on disk, .pyc) so both sides are measured warm. pip byte-compiles
        # installed packages (metaflow has its .pyc); an editable checkout under
        # PYTHONDONTWRITEBYTECODE has none, so compile ours as an install would.
        import compileall

        import metaflow_expert

        compileall.compile_dir(str(Path(metaflow_expert.__file__).parent), quiet=1)
        _timed([*CLI, str(files[0])], work, env)
        _timed([sys.executable, str(files[0]), "check"], work, env)

        one_lint = _median(lambda: _timed([*CLI, str(files[0])], work, env), reps)
        one_check = _median(
            lambda: _timed([sys.executable, str(files[0]), "check"], work, env), reps
        )
        rows.append(
            (
                "1 file, whole process",
                _ms(one_lint),
                _ms(one_check),
                f"{one_check.wall / one_lint.wall:.1f}x (cpu {one_check.cpu / one_lint.cpu:.1f}x)",
            )
        )

        batch_lint = _median(lambda: _timed([*CLI, *map(str, files)], work, env), reps)
        checks = [_timed([sys.executable, str(p), "check"], work, env) for p in files]
        batch_check = Timing(sum(c.wall for c in checks), sum(c.cpu for c in checks))
        rows.append(
            (
                "20 flows (1 lint vs 20 check)",
                _ms(batch_lint),
                _ms(batch_check),
                f"{batch_check.wall / batch_lint.wall:.1f}x "
                f"(cpu {batch_check.cpu / batch_lint.cpu:.1f}x; target >= 30x)",
            )
        )

        sys.path.insert(0, str(ROOT / "server"))
        from metaflow_expert.knowledge.catalog import load_catalog
        from metaflow_expert.lint.engine import analyze_text
        from metaflow_expert.rules import load_all_rules

        load_all_rules()
        catalog = load_catalog()
        notes.append(f"Metaflow's tutorials: {stats(tutorial_texts())}")
        cases = [
            ("", gen_flow, 200, 200 if not quick else 50),
            ("", gen_flow, 3000, 30 if not quick else 10),
            ("dense stress ", dense_flow, 200, 200 if not quick else 50),
            ("dense stress ", dense_flow, 3000, 30 if not quick else 10),
        ]
        for label, make, lines, runs in cases:
            text = make("SizedFlow", lines)
            n_lines = text.count("\n")
            analyze_text(text, "sized.py", catalog=catalog)
            samples = []
            for _ in range(runs):
                t = time.process_time()
                analyze_text(text, "sized.py", catalog=catalog)
                samples.append(time.process_time() - t)
            med = statistics.median(samples) * 1000
            target = TARGETS[f"in-process {lines} lines"][1]
            verdict = (
                "no target (stress shape)"
                if label
                else f"target <= {target:g} ms: {'ok' if med <= target else 'MISSED'}"
            )
            rows.append(
                (
                    f"in-process {label}{n_lines} lines (cpu, median of {runs})",
                    f"{med:.2f} ms",
                    "",
                    verdict,
                )
            )
            phases = ", ".join(f"{k} {v:.2f}" for k, v in _phases(text, catalog, runs).items())
            notes.append(f"{label}{n_lines} lines ({stats([text])}); cpu ms by stage: {phases}")

        repo = tmp / "repo"
        for i in range(1000):
            d = repo / f"pkg{i // 100}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"flow{i:04d}.py").write_text(gen_flow(f"Repo{i}Flow", 80))
        _timed([*CLI, str(repo / "pkg0")], tmp, env)
        # both cores, as the target asks: by default lint uses the cores the 1-minute load
        # average leaves idle, and this script's own in-process runs just kept one busy
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
        jobs = ["--jobs", str(cores)]
        big = _median(lambda: _timed([*CLI, *jobs, str(repo)], tmp, env), 1 if quick else 3)
        rows.append(
            (
                f"1,000 files, one process ({cores} workers)",
                f"{big.wall:.2f} s (cpu {big.cpu:.2f})",
                "",
                f"target <= 5 s: {'ok' if big.wall <= 5 else 'MISSED'}",
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    head = ("measurement", "metaflow-expert", "python F check", "ratio / target")
    w = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}, load average {load:.1f}")
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)))
    print("  ".join("-" * x for x in w))
    for r in rows:
        print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
    for n in notes:
        print(n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
