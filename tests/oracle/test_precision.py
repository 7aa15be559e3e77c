"""What the MF1xx findings look like beyond "same check, same line": ranges, related places,
every occurrence, Metaflow's wording, and no crash where Metaflow's checker crashes."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import our_findings, run_metaflow

from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.rules import REGISTRY, load_all_rules

BROKEN = Path(__file__).parent.parent / "corpus" / "broken"


def lint(src: str) -> list:
    return list(analyze_text(textwrap.dedent(src)).findings)


def text_at(src: str, span) -> str:  # type: ignore[no-untyped-def]
    lines = textwrap.dedent(src).splitlines()
    assert span.start_line == span.end_line
    return lines[span.start_line][span.start_col : span.end_col]


def by_code(findings: list, code: str) -> list:
    return [f for f in findings if f.code == code]


HEAD = """
from metaflow import FlowSpec, step, parallel


class F(FlowSpec):
"""


def test_unknown_target_range_is_the_misspelled_name() -> None:
    src = (
        HEAD
        + """
    @step
    def start(self):
        self.next(self.trian)

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    )
    (f,) = by_code(lint(src), "MF110")
    assert text_at(src, f.span) == "trian"
    assert f.line1 == 9
    # Metaflow's sentence, then the step that was probably meant (MF201's hint, merged in)
    assert f.message == (
        "Step *start* specifies a self.next() transition to an unknown step, *trian*: "
        "did you mean *train*?"
    )


