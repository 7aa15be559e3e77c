"""Our graph equals Metaflow's ``FlowGraph`` field by field, for every flow below.

Each flow file is written to disk, imported (Metaflow builds its graph from the imported
class), and compared with ``build_graph`` on the parsed file. Metaflow is the oracle here; the
flows cover every transition form, start/end annotations, mixins and the invalid shapes the
graph must tolerate.
"""

from __future__ import annotations

import gc
import importlib.util
import random
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from metaflow_expert.graph import MAX_VISITS, FlowGraph, strongly_connected_components
from metaflow_expert.graph import build_graph as _build_graph
from metaflow_expert.knowledge.facts import default_facts
from metaflow_expert.model import FlowClass
from metaflow_expert.parsing import parse_flow_file


def build_graph(flow: FlowClass) -> FlowGraph:
    """Metaflow's graphs know which decorators are parallel: give ours the same source's set."""
    return _build_graph(flow, default_facts().parallel_decorators)


HEADER = "from metaflow import FlowSpec, step, parallel, batch, retry, Parameter\n"

FLOWS: dict[str, str] = {
    "linear": """
        class F(FlowSpec):
            '''Doc of the flow.'''
            @step
            def start(self):
                '''Start doc.'''
                self.x = 1
                self.next(self.a)
            @retry
            @batch(cpu=2)
            @step
            def a(self):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "split_join": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.a, self.b)
            @step
            def a(self):
                self.next(self.join)
            @step
            def b(self):
                self.next(self.join)
            @step
            def join(self, inputs):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "nested_foreach": """
        class F(FlowSpec):
            @step
            def start(self):
                self.xs = [1, 2]
                self.next(self.outer, foreach="xs")
            @step
            def outer(self):
                self.ys = [1]
                self.next(self.inner, foreach='ys')
            @step
            def inner(self):
                self.next(self.inner_join)
            @step
            def inner_join(self, inputs):
                self.next(self.mid)
            @step
            def mid(self):
                self.next(self.outer_join)
            @step
            def outer_join(self, inputs):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "foreach_nonliteral": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.body, foreach=NAME)
            @step
            def body(self):
                self.next(self.join)
            @step
            def join(self, inputs):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "parallel": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.train, num_parallel=4)
            @parallel
            @step
            def train(self):
                self.next(self.join)
            @step
            def join(self, inputs):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "switch": """
        class F(FlowSpec):
            @step
            def start(self):
                self.mode = "a"
                self.next({"a": self.a, "b": self.b, 3: self.b}, condition="mode")
            @step
            def a(self):
                self.next(self.end)
            @step
            def b(self):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "switch_config_and_loop": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.loop)
            @step
            def loop(self):
                self.next({self.cfg.again: self.loop, "done": self.end}, condition="state")
            @step
            def end(self):
                pass
    """,
    "switch_invalid_key": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next({key: self.a}, condition="x")
            @step
            def a(self):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "switch_nonliteral_condition": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next({"k": self.a}, condition=cond)
            @step
            def a(self):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "invalid_forms": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.a, self.b, foreach="xs")
            @step
            def a(self):
                self.next(self.b, num_parallel=2, foreach="x")
            @step
            def b(self):
                self.next(self.c, bogus=1)
            @step
            def c(self):
                self.next(step_name)
            @step
            def d(self):
                self.next()
            @step
            def e(self):
                self.next(self.f, self.g, num_parallel=3)
            @step
            def f(self):
                if True:
                    self.next(self.end)
            @step
            def g(self):
                self.next(self.end)
                print("after")
            @step
            def h(self):
                x = self.next(self.end)
            @step
            def i(self):
                '''Only a docstring.'''
            @step
            def j(self):
                self.next(*targets)
            @step
            def k(self):
                self.next(self.end, **kw)
            @step
            def end(self):
                pass
    """,
    "annotations": """
        class F(FlowSpec):
            @step(start=True)
            def begin(self):
                self.next(self.middle)
            @step()
            def middle(self):
                self.next(self.finish)
            @step(end=True)
            def finish(self):
                pass
    """,
    "two_starts": """
        class F(FlowSpec):
            @step(start=True)
            def a(self):
                self.next(self.end)
            @step(start=True)
            def b(self):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "single_step": """
        class F(FlowSpec):
            @step
            def only(self):
                pass
    """,
    "cycle_and_unknown": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.a)
            @step
            def a(self):
                self.next(self.b, self.missing)
            @step
            def b(self):
                self.next(self.start)
            @step
            def orphan(self, x, y):
                self.next(self.end)
            @step
            def end(self):
                self.next(self.a)
    """,
    "join_without_split": """
        class F(FlowSpec):
            @step
            def start(self, inputs):
                self.next(self.j)
            @step
            def j(self, inputs):
                self.next(self.end)
            @step
            def end(self, inputs):
                pass
    """,
    "foreach_in_split": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.a, self.fe)
            @step
            def a(self):
                self.next(self.join)
            @step
            def fe(self):
                self.next(self.body, foreach="xs")
            @step
            def body(self):
                self.next(self.fe_join)
            @step
            def fe_join(self, inputs):
                self.next(self.join)
            @step
            def join(self, inputs):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
    "mixins": """
        class StartMixin:
            @step
            def start(self):
                self.next(self.middle)
            @step
            def middle(self):
                self.next(self.end)

        class Base(FlowSpec):
            @step
            def middle(self):
                self.next(self.other)
            @step
            def other(self):
                self.next(self.end)
            @step
            def end(self):
                pass

        class F(StartMixin, Base):
            @step
            def end(self):
                '''Overrides.'''
                pass

            @step
            def end(self):
                '''Defined twice: the last one wins.'''
                self.next(self.start)
    """,
    "parens_and_one_liners": """
        class F(FlowSpec):
            @step
            def start(self): self.x = 1; (self.next(self.a))
            @step
            def a(self):
                (self).next(
                    self.end,
                )
            @step
            def end(self): pass
    """,
    "constants_and_params": """
        class F(FlowSpec):
            @step
            def start(self, /):
                self.next({1: self.a, True: self.b, f"x": self.a}, condition="c")
            @step
            def a(self, x=1, *rest, y, **kw):
                self.next(self.b, foreach=("x" "s"))
            @step
            def b(self, inputs, /, other):
                self.next(self.c, num_parallel=-1)
            @step
            def c(self, *args):
                self.next({None: self.end}, condition="c")
            @step
            def d(self):
                self.next({"a": self.end, "b": self.c}, condition="c", foreach="x")
            @step
            def e(self):
                self.next({}, condition="c")
            @step
            def g(self):
                self.next({"a": other.end}, condition="c")
            @step
            def h(self):
                self.next({**cases}, condition="c")
            @step
            def i(self):
                self.next({"k": self.end}, condition=f"c")
            @step
            def j(self):
                self.next({-1: self.end, "z": self.end}, condition="c")
            @step
            def k(self):
                self.next(foo.bar, self.a.b)
            @step
            def end(self):
                pass
    """,
    "switch_true_one": """
        class F(FlowSpec):
            @step
            def start(self):
                self.next({1: self.a, True: self.b, "x": self.a}, condition="c")
            @step
            def a(self):
                self.next(self.end)
            @step
            def b(self):
                self.next(self.end)
            @step
            def end(self):
                pass
    """,
}


def _load(tmp_path: Path, key: str, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"flow_{key}.py"
    path.write_text(text, encoding="utf-8")
    name = f"_mfx_graph_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop(name, None)
    return mod


def _theirs(node, decorators=None):  # type: ignore[no-untyped-def]
    return {
        "type": node.type,
        "out_funcs": list(node.out_funcs),
        "in_funcs": list(node.in_funcs),
        "split_parents": list(node.split_parents),
        "split_branches": list(node.split_branches),
        "matching_join": node.matching_join,
        "is_inside_foreach": node.is_inside_foreach,
        "has_tail_next": node.has_tail_next,
        "invalid_tail_next": node.invalid_tail_next,
        "tail_next_lineno": node.tail_next_lineno,
        "func_lineno": node.func_lineno,
        "num_args": node.num_args,
        "foreach_param": node.foreach_param,
        "num_parallel": node.num_parallel,
        "parallel_foreach": node.parallel_foreach,
        "parallel_step": node.parallel_step,
        "condition": node.condition,
        "switch_cases": dict(node.switch_cases),
        "is_start_step": bool(node.is_start_step),
        "is_end_step": bool(node.is_end_step),
        "decorators": decorators
        if decorators is not None
        else sorted(d.name for d in node.decorators),
        "doc": node.doc,
    }


def _ours(node):  # type: ignore[no-untyped-def]
    return _theirs(node, sorted(node.decorators))


@pytest.mark.parametrize("key", sorted(FLOWS))
def test_graph_matches_metaflow(tmp_path: Path, key: str) -> None:
    text = HEADER + textwrap.dedent(FLOWS[key])
    mod = _load(tmp_path, key, text)
    ff = parse_flow_file(text, str(tmp_path / f"flow_{key}.py"))
    assert ff.syntax_issues == []
    assert ff.flows, "no flow parsed"
    for flow in ff.flows:
        theirs = getattr(mod, flow.name)._graph
        ours = build_graph(flow)
        assert ours.start_step == theirs.start_step
        assert ours.end_step == theirs.end_step
        assert ours.sorted_nodes == theirs.sorted_nodes
        assert ours.doc == theirs.doc
        assert sorted(ours.nodes) == sorted(theirs.nodes)
        for name in theirs.nodes:
            assert _ours(ours[name]) == _theirs(theirs[name]), f"{flow.name}.{name}"


def test_parallel_names_come_from_source() -> None:
    from metaflow.plugins import STEP_DECORATORS

    expected = {d.name for d in STEP_DECORATORS if getattr(d, "IS_PARALLEL", False)}
    assert default_facts().parallel_decorators == frozenset(expected)


def test_graph_tolerates_everything() -> None:
    """Unknown targets, self-loops, no start: build_graph returns a graph."""
    text = HEADER + textwrap.dedent(
        """
        class F(FlowSpec):
            @step
            def a(self):
                self.next(self.a, self.nowhere)
            @step
            def b(self):
                self.next(self.b)
        """
    )
    (flow,) = parse_flow_file(text).flows
    g = build_graph(flow)
    assert g.start_step is None and g.sorted_nodes == []
    assert "a" in g and [n.name for n in g] == ["a", "b"]


def _switch_diamonds(n: int, *, loop_back: bool = False) -> str:
    """``n`` switch diamonds in a row: Metaflow's path traversal takes 2**n visits."""
    lines = [
        "class F(FlowSpec):",
        "    @step",
        "    def start(self):",
        "        self.next(self.s0)",
    ]
    for i in range(n):
        lines += [
            "    @step",
            f"    def s{i}(self):",
            f"        self.next({{'a': self.a{i}, 'b': self.b{i}}}, condition='c')",
            "    @step",
            f"    def a{i}(self):",
            f"        self.next(self.s{i + 1})",
            "    @step",
            f"    def b{i}(self):",
            f"        self.next(self.s{i + 1})",
        ]
    if loop_back:  # every diamond on a cycle: the memo cannot apply
        lines += ["    @step", f"    def s{n}(self):"]
        lines += ["        self.next({'a': self.s0, 'b': self.end}, condition='c')"]
    else:
        lines += ["    @step", f"    def s{n}(self):", "        self.next(self.end)"]
    lines += ["    @step", "    def end(self):", "        pass"]
    return HEADER + "\n".join(lines) + "\n"


