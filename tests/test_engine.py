"""The engine: rule guarding, leaf-flow linting, settings, noqa, ordering; and the config file."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from metaflow_expert.lint import config
from metaflow_expert.lint.config import ConfigError, LintSettings, load_settings, parse_noqa
from metaflow_expert.lint.engine import active_rules, analyze_path, analyze_text
from metaflow_expert.model import Finding, Severity
from metaflow_expert.rules import REGISTRY, RuleContext, rule
from metaflow_expert.rules.registry import Report

FLOW = textwrap.dedent(
    """
    from metaflow import FlowSpec, step

    class Base(FlowSpec):
        @step
        def start(self):
            self.next(self.end)

        @step
        def end(self):
            pass

    class Child(Base):
        @step
        def end(self):  # noqa: MF991
            pass
    """
).lstrip()


@pytest.fixture
def probe_rules() -> Iterator[None]:
    """Temporary rules: MF990 flags every step def, MF991 too, MF992 always crashes."""

    @rule("MF990", name="probe-steps", summary="probe", severity=Severity.WARNING)
    def probe(ctx: RuleContext) -> Iterator[Report]:
        assert ctx.flow is not None
        for s in ctx.flow.steps.values():
            yield Report(s.name_span, f"step {s.name}", step=s.name)

    @rule("MF991", name="probe-noqa", summary="probe", severity=Severity.INFO)
    def probe2(ctx: RuleContext) -> Iterator[Report]:
        assert ctx.flow is not None
        for s in ctx.flow.steps.values():
            yield Report(s.name_span, f"info {s.name}")

    @rule("MF992", name="probe-crash", summary="probe")
    def crash(ctx: RuleContext) -> Iterator[Report]:
        raise KeyError("boom")
        yield  # pragma: no cover

    try:
        yield
    finally:
        for code in ("MF990", "MF991", "MF992"):
            REGISTRY.pop(code, None)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_leaf_flows_only_and_dedupe(probe_rules: None) -> None:
    a = analyze_text(FLOW, "flow.py", settings=LintSettings(select=("MF990",)))
    assert set(a.graphs) == {"Base", "Child"}
    msgs = [(f.message, f.flow, f.line1) for f in a.findings]
    # Child inherits start from Base: reported once, through Child; Base is not linted alone.
    assert msgs == [("step start", "Child", 5), ("step end", "Child", 14)]


def test_crashing_rule_becomes_mf000(probe_rules: None) -> None:
    a = analyze_text(FLOW, "flow.py", settings=LintSettings(select=("MF992", "MF000")))
    (f,) = a.findings
    assert f.code == "MF000" and "MF992" in f.message and "KeyError" in f.message
    assert f.flow == "Child"
    # MF000 can be ignored like any code
    a = analyze_text(FLOW, "flow.py", settings=LintSettings(select=("MF992",), ignore=("MF000",)))
    assert a.findings == []


def test_noqa_and_file_noqa(probe_rules: None) -> None:
    a = analyze_text(FLOW, "flow.py", settings=LintSettings(select=("MF991",)))
    assert [f.message for f in a.findings] == ["info start"]  # end is noqa'd
    a = analyze_text(
        FLOW + "# metaflow-expert: noqa: MF991\n",
        "flow.py",
        settings=LintSettings(select=("MF99",)),
    )
    assert set(codes(a.findings)) == {"MF990"}


def test_severity_and_per_file_ignores(probe_rules: None) -> None:
    s = LintSettings(select=("MF990",), severity={"MF99": "error", "MF990": "info"})
    a = analyze_text(FLOW, "flow.py", settings=s)
    assert {f.severity for f in a.findings} == {Severity.INFO}
    s = LintSettings(select=("MF990",), severity={"MF9": "off"})
    assert analyze_text(FLOW, "flow.py", settings=s).findings == []
    s = LintSettings(select=("MF990",), per_file_ignores={"tests/*.py": ("MF99",)})
    assert analyze_text(FLOW, "tests/flow.py", settings=s).findings == []
    assert analyze_text(FLOW, "src/flow.py", settings=s).findings


def test_sorted_findings_and_syntax_error() -> None:
    a = analyze_text("from metaflow import FlowSpec\nclass F(FlowSpec)\n    pass\n", "f.py")
    assert "MF001" in codes(a.findings)
    keys = [f.sort_key() for f in a.findings]
    assert keys == sorted(keys)


def test_follow_on_findings_hidden_in_broken_step() -> None:
    src = textwrap.dedent(
        """
        from metaflow import FlowSpec, step

        class F(FlowSpec):
            @step
            def start(self):
                self.next(self.end

            @step
            def end(self):
                pass
        """
    )
    a = analyze_text(src, "f.py")
    inside = [f for f in a.findings if f.span.start_line in (4, 5, 6) and f.code != "MF001"]
    assert inside == []
    assert "MF001" in codes(a.findings)


def test_nested_foreach_setting_enables_its_rule() -> None:
    nested = [r.code for r in REGISTRY.values() if r.mirrors == "check_nested_foreach"]
    if not nested:
        pytest.skip("no nested-foreach rule registered yet")
    assert not set(nested) & {r.code for r in active_rules(LintSettings())}
    assert set(nested) <= {r.code for r in active_rules(LintSettings(nested_foreach=True))}


def test_analyze_path_reads_pyproject(tmp_path: Path, probe_rules: None) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.metaflow-expert]\nselect = ["MF990"]\n[tool.metaflow-expert.severity]\nMF990 = "error"\n'
    )
    sub = tmp_path / "flows"
    sub.mkdir()
    path = sub / "flow.py"
    path.write_text(FLOW)
    a = analyze_path(path)
    assert codes(a.findings) == ["MF990", "MF990"]
    assert {f.severity for f in a.findings} == {Severity.ERROR}


def test_load_settings(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == LintSettings()
    py = tmp_path / "pyproject.toml"
    py.write_text(
        textwrap.dedent(
            """
            [tool.other]
            x = 1
            [tool.metaflow-expert]
            select = ["mf1", "MF2"]
            ignore = ["MF205"]
            nested-foreach = true
            [tool.metaflow-expert.severity]
            MF203 = "Info"
            [tool.metaflow-expert.per-file-ignores]
            "tests/*.py" = ["MF2"]
            """
        )
    )
    s = load_settings(tmp_path / "deep" / "flow.py")
    assert s.select == ("MF1", "MF2") and s.ignore == ("MF205",)
    assert s.nested_foreach and s.severity == {"MF203": "info"}
    assert s.ignored_for(str(tmp_path / "tests" / "x.py")) == ("MF2",)
    assert s.ignored_for(str(tmp_path / "src" / "x.py")) == ()
    assert s.severity_for("MF203") == "info" and s.severity_for("MF101") is None
    # the 3.10 fallback reader agrees with tomllib on our table
    assert config._tiny_toml(py.read_text())["tool"]["metaflow-expert"]["select"] == ["mf1", "MF2"]


@pytest.mark.parametrize(
    "body",
    [
        'select = "MF1" "x"',
        'nested-foreach = "yes"',
        '[tool.metaflow-expert.severity]\nMF1 = "loud"',
    ],
)
def test_bad_settings_raise_one_line(tmp_path: Path, body: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.metaflow-expert]\n" + body + "\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path)
    assert "\n" not in str(exc.value) and "pyproject.toml" in str(exc.value)


def test_parse_noqa() -> None:
    assert parse_noqa("x = 1") is None
    assert parse_noqa("x = 1  # noqa") == config.ALL
    assert parse_noqa("x  # noqa: MF201, MF105") == {"MF201", "MF105"}
    assert parse_noqa("x  # NOQA:mf2 because") == {"MF2"}
    assert config.suppressed("MF201", frozenset({"MF2"}))
    assert not config.suppressed("MF101", frozenset({"MF2"}))


def test_extend_select_adds_to_defaults(probe_rules: None) -> None:
    off = sorted(c for c, r in REGISTRY.items() if not r.default_enabled)
    if not off:
        pytest.skip("no rule is off by default")
    default = {r.code for r in active_rules(LintSettings())}
    assert off[0] not in default
    extended = {r.code for r in active_rules(LintSettings(extend_select=(off[0],)))}
    assert extended == default | {off[0]}
    only = {r.code for r in active_rules(LintSettings(select=("MF99",), extend_select=("MF001",)))}
    assert only == {"MF990", "MF991", "MF992", "MF001"}


def _many_flows(n: int) -> str:
    flow = textwrap.dedent(
        """
        class F{i}(FlowSpec):
            alpha = Parameter("alpha", default=1)

            @step
            def start(self):
                self.x = self.alpha
                self.next(self.end)

            @step
            def end(self):
                if hasattr(self, "y"):
                    print(self.x, self.y)
        """
    )
    return "from metaflow import FlowSpec, Parameter, step\n" + "".join(
        flow.format(i=i) for i in range(n)
    )


def test_many_flows_stay_linear() -> None:
    """File facts are computed once per analysis, not once per flow: 3,000 small flows once
    took 13 s when they were recomputed per flow (quadratic)."""
    import time

    def cost(n: int) -> float:
        text = _many_flows(n)
        best = float("inf")
        for _ in range(2):
            t = time.process_time()
            analyze_text(text, "flows.py")
            best = min(best, time.process_time() - t)
        return best

    small, large = cost(200), cost(2000)
    assert large < 30 * small, (small, large)  # linear: ~10x; quadratic: ~100x


def _chain(n: int, typo_every: int = 0) -> str:
    """One flow of ``n`` linear steps, each reading what the one before assigned; every
    ``typo_every``-th transition misspelt."""
    out = ["from metaflow import FlowSpec, step\n\n\nclass ChainFlow(FlowSpec):\n"]
    for i in range(n):
        name = "start" if i == 0 else f"s{i}"
        nxt = "end" if i == n - 1 else f"s{i + 1}"
        if typo_every and i % typo_every == 0:
            nxt += "x"
        out.append(
            f"    @step\n    def {name}(self):\n        self.a{i} = self.a{max(i - 1, 0)}\n"
            f"        self.next(self.{nxt})\n\n"
        )
    out.append("    @step\n    def end(self):\n        print(self.zz)\n")
    return "".join(out)


def test_long_chain_does_not_crash_a_rule() -> None:
    """The split/join walk is Metaflow's recursion replayed with an explicit stack: a chain
    of 3,000 steps once hit Python's recursion limit (an MF000 from MF113)."""
    a = analyze_text(_chain(3000), "flow.py")
    assert [f.code for f in a.findings if f.code == "MF000"] == []


def test_long_loop_is_one_finding_not_a_crash() -> None:
    """MF111 replays Metaflow's ``check_path`` recursion with an explicit stack and one shared
    path: a 10,000-step loop once gave an MF000 RecursionError and ~1.3 GB of path copies."""
    import tracemalloc

    text = _chain(10_000).replace("self.next(self.end)", "self.next(self.s1)", 1)
    tracemalloc.start()
    try:
        a = analyze_text(text, "flow.py", settings=LintSettings(select=("MF111", "MF000")))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f.code for f in a.findings] == ["MF111"]
    assert a.findings[0].message.startswith("There is a loop in your flow: *s2->s3->")
    assert peak < 400 * 2**20, peak


