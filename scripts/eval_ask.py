#!/usr/bin/env python3
"""Search and offline Ask measured on the evaluation set (tests/knowledge/eval_questions.json).

    .venv/bin/python scripts/eval_ask.py [--split dev|heldout|all] [--totals] [--json]

The set is written after real users' questions, not after our ranking, and its held-out split
is never tuned against; so these figures say how a new user fares, where the project's own
search_questions.json says how the questions it was built with fare. Per question:
- search recall@5: one of the top 5 search hits is in one of the question's answer files;
- Ask top 3: the offline answer is not "not found" and cites an answer file among its first
  three citations;
- not found: a question about a feature Metaflow lacks is answered "not found";
- unverifiable: citations of the answer whose verified flag is False (the target is none).
Figures are printed per split and per kind, followed by every miss. ``--totals`` prints the
per-split figures only: the way to measure the held-out split without reading which of its
questions fail (reading them would turn it into a tuning set).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from metaflow_expert.agent import ask  # noqa: E402
from metaflow_expert.knowledge.index import KnowledgeIndex, load_index  # noqa: E402

QUESTIONS = ROOT / "tests" / "knowledge" / "eval_questions.json"
SEARCH_K = 5
ASK_TOP = 3


def measure(q: dict[str, Any], index: KnowledgeIndex) -> dict[str, Any]:
    """One question's outcome; ``None`` marks a figure that does not apply to it."""
    files = set(q["files"])
    missing = bool(q.get("missing"))
    hits = index.search(q["question"], k=SEARCH_K)
    answer = ask(q["question"], index=index, offline=True)
    cited = [c.path for c in answer.citations]
    return {
        "question": q["question"],
        "kind": q["kind"],
        "split": q["split"],
        "files": q["files"],
        "missing": missing,
        "search_hit": None if missing else any(h.path in files for h in hits),
        "ask_hit": None
        if missing
        else (not answer.not_found) and bool(files & set(cited[:ASK_TOP])),
        "said_not_found": answer.not_found,
        "unverifiable": [f"{c.path}:{c.line}" for c in answer.citations if not c.verified],
        "top_hits": [h.cite for h in hits],
        "citations": [f"{c.path}:{c.line}" for c in answer.citations],
    }


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if not r["missing"]]
    missing = [r for r in rows if r["missing"]]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "search_recall_at_5": _rate(sum(r["search_hit"] for r in answerable), len(answerable)),
        "ask_right_file_top_3": _rate(sum(r["ask_hit"] for r in answerable), len(answerable)),
        "missing": len(missing),
        "missing_said_not_found": _rate(sum(r["said_not_found"] for r in missing), len(missing)),
        "answerable_said_not_found": sum(r["said_not_found"] for r in answerable),
        "unverifiable_citations": sum(len(r["unverifiable"]) for r in rows),
    }


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_kind: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by_split[r["split"]].append(r)
        by_kind[r["split"]][r["kind"]].append(r)
    return {
        "splits": {s: summarize(rs) for s, rs in sorted(by_split.items())},
        "kinds": {
            s: {k: summarize(rs) for k, rs in sorted(kinds.items())}
            for s, kinds in sorted(by_kind.items())
        },
        "misses": [
            r
            for r in rows
            if r["search_hit"] is False
            or r["ask_hit"] is False
            or (r["missing"] and not r["said_not_found"])
            or r["unverifiable"]
        ],
    }


def _pct(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.0%}"


def print_table(title: str, table: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(f"  {'':<12} {'n':>4} {'search@5':>9} {'ask top3':>9} {'not found':>10} {'unverif.':>9}")
    for name, s in table.items():
        print(
            f"  {name:<12} {s['questions']:>4} {_pct(s['search_recall_at_5']):>9} "
            f"{_pct(s['ask_right_file_top_3']):>9} {_pct(s['missing_said_not_found']):>10} "
            f"{s['unverifiable_citations']:>9}"
        )


def print_misses(misses: list[dict[str, Any]]) -> None:
    print(f"\nmisses ({len(misses)})")
    for r in misses:
        what = []
        if r["search_hit"] is False:
            what.append("search")
        if r["ask_hit"] is False:
            what.append("ask" + (" (said not found)" if r["said_not_found"] else ""))
        if r["missing"] and not r["said_not_found"]:
            what.append("not-found")
        if r["unverifiable"]:
            what.append(f"unverifiable {', '.join(r['unverifiable'])}")
        want = ", ".join(r["files"]) or "(not found)"
        print(f"  [{r['split']}/{r['kind']}] {r['question'][:90]}")
        print(f"      missed: {'; '.join(what)}  want: {want}")
        print(
            f"      top hits: {', '.join(r['top_hits'][:3])}  cited: {', '.join(r['citations'][:3])}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    ap.add_argument("--json", action="store_true", help="print the figures and misses as JSON")
    ap.add_argument(
        "--totals",
        action="store_true",
        help="per-split figures only: no per-kind table, no misses (for the held-out split)",
    )
    args = ap.parse_args()
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    if args.split != "all":
        questions = [q for q in questions if q["split"] == args.split]
    index = load_index()
    t0 = time.perf_counter()
    rows = [measure(q, index) for q in questions]
    elapsed = time.perf_counter() - t0
    result = {"metaflow": index.version, "split": args.split, **report(rows)}
    if args.totals:
        result = {k: v for k, v in result.items() if k not in ("kinds", "misses")}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"Metaflow {index.version}: {len(rows)} questions ({args.split}) in {elapsed:.1f} s")
    print_table("per split", result["splits"])
    if args.totals:
        return 0
    for split, kinds in result["kinds"].items():
        print_table(f"{split} per kind", kinds)
    print_misses(result["misses"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