def _split_diamonds(n: int, *, join_is_split: bool) -> str:
    """start → (a0, b0) → j0 → (a1, b1) → j1 … → end. With ``join_is_split`` each ``j_i``
    takes ``inputs`` and splits again (Metaflow types it a split and builds the graph anyway;
    split_parents then grow along the chain); otherwise a linear ``m_i`` follows each join."""
    lines = ["class F(FlowSpec):", "    @step", "    def start(self):"]
    lines.append("        self.next(self.a0, self.b0)")
    for i in range(n):
        last = i == n - 1
        for side in "ab":
            lines += ["    @step", f"    def {side}{i}(self):", f"        self.next(self.j{i})"]
        lines += ["    @step", f"    def j{i}(self, inputs):"]
        if last:
            lines.append("        self.next(self.end)")
        elif join_is_split:
            lines.append(f"        self.next(self.a{i + 1}, self.b{i + 1})")
        else:
            lines.append(f"        self.next(self.m{i})")
            lines += ["    @step", f"    def m{i}(self):"]
            lines.append(f"        self.next(self.a{i + 1}, self.b{i + 1})")
    lines += ["    @step", "    def end(self):", "        pass"]
    return HEADER + "\n".join(lines) + "\n"


def _random_flow(rng: random.Random, n: int, *, cycles: bool) -> str:
    """A random graph of ``n`` steps: splits, joins, foreach, switches, unknown targets and
    (with ``cycles``) back edges. Many are invalid flows: the graph must match anyway."""
    names = ["start", *[f"s{i}" for i in range(n)], "end"]
    lines = ["class F(FlowSpec):"]
    for i, name in enumerate(names):
        if name == "end":
            lines += ["    @step", "    def end(self):", "        pass"]
            continue
        pool = names[i + 1 :]
        if cycles:
            pool = pool + [x for x in names[: i + 1] if rng.random() < 0.3]
        targets = rng.sample(pool, min(rng.choice((1, 1, 2, 2, 3)), len(pool)))
        args = "(self, inputs)" if rng.random() < 0.4 else "(self)"
        if len(targets) == 1 and rng.random() < 0.2:
            nxt = f"self.next(self.{targets[0]}, foreach='xs')"
        elif len(targets) >= 2 and rng.random() < 0.2:
            cases = ", ".join(f"'{k}': self.{t}" for k, t in enumerate(targets))
            nxt = f"self.next({{{cases}}}, condition='c')"
        else:
            nxt = "self.next(" + ", ".join(f"self.{t}" for t in targets) + ")"
        lines += ["    @step", f"    def {name}{args}:", f"        {nxt}"]
    return HEADER + "\n".join(lines) + "\n"


