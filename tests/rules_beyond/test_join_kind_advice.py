"""Advice about joins fits the join's kind: a foreach's (or a gang's) inputs are one per
task and must be iterated, a branch join's are named by the step each branch ends in, and
where a switch's cases meet (or a switch loops on itself) there is no join at all. Each
flow is written here; where the advice is "do X", Metaflow's verdict comes from a real run
of the flow with X done."""

from __future__ import annotations

from pathlib import Path

from .test_precision_dataflow import codes, metaflow

FOREACH_LOST = """
from metaflow import FlowSpec, step


class ForeachLostFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.score = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(inp.score for inp in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.total, self.score)


if __name__ == "__main__":
    ForeachLostFlow()
"""

BRANCH_LOST = """
from metaflow import FlowSpec, step


class BranchLostFlow(FlowSpec):
    @step
    def start(self):
        self.model = "m"
        self.next(self.a, self.b)

    @step
    def a(self):
        self.score = 1
        self.next(self.join)

    @step
    def b(self):
        self.score = 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.best = max(inp.score for inp in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.best, self.score, self.model)


if __name__ == "__main__":
    BranchLostFlow()
"""

GANG_READ = """
from metaflow import FlowSpec, parallel, step


class GangFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.loss = 1.0
        self.next(self.join)

    @step
    def join(self, inputs):
        print(self.loss)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    GangFlow()
"""

SWITCH_MEET = """
from metaflow import FlowSpec, step


class SwitchMeetFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "fast"
        self.next({"fast": self.fast, "slow": self.slow}, condition="mode")

    @step
    def fast(self):
        self.score = 1
        self.next(self.after)

    @step
    def slow(self):
        self.score = 2
        self.next(self.after)

    @step
    def after(self):
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.score)


if __name__ == "__main__":
    SwitchMeetFlow()
"""

RECURSION = """
from metaflow import FlowSpec, step


class LoopFlow(FlowSpec):
    @step
    def start(self):
        self.n = 0
        self.next(self.loop)

    @step
    def loop(self):
        self.merge_artifacts(inputs)
        self.n += 1
        self.done = "yes" if self.n >= 2 else "no"
        self.next({"no": self.loop, "yes": self.end}, condition="done")

    @step
    def end(self):
        print(self.n)


if __name__ == "__main__":
    LoopFlow()
"""


def _messages(src: str, code: str, catalog) -> list[str]:  # type: ignore[no-untyped-def]
    return [m for c, _, m in codes(src, catalog) if c == code]


# --- reading an artifact in the join (MF205) --------------------------------------------


def test_branch_join_names_the_branches(catalog) -> None:  # type: ignore[no-untyped-def]
    src = BRANCH_LOST.replace(
        "self.best = max(inp.score for inp in inputs)", "self.best = self.score"
    )
    (msg,) = _messages(src, "MF205", catalog)
    assert "*inputs.a.score* or *inputs.b.score*" in msg
    assert "inp.score" not in msg


def test_gang_join_iterates_like_a_foreach(catalog) -> None:  # type: ignore[no-untyped-def]
    (msg,) = _messages(GANG_READ, "MF205", catalog)
    assert "read *inp.loss* for each *inp* in *inputs*" in msg
    assert "inputs.<branch>" not in msg and "inputs.train" not in msg


# --- an artifact lost at the join (MF217) -----------------------------------------------


def test_foreach_join_loses_a_per_task_value(catalog) -> None:  # type: ignore[no-untyped-def]
    (msg,) = _messages(FOREACH_LOST, "MF217", catalog)
    assert "*self.score = [inp.score for inp in inputs]*" in msg
    assert "merge_artifacts(inputs))" not in msg  # merging would fail: values differ


def test_branch_join_loses_a_value_set_on_both_branches(catalog) -> None:  # type: ignore[no-untyped-def]
    msgs = _messages(BRANCH_LOST, "MF217", catalog)
    (score,) = [m for m in msgs if "*score*" in m]
    assert "*inputs.a.score* or *inputs.b.score*" in score
    # set before the split: the same in every branch, so merging it is the advice
    (model,) = [m for m in msgs if "*model*" in m]
    assert "self.merge_artifacts(inputs)" in model


