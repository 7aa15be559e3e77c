"""The artifact pass's one fast path (the ``self`` token scan) against its reference walk.

:mod:`metaflow_expert.parsing.artifacts` finds each ``self`` token with a text search, reads
the common shapes from the bytes after it and hands any other token's statement to the
preorder walk; the walk over the whole step is the definition. Both must give the same model,
so the walk is the oracle here: every corpus flow, Metaflow's tutorials, flows generated in
the benchmark's shapes, every tail form of ``test_fast_paths``, an edge-case flow and
truncated copies of them are parsed both ways and compared whole.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from tree_sitter import Node

from metaflow_expert.parsing import artifacts, parse_flow_file

from .test_fast_paths import TAILS, flow_with_tails

ROOT = Path(__file__).resolve().parents[2]

EDGES = """
from metaflow import FlowSpec, step


class F(FlowSpec):
    @step
    def start(self):
        self.a.b = 1
        self.c[0] = 2
        self.d().e = 3
        (self.f) = 4
        self.g, [self.h, *self.i] = 1, [2, 3]
        for self.j in range(3): pass
        with open(x) as self.k: pass
        del self.l, self.m.n
        del (self.o)
        self.p += 1
        self.q.r += 1
        setattr(self, "s", 1); getattr(self, 't'); delattr(self, "u"); setattr(self, self, 1)
        x.self.v = 1
        myself.w = 2
        f"{self.x}"
        # self.comment
        "self.string"
        lambda: self.y
        [self.z for _ in self.zz]
        self.input; self.index = 1
        self.merge_artifacts(inputs, exclude=["a"])
        self.next(self.aa)
        self.next((self.bb), {"k": (self.cc), 1: self.dd.ee}, condition="c")
        self.next(self.ff for x in y)
        self . next(self.gg)
        self.next(self.hh, foreach="xs")
        self.foo(self.ii)
        self.jj.kk(self.ll)
        if self.mm: self.nn = 1
        f"{self.oo=}"; f"{self.pp = }"
        q = (self.qq
             .rr)
        self.ss \
            = 3
        a = self.tt = 4
        self.uu: int = 5
        self.vv == 1; self.ww <= 2; self.xx **= 2; self.yy >>= 1; self.zz >= 3
        del a, self.ab
        (self.ac), b = 1, 2
        for a, self.ad in x: pass
        for a in self.ae: pass
        [a for a in self.af if self.ag]
        with a as self.ah, b as c: pass
        lambda a=self.ai: a
        print(self.aj, file=self.ak)  # self.al = 1
        return self.am, self.an
        x = {self.ao: self.ap, **self.aq}
        self.ar = self.as_ = self.at
        self.au[0].av = 1
        self.aw(1).ax = 2
        self.ay\
            .az = 3
        self.ba \
            += 1
        self.bb(
            self.bc)
        self.bd
        (self.be)
        self.bf if self.bg else self.bh
        self.bi; self.bj
        self.merge_artifacts(inputs, exclude=[self.bk])
        "doc self.bl = 1 and self.bm += 2 and self.bn(1)"
        self.naïve = 1; self.café += 1; x = self.über
        y: self.tp = 3; f(a + self.q1); {1: self.q2}; f"{self.q3!r}"; (v for v in self.q4)
        [self.q5] = [1]; a[1:self.q6]; x = self.q7 ** 2; self.q8 -= 1; self.q9 <= 2
        assert self.q10, "m"
        with a as self.q11, b: pass
        for x in self.q12, self.q13: pass
        x = (a, self.q14) = 1, 2
        print(f'{self.q16}', "{self.q17}", {self.q18, 2}, -self.q19 * 2, not self.q20)
        z = [self.q21, *self.q22]; (*self.q23, b) = y; f(*self.q24, **self.q25)
        x = self.q26 if self.q27 else (self.q28)
        f(x. self.q29); f(x.  self.q30 + 1); g(x.
            self.q31); h(
            self.q32,
            self.q33 + 1)
        if self.q34[0]: self.q35 = 1
        elif self.q36[1]:
            self.next(self.q37)
        elif self.q38.q39: self.q40 += 1
        def inner(a=self.q41[0], b=self.q42): return self.q43
        self.r1[0][1] = 2; self.r2[0].y = 1; self.r3[0](1); self.r4 [0]; del self.r5[0]
        self.r6[0] += 1; x = self.r7[0]; self.next(self.r8[0])
        for self.r9[0] in x: pass
        "self.r10[0]"; a[self.r11[0]]; self.r12[0].m(); self.r13[0], b = 1, 2
        self.r14[0].y += 1; del self.r15[0].y; self.r16[0][1].z = 3; self.r17[
            0] = 1; self.r18[0] \
            .y = 2; x. self.r19[0]
        self.next(self.end)

    @step
    def join(self, inputs):
        self.a = inputs.a.x
        b = inputs[0].y
        for inp in inputs:
            print(inp.z, inp.f(), inp.w.v, self.r)
        [i.q for i in inputs]
        self.merge_artifacts(inputs)
        f(inputs=3); x.inputs; "inputs"  # inputs
        for self in inputs: self.s
        inputs.c.m(); inputs . d . e
        myinputs.k; inputs_.k; inp.zz
        self.next(self.end)

    @step
    def join2(self, inputs):
        for é in inputs:
            é.u; i.t
        self.next(self.end)

    @step
    def join4(self, eingänge):
        self.w = [x.v for x in eingänge]; eingänge_x.k; xeingänge.k; eingänge.a.b
        self.next(self.end)

    @step
    def join3(self, ins):
        self.t = [x.v for x in ins]
        self.next(self.end)

    @step
    def end(self):
        self.next(self.x)
        self.next(self.y)