def _assert_same_graph(tmp_path: Path, key: str, text: str) -> None:
    mod = _load(tmp_path, key, text)
    (flow,) = parse_flow_file(text).flows
    theirs = mod.F._graph
    ours = build_graph(flow)
    assert not ours.truncated
    assert (ours.start_step, ours.end_step) == (theirs.start_step, theirs.end_step)
    assert ours.sorted_nodes == theirs.sorted_nodes
    for name in theirs.nodes:
        assert _ours(ours[name]) == _theirs(theirs[name]), f"{key}: {name}"


@pytest.mark.parametrize(
    "key",
    ["switch_diamonds", "split_diamonds", "join_split_diamonds", "switch_diamonds_loop"],
)
def test_diamond_chains_match_metaflow(tmp_path: Path, key: str) -> None:
    """Chains of diamonds (Metaflow walks 2**n paths; fields are set on the *last* visit)."""
    text = {
        "switch_diamonds": lambda: _switch_diamonds(8),
        "split_diamonds": lambda: _split_diamonds(7, join_is_split=False),
        "join_split_diamonds": lambda: _split_diamonds(7, join_is_split=True),
        "switch_diamonds_loop": lambda: _switch_diamonds(5, loop_back=True),
    }[key]()
    _assert_same_graph(tmp_path, key, text)


