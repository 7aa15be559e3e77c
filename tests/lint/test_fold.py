"""One story per root cause (issue 14): a follow-on finding that only restates a step's
mistake is folded into the finding that states it, as related information.

The survey behind ``lint/fold.py``'s relations, on broken flows (``flows_fold/`` and the
corpus): the pairs of rules that reported on one step were

- MF107 + MF210: a step taking ``inputs`` that splits is "both a join and a split", and
  ``merge_artifacts`` in it is "not in a join" — one mistake: folded into MF107;
- MF108 + MF213: ``self.next`` inside an ``if``/``try`` is "no transition" and "``self.next``
  not last" — folded into MF108 (whose related places already point at the calls);
- MF210 + MF215 (``include=`` names an artifact no branch assigns): a typo of its own, kept;
- MF105 + MF107 + MF113 on an end step taking ``inputs``, MF102 + MF108, MF104 + MF111, …:
  all checks of Metaflow's own ``lint.py``, kept (the oracle requires each, on its line).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.lint.fold import FOLLOW_ON_CODES, RESTATEMENTS
from metaflow_expert.lint.formats import format_json, format_sarif, format_text
from metaflow_expert.rules import REGISTRY, load_all_rules

FLOWS = Path(__file__).parent / "flows_fold"
JOIN_AND_SPLIT = FLOWS / "join_and_split_merges.py"
NEXT_IN_IF = FLOWS / "next_inside_if.py"
ORACLE = Path(__file__).parents[1] / "oracle"


def _codes(path: Path, **settings: object) -> list[tuple[str, str | None]]:
    a = analyze_text(path.read_text(), str(path), settings=LintSettings(**settings))  # type: ignore[arg-type]
    return [(f.code, f.step) for f in a.findings]


def test_join_that_splits_and_merges_is_one_error_with_the_rest_related() -> None:
    text = JOIN_AND_SPLIT.read_text()
    findings = analyze_text(text, str(JOIN_AND_SPLIT)).findings
    on_step = [f for f in findings if f.step == "join_regions"]
    assert [f.code for f in on_step] == ["MF107"]  # MF210 folded into it
    [root] = on_step
    merge_line = next(i for i, ln in enumerate(text.splitlines()) if "merge_artifacts" in ln)
    related = [r for r in root.related if r.message.startswith("MF210: ")]
    assert len(related) == 1 and related[0].span.start_line == merge_line
    assert "not a join" in related[0].message
    # the other mistake (the foreach from start is never joined) is Metaflow's own check
    assert [f.code for f in findings if f.step != "join_regions"] == ["MF113"]


def test_next_inside_if_is_one_error() -> None:
    findings = analyze_text(NEXT_IN_IF.read_text(), str(NEXT_IN_IF)).findings
    on_start = [f for f in findings if f.step == "start"]
    assert [f.code for f in on_start] == ["MF108"]
    # MF108 already points at both calls: the folded MF213s add no second note per call
    spans = [r.span for r in on_start[0].related]
    assert len(spans) == len(set(spans)) == 2


def test_follow_on_stays_when_its_root_is_not_shown() -> None:
    assert ("MF210", "join_regions") in _codes(JOIN_AND_SPLIT, ignore=("MF107",))
    assert ("MF213", "start") in _codes(NEXT_IN_IF, ignore=("MF108",))


def test_merge_artifacts_in_a_plain_step_is_not_folded() -> None:
    text = JOIN_AND_SPLIT.read_text().replace(
        "    def fit(self):\n", "    def fit(self):\n        self.merge_artifacts([])\n"
    )
    findings = analyze_text(text).findings
    assert ("MF210", "fit") in [(f.code, f.step) for f in findings]


def test_nothing_metaflow_reports_is_ever_folded() -> None:
    load_all_rules()
    for code in FOLLOW_ON_CODES:
        mirrors = REGISTRY[code].mirrors
        assert not (mirrors and mirrors.startswith("check_")), code
    for r in RESTATEMENTS:
        assert REGISTRY[r.root].code == r.root


def test_folded_flows_still_match_metaflows_linter() -> None:
    sys.path.insert(0, str(ORACLE))
    from harness import compare, our_findings, run_metaflow

    for path in (JOIN_AND_SPLIT, NEXT_IN_IF):
        cmp = compare(run_metaflow(str(path)), our_findings(path))
        assert cmp.ok, (path.name, cmp.missing, cmp.extra)


def test_step_shapes_classify_each_step() -> None:
    from metaflow_expert.graph import build_graph
    from metaflow_expert.parsing import parse_flow_file
    from metaflow_expert.rules.facts import FileFacts, FlowFacts

    ff = parse_flow_file(JOIN_AND_SPLIT.read_text())
    flow = ff.flows[0]
    shapes = FlowFacts(FileFacts(ff, None), flow, build_graph(flow)).step_shapes
    assert shapes["start"].foreach and shapes["start"].splits
    odd = shapes["join_regions"]
    assert odd.takes_inputs and odd.splits and not odd.joins
    assert odd.mistakes == ("join-and-split",)
    assert shapes["join"].joins and shapes["join"].mistakes == ()
    assert shapes["end"].node_type == "end" and shapes["end"].mistakes == ()


def test_outputs_show_related_information() -> None:
    findings = analyze_text(JOIN_AND_SPLIT.read_text(), "f.py").findings
    items = [("f.py", f) for f in findings]
    text = format_text(items)
    assert "\n    f.py:18:9: note: MF210: merge_artifacts can only be called" in text
    [rec] = [d for d in json.loads(format_json(items)) if d["code"] == "MF107"]
    assert any(r["message"].startswith("MF210") and r["line"] == 18 for r in rec["related"])
    sarif = json.loads(format_sarif(items))
    [res] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "MF107"]
    assert res["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 18


def test_merge_artifacts_says_why_the_step_is_no_join() -> None:
    """MF210 reads the shared classification for its reason: a step several steps lead to
    that takes no ``inputs``; and, folded into MF107, a join that also splits."""
    text = JOIN_AND_SPLIT.read_text().replace(
        "    def join(self, inputs):\n",
        "    def join(self):\n        self.merge_artifacts(inputs)\n",
    )
    [f] = [f for f in analyze_text(text).findings if f.code == "MF210"]
    assert f.step == "join"
    assert f.message.endswith("(*publish*, *report*) but it takes no `inputs` argument.")
    root = next(f for f in analyze_text(JOIN_AND_SPLIT.read_text()).findings if f.code == "MF107")
    assert any(r.message.endswith("it takes `inputs` but also splits.") for r in root.related)