def test_broken_transitions_keep_the_dataflow_linear() -> None:
    """A typo in every 7th transition: what a broken step hands on may reach any step, one
    fan-out per growth of that set, not one per broken step."""
    import time

    from metaflow_expert.knowledge.catalog import load_catalog

    catalog = load_catalog()  # MF203 needs it to tell FlowSpec's attributes apart

    def cost(n: int) -> float:
        text = _chain(n, typo_every=7)
        best = float("inf")
        for _ in range(2):
            t = time.process_time()
            a = analyze_text(
                text, "flow.py", settings=LintSettings(select=("MF203",)), catalog=catalog
            )
            best = min(best, time.process_time() - t)
        assert [f.line1 for f in a.findings] == [len(text.splitlines())]  # self.zz, only
        return best

    small, large = cost(300), cost(3000)
    assert large < 30 * small, (small, large)


BROKEN = """\
from metaflow import FlowSpec, step


class BrokenFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
        {middle}
        self.next(self.end)

    @step
    def end(self):
        {tail}
"""


def test_a_syntax_error_costs_its_statement_and_a_broken_tail_the_transition() -> None:
    """``broken_lines``: the broken statement's lines, plus the ``def`` line and the
    ``self.next`` calls of a step whose last statement is the broken one."""
    from metaflow_expert.lint.engine import broken_lines

    mid = analyze_text(BROKEN.format(middle="y = 1 2", tail="pass"), "flow.py").file
    assert [(i.span.start_line, i.extent.start_line) for i in mid.syntax_issues] == [(7, 7)]
    assert broken_lines(mid) == [(7, 7)]  # the tail is intact: ``def start`` keeps its findings
    swallowed = analyze_text(BROKEN.format(middle="y = (1,", tail="pass"), "flow.py").file
    assert broken_lines(swallowed) == [(5, 5), (7, 8)]  # the open ``(`` swallows the tail
    typed = BROKEN.replace("        self.next(self.end)\n", "", 1)
    tail = analyze_text(typed.format(middle="self.next(self.end, self.", tail="pass")).file
    assert broken_lines(tail) == [(5, 5), (7, 7)]  # ``def start``: its way on is unknown
    assert analyze_text(BROKEN.format(middle="pass", tail="pass"), "flow.py").findings == []