@pytest.mark.parametrize("seed", range(24))
def test_random_graphs_match_metaflow(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    text = _random_flow(rng, rng.randint(2, 10), cycles=seed % 3 == 0)
    _assert_same_graph(tmp_path, f"rnd{seed}", text)


@pytest.mark.parametrize("join_is_split", [False, True])
def test_long_diamond_chains_are_linear(join_is_split: bool) -> None:
    """40 diamonds: 2**40 paths for Metaflow; ours completes well under ``MAX_VISITS``, and
    the fields follow the pattern the short chains above verify against Metaflow."""
    for text in (_switch_diamonds(40), _split_diamonds(40, join_is_split=join_is_split)):
        (flow,) = parse_flow_file(text).flows
        g = build_graph(flow)
        assert not g.truncated
        assert sorted(g.sorted_nodes) == sorted(g.nodes)
        assert g.nodes["end"].in_funcs in (["s40"], ["j39"])
    g = build_graph(parse_flow_file(_split_diamonds(40, join_is_split=join_is_split)).flows[0])
    n = g.nodes
    if join_is_split:
        assert n["j39"].split_parents == ["start", *[f"j{i}" for i in range(39)]]
        assert n["j38"].matching_join == "j39"
        assert n["a39"].split_branches == [*[f"b{i}" for i in range(39)], "a39"]
    else:
        assert n["m38"].matching_join == "j39" and n["j38"].matching_join is None
        assert n["a39"].split_branches == ["a39"] and n["a39"].split_parents == ["m38"]
    assert g.sorted_nodes[:4] == ["start", "a0", "b0", "j0"]


def _nested_splits(n: int, *, foreach_every: int = 0) -> str:
    """``s_i`` splits into ``s_{i+1}`` and ``leaf_i``; no split is ever joined, every leaf goes
    to end. Step ``s_i`` is ``i`` splits deep. With ``foreach_every`` some ``s_i`` are foreaches
    over ``s_{i+1}`` instead, so ``is_inside_foreach`` is set below the first one."""
    lines = [
        "class F(FlowSpec):",
        "    @step",
        "    def start(self):",
        "        self.next(self.s0)",
    ]
    for i in range(n):
        nxt = f"self.s{i + 1}" if i + 1 < n else "self.end"
        if foreach_every and i % foreach_every == 1 and i + 1 < n:
            lines += ["    @step", f"    def s{i}(self):", f"        self.next({nxt}, foreach='x')"]
            continue
        lines += ["    @step", f"    def s{i}(self):", f"        self.next({nxt}, self.leaf{i})"]
        lines += ["    @step", f"    def leaf{i}(self):", "        self.next(self.end)"]
    lines += ["    @step", "    def end(self, inputs):", "        pass"]
    return HEADER + "\n".join(lines) + "\n"


@pytest.mark.parametrize("foreach_every", [0, 3])
def test_nested_splits_match_metaflow(tmp_path: Path, foreach_every: int) -> None:
    """The shape of the memory test below, small enough for Metaflow to build."""
    text = _nested_splits(12, foreach_every=foreach_every)
    _assert_same_graph(tmp_path, f"nested{foreach_every}", text)


def test_deep_nesting_memory_is_linear_and_released() -> None:
    """5,000 nested unjoined splits: a list of split parents and branches on every step took
    about 450 MB (the square of the depth); shared chains keep it linear. Memory, not time,
    is asserted (no timing in tests); the bound is generous (about 20 MB measured)."""
    n = 5000
    (flow,) = parse_flow_file(_nested_splits(n)).flows
    gc.collect()
    tracemalloc.start()
    try:
        g = build_graph(flow)
        _, peak = tracemalloc.get_traced_memory()
        deepest = g.nodes[f"s{n - 1}"]
        assert deepest.split_parents == [f"s{i}" for i in range(n - 1)]
        assert deepest.split_branches == [f"s{i}" for i in range(1, n)]
        assert g.nodes[f"leaf{n - 1}"].split_branches[-1] == f"leaf{n - 1}"
        assert not g.truncated and len(g.sorted_nodes) == len(g.nodes)
        del g, deepest
        gc.collect()
        left, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000, f"peak {peak / 1e6:.0f} MB"
    assert left < 5_000_000, f"{left / 1e6:.0f} MB kept after the graph was dropped"


def test_exponential_traversal_is_bounded() -> None:
    """40 diamonds on one big cycle: no memo applies, the walk stops at ``MAX_VISITS``."""
    (flow,) = parse_flow_file(_switch_diamonds(40, loop_back=True)).flows
    g = build_graph(flow)
    assert g.truncated
    assert MAX_VISITS > 1000


def _corpus() -> list[Path]:
    """Every flow file the project and Metaflow ship: the rule corpus and the tutorials."""
    here = Path(__file__).parent / "corpus"
    files = sorted(here.glob("*/*.py")) if here.is_dir() else []
    spec = importlib.util.find_spec("metaflow")
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        files += sorted(root.glob("tutorials/*/*.py"))
    return files


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_graph_matches_metaflow_on_corpus(tmp_path: Path, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    key = "c_" + "".join(ch if ch.isalnum() else "_" for ch in f"{path.parent.name}_{path.stem}")
    try:
        mod = _load(tmp_path, key, text)
    except Exception as exc:  # import-time errors are Metaflow's to report, not a graph
        pytest.skip(f"does not import: {type(exc).__name__}")
    ff = parse_flow_file(text, str(path))
    for flow in ff.flows:
        cls = getattr(mod, flow.name, None)
        if cls is None or not hasattr(cls, "_graph"):
            continue
        theirs = cls._graph
        ours = build_graph(flow)
        assert (ours.start_step, ours.end_step) == (theirs.start_step, theirs.end_step)
        assert ours.sorted_nodes == theirs.sorted_nodes
        assert sorted(ours.nodes) == sorted(theirs.nodes)
        for name in theirs.nodes:
            assert _ours(ours[name]) == _theirs(theirs[name]), f"{path.name}: {flow.name}.{name}"


def test_strongly_connected_components() -> None:
    succ = {"a": ["b"], "b": ["c", "d"], "c": ["b"], "d": ["d"], "e": []}
    comps = strongly_connected_components(succ)
    assert sorted(sorted(c) for c in comps) == [["a"], ["b", "c"], ["d"], ["e"]]
    order = {n: i for i, c in enumerate(comps) for n in c}
    # successors' components come first (reverse topological order)
    assert order["d"] < order["b"] < order["a"]


def test_strongly_connected_components_long_chain_is_iterative() -> None:
    n = 10_000
    succ = {f"s{i}": [f"s{i + 1}"] if i + 1 < n else ["s0"] for i in range(n)}
    (comp,) = strongly_connected_components(succ)
    assert len(comp) == n
    chain = {f"s{i}": [f"s{i + 1}"] if i + 1 < n else [] for i in range(n)}
    comps = strongly_connected_components(chain)
    assert len(comps) == n and comps[0] == [f"s{n - 1}"]