def test_every_unknown_target_is_reported_on_the_tail_line() -> None:
    src = (
        HEAD
        + """
    @step
    def start(self):
        self.next(
            self.a,
            self.bogus,
            self.other,
        )

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    )
    fs = by_code(lint(src), "MF110")
    assert sorted(f.message.split("*")[-2] for f in fs) == ["bogus", "other"]
    assert {f.line1 for f in fs} == {9}  # Metaflow's tail_next_lineno: the statement's line


def test_every_orphan_is_reported() -> None:
    fs = by_code(our_findings(BROKEN / "orphan_chain.py"), "MF112")
    assert sorted(f.step for f in fs) == ["old_one", "old_two"]


def test_unjoined_split_points_at_the_split() -> None:
    fs = by_code(our_findings(BROKEN / "split_reaches_end.py"), "MF113")
    (f,) = fs
    assert f.step == "end"
    assert [r.span.line1 for r in f.related] == [9]  # start's self.next(self.a, self.b)


def test_reserved_name_range_is_the_step_name() -> None:
    src = (
        HEAD
        + """
    @step
    def start(self):
        self.next(self.input)

    @step
    def input(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    )
    (f,) = by_code(lint(src), "MF101")
    assert text_at(src, f.span) == "input"


def test_foreach_into_join_is_named_not_crashed_on() -> None:
    """Metaflow's split/join check crashes (IndexError) on this shape; we name the mistake."""
    oracle = run_metaflow(str(BROKEN / "foreach_into_join.py"))
    assert any(r.check == "check_split_join_balance" for _, r in oracle.crashes())
    fs = our_findings(BROKEN / "foreach_into_join.py")
    assert [f.code for f in fs if f.code.startswith("MF1")] == ["MF115"]


def test_parallel_on_end_step_gets_a_clear_finding() -> None:
    fs = by_code(our_findings(BROKEN / "parallel_on_end.py"), "MF117")
    (f,) = fs
    assert f.step == "end" and "no self.next()" in f.message


def test_half_typed_file_does_not_crash_rules() -> None:
    src = (
        HEAD
        + """
    @step
    def start(self):
        self.next(self.

    @step
    def end(self
"""
    )
    fs = lint(src)
    assert all(f.code.startswith("MF") for f in fs)
    assert not [f for f in fs if "internal" in f.message.lower()]


def _norm(check: str, msg: str) -> str:
    if check == "check_unknown_transitions":
        # ours ends with the step probably meant instead of Metaflow's full stop
        # (issue 11: one diagnostic per typo, the did-you-mean in it); the words are Metaflow's
        return re.sub(r": did you mean \*[^*]*\*\?$", ".", msg)
    if check == "check_split_join_balance":
        # Metaflow joins a set: the order of the branch names is arbitrary.
        return re.sub(
            r"\*[^*]*\*",
            lambda m: "*" + ", ".join(sorted(m.group(0).strip("*").split(", "))) + "*",
            msg,
        )
    return msg


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.py")), ids=lambda p: p.name)
def test_messages_are_metaflows(path: Path) -> None:
    """Users recognise the findings from `python flow.py check`: same words."""
    oracle = run_metaflow(str(path))
    if oracle.import_error:
        pytest.skip("import-time case")
    ours = our_findings(path)
    for flow, r in oracle.warnings():
        cands = [
            _norm(r.check, f.message)
            for f in ours
            if f.mirrors == r.check and f.flow == flow and (not r.lineno or f.line1 == r.lineno)
        ]
        assert _norm(r.check, r.message) in cands, (r.check, r.message, cands)


def test_rule_docs_follow_ruffs_shape() -> None:
    load_all_rules()
    for code, r in REGISTRY.items():
        if not code.startswith("MF1"):
            continue
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
            assert heading in r.doc, (code, heading)
        assert f"`{r.mirrors}`" in r.doc, code


def test_typing_a_transition_does_not_orphan_the_flow() -> None:
    """Mid-keystroke (`self.next(self.a, self.`) the syntax error is reported, not a cascade."""
    src = (Path(__file__).parent.parent / "corpus" / "valid" / "branch.py").read_text()
    half = src.replace("self.next(self.a, self.b)", "self.next(self.a, self.")
    codes = {f.code for f in analyze_text(half).findings}
    assert not codes & {"MF104", "MF111", "MF112", "MF113"}, codes


def _apply(text: str, fix) -> str:  # type: ignore[no-untyped-def]
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    for e in sorted(fix.edits, key=lambda e: (e.span.start_line, e.span.start_col), reverse=True):
        a = offsets[e.span.start_line] + e.span.start_col
        b = offsets[e.span.end_line] + e.span.end_col
        text = text[:a] + e.new_text + text[b:]
    return text


@pytest.mark.parametrize(
    ("name", "code"), [("end_has_next.py", "MF105"), ("missing_self.py", "MF107")]
)
def test_quick_fix_removes_the_finding(name: str, code: str) -> None:
    text = (BROKEN / name).read_text()
    (f,) = [f for f in analyze_text(text).findings if f.code == code and f.fix]
    fixed = _apply(text, f.fix)
    compile(fixed, name, "exec")
    assert code not in {g.code for g in analyze_text(fixed).findings}


def test_end_next_fix_keeps_a_body() -> None:
    src = (
        HEAD
        + """
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.next(self.start)
"""
    )
    text = textwrap.dedent(src)
    (f,) = [f for f in analyze_text(text).findings if f.code == "MF105"]
    fixed = _apply(text, f.fix)
    assert fixed.rstrip().endswith("def end(self):\n        pass")
    compile(fixed, "x.py", "exec")


def test_nested_foreach_setting_enables_mf119() -> None:
    from metaflow_expert.lint.config import LintSettings

    path = Path(__file__).parent.parent / "corpus" / "valid" / "nested_foreach.py"
    text = path.read_text()
    assert "MF119" not in {f.code for f in analyze_text(text).findings}
    on = analyze_text(text, settings=LintSettings(nested_foreach=True)).findings
    (f,) = [f for f in on if f.code == "MF119"]
    assert f.step == "per_model" and f.line1 == 13


def test_base_from_another_module_keeps_per_step_rules(tmp_path: Path) -> None:
    """Steps inherited from an imported base are invisible, so graph rules stay silent; what a
    step says about itself (its name, its arguments, its transition's form) is still checked,
    and agrees with Metaflow."""
    from harness import compare

    (tmp_path / "shared_base.py").write_text(
        textwrap.dedent(
            """
            from metaflow import FlowSpec, step


            class SharedBase(FlowSpec):
                @step
                def start(self):
                    self.next(self.process)

                @step
                def end(self):
                    pass
            """
        )
    )
    child = tmp_path / "child_flow.py"
    child.write_text(
        textwrap.dedent(
            """
            from metaflow import step
            from shared_base import SharedBase


            class ChildFlow(SharedBase):
                @step
                def process(self):
                    self.next(self.finalStep)

                @step
                def finalStep():
                    self.next(self.end)


            if __name__ == "__main__":
                ChildFlow()
            """
        )
    )
    oracle = run_metaflow(str(child))
    assert {r.check for _, r in oracle.warnings()} == {"check_step_names", "check_num_args"}
    ours = our_findings(child)
    assert {f.code for f in ours if f.code.startswith("MF1")} == {"MF106", "MF107"}
    assert compare(oracle, ours).ok
