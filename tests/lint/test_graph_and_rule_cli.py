"""``metaflow-expert graph`` formats, ``metaflow-expert rule``, and docs/rules.md freshness."""

from __future__ import annotations

import json
from pathlib import Path

FOREACH = """
from metaflow import FlowSpec, step

class FanFlow(FlowSpec):
    @step
    def start(self):
        \"\"\"Make the work list.\"\"\"
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"""

ROOT = Path(__file__).resolve().parents[2]


def test_graph_json(cli, tmp_path: Path):
    path = tmp_path / "fan.py"
    path.write_text(FOREACH)
    r = cli("graph", str(path), "--format", "json")
    assert r.returncode == 0, r.stderr
    (flow,) = json.loads(r.stdout)["flows"]
    assert flow["name"] == "FanFlow"
    nodes = {n["name"]: n for n in flow["nodes"]}
    assert nodes["start"]["doc"] == "Make the work list."
    assert nodes["join"]["type"] == "join"
    assert nodes["work"]["line"] == FOREACH.splitlines().index("    def work(self):") + 1
    edges = {(e["source"], e["target"]): e for e in flow["edges"]}
    assert edges[("start", "work")]["kind"] == "foreach"
    assert edges[("start", "work")]["label"] == "foreach items"
    assert edges[("work", "join")]["kind"] == "join"
    assert edges[("join", "end")]["kind"] == "linear"


def test_graph_mermaid_and_dot(cli, tmp_path: Path):
    path = tmp_path / "fan.py"
    path.write_text(FOREACH)
    m = cli("graph", str(path))
    assert m.stdout.startswith("flowchart TD") and "n_start ==>" in m.stdout
    d = cli("graph", str(path), "--format", "dot")
    assert d.stdout.startswith('digraph "FanFlow" {') and '"start" -> "work"' in d.stdout


def test_graph_errors(cli, tmp_path: Path):
    path = tmp_path / "fan.py"
    path.write_text(FOREACH)
    r = cli("graph", str(path), "--flow", "Nope")
    assert r.returncode == 2 and "FanFlow" in r.stderr
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert cli("graph", str(empty)).returncode == 1
    assert cli("graph", str(tmp_path / "missing.py")).returncode == 2


def test_rule_table_and_detail(cli):
    table = cli("rule")
    assert table.returncode == 0
    assert "MF201" in table.stdout and "transition-target-typo" in table.stdout
    detail = cli("rule", "MF205")
    assert "What it does" in detail.stdout and "runtime:merge_artifacts" in detail.stdout
    assert cli("rule", "MF999").returncode == 2


def test_rule_detail_cites_mirrored_lint_check(cli):
    out = json.loads(cli("rule", "--format", "json").stdout)
    mirrored = next(r for r in out if (r["mirrors"] or "").startswith("check_"))
    detail = cli("rule", mirrored["code"]).stdout
    assert "metaflow/lint.py:" in detail


def test_rules_doc_is_current():
    from metaflow_expert.lint.rule_cli import rules_markdown

    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == rules_markdown(), "docs/rules.md is stale: run scripts/gen_rules_doc.py"


def test_pre_commit_hook_definition():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "id: metaflow-expert" in text and "entry: metaflow-expert lint" in text
    assert "types: [python]" in text


CORPUS = ROOT / "tests" / "corpus" / "valid"


def test_graph_several_flows_have_distinct_mermaid_ids(cli):
    out = cli("graph", str(CORPUS / "two_flows.py")).stdout
    assert "subgraph FirstFlow" in out and "subgraph SecondFlow" in out
    assert "f0_start" in out and "f1_start" in out


def test_graph_defaults_to_leaf_flows(cli):
    flows = json.loads(cli("graph", str(CORPUS / "inheritance.py"), "--format", "json").stdout)
    assert [f["name"] for f in flows["flows"]] == ["ChildFlow"]
    base = cli("graph", str(CORPUS / "inheritance.py"), "--flow", "BaseFlow", "--format", "json")
    assert [f["name"] for f in json.loads(base.stdout)["flows"]] == ["BaseFlow"]