def test_the_advised_foreach_join_runs(tmp_path: Path) -> None:
    """Metaflow's verdict: the flow as written fails, the advice applied runs."""
    (tmp_path / "lost").mkdir()
    (tmp_path / "fixed").mkdir()
    lost = metaflow(tmp_path / "lost", FOREACH_LOST, "run")
    assert lost.returncode != 0
    fixed_src = FOREACH_LOST.replace(
        "self.total = sum(inp.score for inp in inputs)",
        "self.total = sum(inp.score for inp in inputs)\n"
        "        self.score = [inp.score for inp in inputs]",
    )
    merged_src = FOREACH_LOST.replace(
        "self.total = sum(inp.score for inp in inputs)",
        "self.total = sum(inp.score for inp in inputs)\n        self.merge_artifacts(inputs)",
    )
    fixed = metaflow(tmp_path / "fixed", fixed_src, "run")
    assert fixed.returncode == 0, fixed.stdout[-2000:] + fixed.stderr[-2000:]
    (tmp_path / "merged").mkdir()
    merged = metaflow(tmp_path / "merged", merged_src, "run")
    assert merged.returncode != 0  # the advice MF217 no longer gives would have failed


# --- merge_artifacts where no join is (MF210) and names no one assigns (MF215) ----------


def test_switch_meeting_point_is_not_told_to_take_inputs(catalog) -> None:  # type: ignore[no-untyped-def]
    (msg,) = _messages(SWITCH_MEET, "MF210", catalog)
    assert "takes no `inputs` argument" not in msg
    assert "the cases of the switch in *start* meet here" in msg


def test_recursive_switch_is_not_told_to_take_inputs(catalog) -> None:  # type: ignore[no-untyped-def]
    (msg,) = _messages(RECURSION, "MF210", catalog)
    assert "takes no `inputs` argument" not in msg
    assert "its switch loops back to it" in msg


def test_switch_meeting_point_reads_self_directly(tmp_path: Path) -> None:
    """Metaflow's verdict: merging there fails; reading ``self.score`` as advised runs."""
    (tmp_path / "merge").mkdir()
    (tmp_path / "read").mkdir()
    merge = metaflow(tmp_path / "merge", SWITCH_MEET, "run")
    assert merge.returncode != 0
    read_src = SWITCH_MEET.replace("self.merge_artifacts(inputs)", "print(self.score)")
    read = metaflow(tmp_path / "read", read_src, "run")
    assert read.returncode == 0, read.stdout[-2000:] + read.stderr[-2000:]


def test_include_in_a_foreach_join_speaks_of_the_foreach(catalog) -> None:  # type: ignore[no-untyped-def]
    src = FOREACH_LOST.replace(
        "self.total = sum(inp.score for inp in inputs)",
        "self.total = sum(inp.score for inp in inputs)\n"
        "        self.merge_artifacts(inputs, include=['scores'])",
    )
    (msg,) = _messages(src, "MF215", catalog)
    assert "branch" not in msg and "no step of the foreach" in msg


def test_no_inputs_fix_where_a_switch_meets_or_loops(catalog) -> None:  # type: ignore[no-untyped-def]
    """The derived "add an `inputs` argument to join step" fix belongs to branch and foreach
    joins only; where a switch's cases meet it would make a join without a split."""
    import textwrap

    from metaflow_expert.explain.fixes import derived_fixes
    from metaflow_expert.lint.engine import analyze_text

    def titles(src: str) -> list[str]:
        analysis = analyze_text(textwrap.dedent(src), "flow.py", catalog=catalog)
        flow = analysis.file.flows[0]
        found = derived_fixes(analysis.file, flow, analysis.graphs.get(flow.name))
        return [fix.title for _, fix in found]

    meet = SWITCH_MEET.replace("self.merge_artifacts(inputs)", "print(self.score)")
    assert not any("inputs" in t for t in titles(meet))
    branch = BRANCH_LOST.replace("def join(self, inputs)", "def join(self)")
    assert "Add an `inputs` argument to join step 'join'" in titles(branch)


def test_unknown_input_read_in_a_foreach_join_speaks_of_the_foreach(catalog) -> None:  # type: ignore[no-untyped-def]
    src = FOREACH_LOST.replace("sum(inp.score for", "sum(inp.scores for")
    (msg,) = [m for m in _messages(src, "MF203", catalog) if "*scores*" in m]
    assert "the way into the foreach" in msg and "branch" not in msg
    branch = BRANCH_LOST.replace("max(inp.score for", "max(inp.scores for")
    (msg,) = [m for m in _messages(branch, "MF203", catalog) if "*scores*" in m]
    assert "any incoming branch" in msg
