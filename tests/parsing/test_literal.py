"""``literal`` decides common shapes without ``ast.literal_eval``; it must agree with it."""

from __future__ import annotations

import ast
import random

import pytest

from metaflow_expert.model import NOT_LITERAL
from metaflow_expert.parsing.calls import literal

CASES = [
    *(
        [
            "0.5",
            "1.",
            ".5",
            "1e3",
            "1E-3",
            "1.5e+2",
            "10.0",
            "0.0",
            "00.5",
            "1_0.5",
            "0",
            "7",
            "007",
            "-1",
            "1j",
            "True",
            "None",
            "x",
            "a.b",
        ]
    ),
    '"s"',
    "'s'",
    '""',
    '"a\\"b"',
    '"""doc"""',
    '["a", "b"]',
    "['a']",
    "[]",
    "()",
    "(1,)",
    "(1)",
    "(\"a\", 2, 'c')",
    "[1, 2, 3,]",
    '[ "a" ,"b" ]',
    '["a" "b"]',
    "[1, [2]]",
    '["a\\"b"]',
    "[01]",
    "[1,,2]",
    "(,)",
    "[,]",
    '("x")',
    "('x',)",
    "[ ]",
    '["a",]',
    "[-1]",
    "[1.5]",
    '["é"]',
    '["a#b"]',
    "[0, 00]",
    '[\n "a",\n "b"\n]',
    '["a",  # c\n "b"]',
    "{1: 2}",
    "[1, 2)",
    "(1]",
    "[)",
    "{'a'}",
]


def _expected(source: str) -> object:
    try:
        return ast.literal_eval("(" + source + "\n)")
    except Exception:
        return NOT_LITERAL


@pytest.mark.parametrize("source", CASES)
def test_literal_agrees_with_literal_eval(source: str) -> None:
    got, want = literal(source), _expected(source)
    assert got == want and type(got) is type(want)


def test_generated_sequences_agree() -> None:
    rng = random.Random(3)
    atoms = ['"a"', "'b'", '""', "0", "1", "42", "00", "1.5", "x", '"a,b"', "-2", "[]"]
    for _ in range(5000):
        items = [rng.choice(atoms) for _ in range(rng.randrange(0, 4))]
        seps = [rng.choice([",", ", ", " , ", ",\n", ",,"]) for _ in items]
        body = "".join(a + s for a, s in zip(items, seps, strict=True))
        if rng.random() < 0.5:
            body = body.rstrip(" ,\n")
        opening = rng.choice("[(")
        source = opening + rng.choice(["", " "]) + body + {"[": "]", "(": ")"}[opening]
        got, want = literal(source), _expected(source)
        assert got == want and type(got) is type(want), source
