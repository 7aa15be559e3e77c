"""Offline answers: the expected file among the first three citations, honest "not found"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metaflow_expert.agent import ask
from metaflow_expert.agent.offline import answer_offline

QUESTIONS = Path(__file__).parents[1] / "knowledge" / "search_questions.json"


def _questions() -> list[dict]:
    data = json.loads(QUESTIONS.read_text())
    return data["questions"] if isinstance(data, dict) else data


def test_expected_file_in_top_three_for_85_percent(index) -> None:
    answerable = [q for q in _questions() if not q.get("missing")]
    assert len(answerable) >= 30
    misses = []
    for q in answerable:
        answer = answer_offline(q["question"], index)
        cited = [c.path for c in answer.citations[:3]]
        if answer.not_found or not set(cited) & set(q["files"]):
            misses.append((q["question"], cited))
    recall = 1 - len(misses) / len(answerable)
    assert recall >= 0.85, f"recall {recall:.0%}; misses: {misses}"
    assert not [q for q in answerable if answer_offline(q["question"], index).not_found]


def test_missing_features_are_not_found(index) -> None:
    missing = [q for q in _questions() if q.get("missing")]
    assert len(missing) >= 10
    for q in missing:
        answer = answer_offline(q["question"], index)
        assert answer.not_found, q["question"]
        assert answer.answer.startswith(f"**Not found in Metaflow {index.version}:**")
        assert answer.citations == []


def test_offline_answer_cites_verified_lines_and_real_code(index) -> None:
    answer = answer_offline("How many times does @retry retry a failed task by default?", index)
    assert answer.mode == "offline" and not answer.not_found
    assert answer.citations and all(c.verified for c in answer.citations)
    first = answer.citations[0]
    assert first.path == "metaflow/plugins/retry_decorator.py"
    source_line = (Path(index.source.root) / first.path).read_text().splitlines()[first.line - 1]
    assert source_line in answer.answer  # real code, not a paraphrase
    assert index.version in answer.answer


def test_typos_still_answer(index) -> None:
    answer = answer_offline("retyr decorater", index)
    assert not answer.not_found
    assert "metaflow/plugins/retry_decorator.py" in [c.path for c in answer.citations[:3]]


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question(index, question: str) -> None:
    answer = ask(question, index=index, offline=True)
    assert answer.not_found and answer.mode == "offline"


def test_named_decorator_gets_its_arguments_and_defaults_from_the_catalog(index) -> None:
    answer = answer_offline("What arguments does @retry take and what are the defaults?", index)
    spec = index.catalog.lookup("retry")
    assert spec is not None and spec.args
    for arg in spec.args:
        assert f"| `{arg.name}` | `{arg.default_src}` |" in answer.answer
    defaults_path = spec.defaults_path or spec.path
    cited = {(c.path, c.line) for c in answer.citations if c.verified}
    assert (defaults_path, spec.defaults_line) in cited
    assert (spec.path, spec.line) in cited
    assert len(cited) == len(answer.citations)  # each cited place once
    assert (
        "defaults" in index.read_source(defaults_path, spec.defaults_line, spec.defaults_line)[0][1]
    )
