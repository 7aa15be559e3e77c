"""Transitions against Metaflow's own ``DAGNode._parse``, on generated ``self.next`` calls.

A seeded generator combines targets (``self.a``, ``other.b``, names, starred), switch dicts
(constant, config, f-string, None, unpacked keys; good and bad values) and keywords (foreach,
num_parallel, condition, unknown, ``**kw``, literal and non-literal values). Each body is
parsed by Metaflow (``DAGNode`` on ``ast.parse``) and by us; every field ``_parse`` sets must
agree.
"""

from __future__ import annotations

import ast
import random

import pytest
from metaflow.graph import DAGNode

from metaflow_expert.graph import _node
from metaflow_expert.parsing import parse_flow_file

TARGETS = ["self.a", "self.b", "self.end", "other.c", "name", "*steps", "self.x.y", "(self.a)"]
KEYS = [
    '"k"',
    "'j'",
    "1",
    "True",
    "None",
    "self.cfg.key",
    "other.cfg.key",
    "self.key",
    'f"x"',
    "-1",
    "k",
]
VALUES = ["self.a", "self.b", "other.c", "name", "self.a.b"]
KWS = [
    'foreach="xs"',
    "foreach=xs",
    "foreach=('x' 'y')",
    "num_parallel=4",
    "num_parallel=-1",
    "num_parallel=n",
    'condition="c"',
    "condition=c",
    'bogus="x"',
    "**kw",
]


def _call(rng: random.Random) -> str:
    args: list[str] = []
    if rng.random() < 0.4:
        good = rng.random() < 0.6
        keys = [*KEYS[:4], "self.cfg.key"] if good else KEYS
        values = VALUES[:2] if good else VALUES
        n = rng.randrange(0 if not good else 1, 4)
        items = [f"{rng.choice(keys)}: {rng.choice(values)}" for _ in range(n)]
        if rng.random() < 0.1:
            items.append("**more")
        args.append("{" + ", ".join(items) + "}")
        if rng.random() < 0.7:
            args.append(rng.choice(['condition="c"', "condition='c'", 'condition="c"']))
    else:
        args += [rng.choice(TARGETS) for _ in range(rng.randrange(0, 4))]
    args += rng.sample(KWS, rng.randrange(0, 3))
    return f"self.next({', '.join(args)})"


def _bodies() -> list[tuple[str, str]]:
    rng = random.Random(20251127)
    out = []
    for _ in range(400):
        params = rng.choice(["self", "self, inputs", "self, a, b", ""])
        out.append((params, _call(rng)))
    return out


@pytest.mark.parametrize(("params", "call"), _bodies())
def test_matches_dagnode(params: str, call: str) -> None:
    src = f"def s({params}):\n    x = 1\n    {call}\n"
    theirs = DAGNode(ast.parse(src).body[0], [], [], [], None, "f.py", 1)
    text = f"from metaflow import FlowSpec, step\nclass F(FlowSpec):\n    @step\n    def s({params}):\n        x = 1\n        {call}\n"
    (flow,) = parse_flow_file(text).flows
    ours = _node("s", flow.steps["s"], frozenset())
    fields = [
        "type",
        "out_funcs",
        "has_tail_next",
        "invalid_tail_next",
        "num_args",
        "foreach_param",
        "num_parallel",
        "parallel_foreach",
        "condition",
        "switch_cases",
    ]
    got = {f: getattr(ours, f) for f in fields}
    want = {f: getattr(theirs, f) for f in fields}
    # Metaflow's line is relative to the def; ours is the file's: compare the offsets.
    assert got == want, call
    assert (ours.tail_next_lineno - 3 if ours.has_tail_next else 0) == theirs.tail_next_lineno