"""

#: The same flow in ASCII: the byte shortcuts of the scan only run on ASCII text.
EDGES_ASCII = EDGES.translate(str.maketrans("äéïü", "aeiu"))


def _texts() -> list[str]:
    here = Path(__file__).resolve().parents[1]
    files = sorted((here / "corpus").glob("*/*.py"))
    spec = importlib.util.find_spec("metaflow")
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        files += sorted(root.glob("tutorials/*/*.py"))
    texts = [EDGES, EDGES_ASCII] + [p.read_text(encoding="utf-8", errors="replace") for p in files]
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import flowgen
    finally:
        sys.path.pop(0)
    texts += [flowgen.realistic_flow("R", 400), flowgen.dense_flow("D", 400)]
    texts += [flow_with_tails(TAILS), flow_with_tails(TAILS, "self, inputs")]
    rng = random.Random(7)
    for text in list(texts[:60]):
        lines = text.split("\n")
        texts.append("\n".join(lines[: rng.randrange(len(lines) + 1)]))
        i = rng.randrange(len(lines))
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        texts.append("\n".join(lines))
    return texts


def test_self_tokens_match_full_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    fast = [repr(parse_flow_file(t, "f.py")) for t in texts]
    monkeypatch.setattr(artifacts, "USE_TOKENS", False)
    slow = [repr(parse_flow_file(t, "f.py")) for t in texts]
    assert len(texts) > 100
    for text, a, b in zip(texts, fast, slow, strict=True):
        assert a == b, text[:200]


@pytest.mark.parametrize("text", [EDGES, EDGES_ASCII], ids=["unicode", "ascii"])
def test_edge_roles(text: str) -> None:
    parsed = parse_flow_file(text)
    assert not parsed.syntax_issues  # a broken step would only ever take the walk
    (flow,) = parsed.flows
    start = flow.steps["start"]
    got = {(a.name, a.kind) for a in start.artifacts}
    assert {("a", "write"), ("c", "read"), ("f", "write"), ("l", "delete"), ("m", "delete")} <= got
    assert {("s", "write"), ("t", "read"), ("u", "delete"), ("nn", "write")} <= got
    assert not {n for n, _ in got} & {"aa", "bb", "cc", "dd", "gg", "hh", "v", "w", "comment"}
    assert not {n for n, _ in got} & {"q29", "q30", "q31", "q37"}
    assert {("q32", "read"), ("q34", "read"), ("q35", "write"), ("q40", "write")} <= got
    assert {
        ("r1", "read"),
        ("r2", "write"),
        ("r5", "read"),
        ("r6", "read"),
        ("r14", "write"),
    } <= got
    assert {("r15", "delete"), ("r16", "write"), ("r17", "read"), ("r18", "write")} <= got
    assert "r19" not in {n for n, _ in got}
    assert len(start.non_tail_next_calls) == 7 and len(start.merge_artifacts_calls) == 2
    assert len(flow.steps["end"].non_tail_next_calls) == 1


def test_scan_reads_most_tokens_from_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a flow shaped like Metaflow's own the scan hands only the calls the model keeps to
    the walk (else the fast path buys nothing)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import flowgen
    finally:
        sys.path.pop(0)
    walked: list[tuple[str, int]] = []
    original = artifacts.Collector.walk

    def spy(self: artifacts.Collector, root: Node, lo: int, inputs: bool) -> None:
        walked.append((root.type, lo))
        original(self, root, lo, inputs)

    monkeypatch.setattr(artifacts.Collector, "walk", spy)
    flow = parse_flow_file(flowgen.realistic_flow("R", 400)).flows[0]
    calls = sum(
        len(s.merge_artifacts_calls) + len(s.non_tail_next_calls) for s in flow.steps.values()
    )
    assert all(lo > 0 for _, lo in walked)  # no step walked whole
    assert len(walked) <= calls


_ATOMS = [
    "self.{n}",
    "self.{n}[0]",
    "self.{n}.y",
    "self.{n}[i].z",
    "self.{n}()",
    "(self.{n})",
    "x. self.{n}",
    "self . {n}",
    "self.{n} [1]",
    "getattr(self, '{n}')",
    '"self.{n}"',
    "self.input",
    "self.index",
    "inputs.{n}",
    "inputs[0].{n}",
    "self.{n}(\n            self.{m})",
]
_EXPRS = [
    "{a}",
    "{a} + {b}",
    "f({a}, k={b})",
    "[{a}, *{b}]",
    "({a}\n            )",
    "{a} if {b} else 0",
    "{{{a}: {b}}}",
    "lambda: {a}",
    "[v for v in {a} if {b}]",
    "not {a}",
    "{a} == {b}",
    "{a}[{b}:]",
    'f"{{{a}}}"',
    'f"{{{a}=}}"',
    "{a} >= {b}",
]
_TARGETS = ["self.{n}", "self.{n}[0]", "self.{n}.y", "(self.{n})", "self.{n}[0].y"]
_STATEMENTS = [
    "{t} = {e}",
    "{t} = {u} = {e}",
    "a, {t} = {e}, 1",
    "{t} += {e}",
    "del {t}",
    "del a, {t}",
    "for {t} in {e}: pass",
    "for a in {e}:\n            {t} = a",
    "with {e} as {t}: pass",
    "{e}",
    "self.next({e})",
    "self.next({{'k': {e}}}, condition='c')",
    "self.merge_artifacts(inputs, exclude=[{e}])",
    "if {e}:\n            {t} = 1\n        elif {e}: {t} += 1",
    "setattr(self, '{n}', {e})",
    "print({e})  # self.{n} = 1",
    "{t} \\\n            = {e}",
    "def inner(a={e}):\n            return {e}",
    "y: {t} = {e}",
    "{t}: int = {e}",
    "[{t}] = [{e}]",
    "if a:\n            self.next({e})\n        elif {e}: pass",
    "{t} -= {e}; {t} @= {e}",
]


def _generated_flow(rng: random.Random) -> str:
    names = iter(f"g{i}" for i in range(10_000))

    def fill(template: str) -> str:
        return template.format(n=next(names), m=next(names))

    def expr(depth: int = 0) -> str:
        if depth > 2 or rng.random() < 0.4:
            return fill(rng.choice(_ATOMS))
        return rng.choice(_EXPRS).format(a=expr(depth + 1), b=expr(depth + 1))

    def statement() -> str:
        return rng.choice(_STATEMENTS).format(
            t=fill(rng.choice(_TARGETS)), u=fill(rng.choice(_TARGETS)), e=expr(), n=next(names)
        )

    lines = ["from metaflow import FlowSpec, step", "", "class G(FlowSpec):"]
    for i in range(6):
        params = "self, inputs" if i % 3 == 2 else "self"
        lines += ["    @step", f"    def s{i}({params}):"]
        lines += [f"        {statement()}" for _ in range(8)]
        lines += [f"        self.next(self.s{i + 1})"]
    lines += ["    @step", "    def s6(self):", "        pass", ""]
    return "\n".join(lines)


def test_generated_statements_match_full_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random statements built from the shapes the scan reads (and those it must refuse),
    nested and across lines: the scan and the walk give the same model."""
    rng = random.Random(2026)
    texts = [_generated_flow(rng) for _ in range(150)]
    parsed = [parse_flow_file(t, "g.py") for t in texts]
    fast = [repr(p) for p in parsed]
    monkeypatch.setattr(artifacts, "USE_TOKENS", False)
    slow = [repr(parse_flow_file(t, "g.py")) for t in texts]
    for text, a, b in zip(texts, fast, slow, strict=True):
        assert a == b, text
    # most steps must be unbroken, or both sides would take the walk
    steps = [s for p in parsed for f in p.flows for s in f.steps.values()]
    assert sum(not s.has_syntax_error for s in steps) > len(steps) * 0.6
