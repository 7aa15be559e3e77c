"""The parser's text shortcuts against the tree paths they skip.

Three shortcuts read common shapes without the tree: the plain one-line tail
``self.next(self.a, foreach="xs")`` (:func:`transition.plain_tail`), a parameter list of
plain names (:func:`steps.plain_params`), and a decorator repeated at the same column, read
once and shifted down (``steps.REUSE_DECORATORS``). With each switched off the parser takes
the tree path; the model must be identical, field for field, on the rule corpus, Metaflow's
tutorials, generated benchmark flows and generated tails of every form the tail shortcut
accepts or must refuse. (The artifact pass's fast path has its own oracle:
``test_self_tokens``.)
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from metaflow_expert.parsing import parse_flow_file, steps, transition

ROOT = Path(__file__).resolve().parents[2]

TAILS = [
    "self.next(self.a)",
    "self.next(self.a, self.b)",
    "self.next(self.a, self.b, self.c)",
    'self.next(self.a, foreach="items")',
    "self.next(self.a, foreach='items')",
    'self.next(self.a, foreach="")',
    "self.next(self.a, num_parallel=4)",
    "self.next(self.a, num_parallel=0)",
    'self.next(self.a, num_parallel="n")',
    'self.next(self.a, self.b, foreach="items")',
    "self.next(self.a, self.b, num_parallel=2)",
    "self.next(self.a, foreach=items)",
    'self.next(self.a, foreach=f"x")',
    'self.next(self.a, condition="c")',
    'self.next(self.a, bogus="x")',
    "self.next(self.a,self.b)",
    "self.next( self.a )",
    "self.next(self.a, )",
    "self.next(self.a)  # done",
    "self.next(self.a); x = 1",
    "x = 1; self.next(self.a)",
    "self.next(self.a.b)",
    "self.next(self.a)(1)",
    "(self.next(self.a))",
    "self.next(self.end)",
    "self.next(self.ünï)",
    'self.next({"a": self.a}, condition="c")',
]


def flow_with_tails(tails: list[str], params: str = "self") -> str:
    body = [
        "from metaflow import FlowSpec, step",
        "",
        "class F(FlowSpec):",
        "    @step",
        "    def start(self):",
        "        self.items = [1]",
        "        self.next(self.s0)",
    ]
    for i, tail in enumerate(tails):
        body += [
            "    @step",
            f"    def s{i}({params}):",
            "        self.x = self.items",
            f"        {tail}",
        ]
    body += ["    @step", "    def end(self):", "        pass", ""]
    return "\n".join(body)


def _texts() -> list[str]:
    here = Path(__file__).resolve().parents[1]
    files = sorted((here / "corpus").glob("*/*.py"))
    spec = importlib.util.find_spec("metaflow")
    if spec is not None and spec.submodule_search_locations:
        files += sorted(Path(next(iter(spec.submodule_search_locations))).glob("tutorials/*/*.py"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import flowgen
    finally:
        sys.path.pop(0)
    texts += [flowgen.realistic_flow("R", 400), flowgen.dense_flow("D", 400)]
    texts += [flow_with_tails(TAILS), flow_with_tails(TAILS, "self, inputs")]
    rng = random.Random(11)
    for _ in range(40):
        texts.append(flow_with_tails([rng.choice(TAILS) for _ in range(6)]))
    return texts


#: Each shortcut and how to switch it off.
SWITCHES = {
    "plain_tail": (transition, "plain_tail", lambda *a: None),
    "plain_params": (steps, "plain_params", lambda *a: None),
    "reuse_decorators": (steps, "REUSE_DECORATORS", False),
}


@pytest.mark.parametrize("switch", sorted(SWITCHES))
def test_fast_path_matches_tree_path(switch: str, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    fast = [repr(parse_flow_file(t, "f.py")) for t in texts]
    monkeypatch.setattr(*SWITCHES[switch])
    slow = [repr(parse_flow_file(t, "f.py")) for t in texts]
    for text, a, b in zip(texts, fast, slow, strict=True):
        assert a == b, text[:300]


def test_plain_tails_take_the_fast_path() -> None:
    """The shortcut is really taken for the shapes formatters write (else it buys nothing)."""
    calls: list[object] = []
    original = transition.plain_tail

    def spy(*a: object) -> object:
        out = original(*a)  # type: ignore[arg-type]
        calls.append(out)
        return out

    transition.plain_tail = spy  # type: ignore[assignment]
    try:
        parse_flow_file(flow_with_tails(TAILS[:9]))
    finally:
        transition.plain_tail = original  # type: ignore[assignment]
    taken = [c for c in calls if c is not None]
    assert len(taken) >= 10  # start + the nine plain shapes
