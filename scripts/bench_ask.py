#!/usr/bin/env python3
"""Ask benchmarks: offline answer quality and latency, and agent token use with and without
prompt caching (against the local fake Messages API, so no key or network is needed).

    .venv/bin/python scripts/bench_ask.py [--json]

Figures:
- offline recall: expected file among the first three citations (tests/knowledge/search_questions.json);
- offline "not found": questions about features Metaflow lacks answered "not found", and
  answerable questions wrongly answered "not found";
- offline latency: the first question (builds the vocabulary) and warm questions (median, p95, max);
- tokens per agent answer (a scripted 5-turn session: read_doc, search, two read_source, answer),
  one question and then a second one, with prompt caching on and off, and the estimated cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.agent.fake_anthropic import FakeAnthropic, text_reply, tool_call, tool_calls  # noqa: E402

from metaflow_expert.agent import AskSettings, ask  # noqa: E402
from metaflow_expert.agent.ask import toolbox_for  # noqa: E402
from metaflow_expert.agent.offline import answer_offline  # noqa: E402
from metaflow_expert.knowledge.index import load_index  # noqa: E402

QUESTIONS = ROOT / "tests" / "knowledge" / "search_questions.json"


def offline_figures(index) -> dict:
    data = json.loads(QUESTIONS.read_text())
    questions = data["questions"] if isinstance(data, dict) else data
    toolbox = toolbox_for(index)
    t0 = time.perf_counter()
    answer_offline("How do I retry a step?", index, toolbox=toolbox)
    first = time.perf_counter() - t0
    hits = wrong_nf = nf_ok = n_ans = n_missing = 0
    times = []
    for q in questions:
        t = time.perf_counter()
        a = answer_offline(q["question"], index, toolbox=toolbox)
        times.append(time.perf_counter() - t)
        if q.get("missing"):
            n_missing += 1
            nf_ok += a.not_found
        else:
            n_ans += 1
            wrong_nf += a.not_found
            hits += (not a.not_found) and bool({c.path for c in a.citations[:3]} & set(q["files"]))
    times.sort()
    return {
        "questions": n_ans,
        "recall_top3": round(hits / n_ans, 3),
        "missing_questions": n_missing,
        "missing_said_not_found": round(nf_ok / n_missing, 3),
        "answerable_said_not_found": wrong_nf,
        "first_question_ms": round(first * 1000, 1),
        "warm_median_ms": round(statistics.median(times) * 1000, 1),
        "warm_p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1),
        "warm_max_ms": round(times[-1] * 1000, 1),
    }


def _script(index) -> list:
    lines = (
        (Path(index.source.root) / "metaflow/plugins/retry_decorator.py").read_text().splitlines()
    )
    cls = next(i for i, t in enumerate(lines, 1) if t.startswith("class RetryDecorator"))
    doc = next(iter(index.docs))
    return [
        tool_call("read_doc", {"name": doc}),
        tool_call("search", {"query": "retry decorator times default"}),
        tool_calls(
            ("read_source", {"path": "metaflow/plugins/retry_decorator.py", "start": 1, "end": 80})
        ),
        tool_call("grep", {"pattern": "MAX_ATTEMPTS", "path_glob": "metaflow/*.py"}),
        text_reply(f"`RetryDecorator` (metaflow/plugins/retry_decorator.py:{cls}) retries a step."),
    ]


def agent_figures(index, caching: bool) -> dict:
    per_question = []
    with FakeAnthropic() as fake:
        settings = AskSettings(
            api_key="bench-key", base_url=fake.base_url, prompt_caching=caching, retry_backoff=0.01
        )
        for question in ("How does @retry work?", "What is the default of @retry times?"):
            fake.add(*_script(index))
            a = ask(question, index=index, settings=settings)
            u = a.usage
            per_question.append(
                {
                    "turns": u.turns,
                    "input_tokens": u.input_tokens,
                    "cache_write_tokens": u.cache_creation_tokens,
                    "cache_read_tokens": u.cache_read_tokens,
                    "output_tokens": u.output_tokens,
                    "billed_input_equivalent": round(
                        u.input_tokens + 1.25 * u.cache_creation_tokens + 0.1 * u.cache_read_tokens
                    ),
                    "cost_usd": u.cost_usd,
                }
            )
    return {"caching": caching, "model": AskSettings().model, "questions": per_question}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="bench-ask-")
    t = time.perf_counter()
    load_index(cache_dir=cache)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    index = load_index(cache_dir=cache)
    warm = time.perf_counter() - t
    result = {
        "metaflow": index.version,
        "index_build_s": round(cold, 2),
        "index_load_cached_s": round(warm, 3),
        "offline": offline_figures(index),
        "agent_caching_on": agent_figures(index, True),
        "agent_caching_off": agent_figures(index, False),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    o = result["offline"]
    print(
        f"Metaflow {result['metaflow']}: index build {result['index_build_s']} s, cached load {result['index_load_cached_s']} s"
    )
    print(
        f"offline recall@3: {o['recall_top3']:.0%} of {o['questions']} questions; not-found on missing: {o['missing_said_not_found']:.0%} of {o['missing_questions']}; answerable wrongly not-found: {o['answerable_said_not_found']}"
    )
    print(
        f"offline latency: first {o['first_question_ms']} ms; warm median {o['warm_median_ms']} ms, p95 {o['warm_p95_ms']} ms, max {o['warm_max_ms']} ms"
    )
    for key in ("agent_caching_on", "agent_caching_off"):
        r = result[key]
        for i, q in enumerate(r["questions"], 1):
            print(
                f"agent caching={'on ' if r['caching'] else 'off'} Q{i}: {q['turns']} turns, input {q['input_tokens']}, "
                f"cache write {q['cache_write_tokens']}, cache read {q['cache_read_tokens']}, output {q['output_tokens']} "
                f"→ billed-input-equivalent {q['billed_input_equivalent']}, ≈ ${q['cost_usd']:.4f} ({r['model']})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
