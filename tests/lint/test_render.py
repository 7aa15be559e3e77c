"""Graph rendering on the corpus flows: edge kinds and labels for each transition type."""

from __future__ import annotations

from pathlib import Path

import pytest

from metaflow_expert.graph import build_graph
from metaflow_expert.lint.render import EDGE_KINDS, graph_dict, to_dot, to_mermaid
from metaflow_expert.parsing import parse_flow_file

VALID = Path(__file__).resolve().parents[1] / "corpus" / "valid"


def _graph(name: str) -> dict:
    ff = parse_flow_file((VALID / name).read_text(), name)
    flow = next(f for f in ff.flows if f.is_leaf)
    return graph_dict(flow, build_graph(flow))


def _edges(g: dict) -> dict[tuple[str, str], dict]:
    return {(e["source"], e["target"]): e for e in g["edges"]}


def test_branch_edges():
    e = _edges(_graph("branch.py"))
    assert e[("start", "a")]["kind"] == "branch"
    assert e[("a", "join")]["kind"] == "join"


def test_switch_edges_carry_case_keys():
    g = _graph("switch.py")
    e = _edges(g)
    kinds = {v["kind"] for k, v in e.items() if k[0] == "start"}
    assert kinds == {"switch"}
    assert {v["label"] for k, v in e.items() if k[0] == "start"} == {"fast", "slow"}


def test_parallel_edge():
    e = _edges(_graph("parallel.py"))
    assert e[("start", "train")]["kind"] == "parallel"
    assert e[("start", "train")]["label"] == "num_parallel=2"


@pytest.mark.parametrize("name", sorted(p.name for p in VALID.glob("*.py")))
def test_every_valid_flow_renders(name: str):
    g = _graph(name)
    assert all(e["kind"] in EDGE_KINDS for e in g["edges"])
    names = {n["name"] for n in g["nodes"]}
    assert all(e["source"] in names and e["target"] in names for e in g["edges"])
    assert to_mermaid([g]).startswith("flowchart TD")
    assert to_dot([g]).count("{") == to_dot([g]).count("}")


def test_unknown_targets_are_not_drawn():
    src = (VALID / "linear.py").read_text()
    ff = parse_flow_file(src.replace("self.next(self.end)", "self.next(self.ennd)", 1), "x.py")
    flow = ff.flows[0]
    g = graph_dict(flow, build_graph(flow))
    assert all(e["target"] != "ennd" for e in g["edges"])
