"""MF202 (foreach variable), MF203 (artifact never assigned), MF205 (join reads/merges)."""

from __future__ import annotations

FOREACH = """
from metaflow import FlowSpec, step

class ForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.out = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.out for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.total)
"""


def test_mf202_foreach_variable_missing_with_hint(check):
    (f,) = check("MF202", FOREACH.replace('foreach="items"', 'foreach="itemz"'))
    assert "*self.itemz*" in f.message and "*items*" in f.message
    assert f.mirrors == "runtime:foreach"


def test_mf202_assigned_upstream_or_in_step(check):
    assert check("MF202", FOREACH) == []
    upstream = FOREACH.replace(
        """        self.items = [1, 2, 3]
        self.next(self.work, foreach="items")""",
        """        self.items = [1, 2, 3]
        self.next(self.mid)

    @step
    def mid(self):
        self.next(self.work, foreach="items")""",
    )
    assert check("MF202", upstream) == []


def test_mf203_read_never_assigned(check):
    (f,) = check("MF203", FOREACH.replace("print(self.total)", "print(self.totl)"))
    assert "*totl*" in f.message and "did you mean *total*" in f.message.lower()


def test_mf203_silent_for_assigned_parameters_and_flowspec_attrs(check):
    assert check("MF203", FOREACH) == []
    src = FOREACH.replace(
        "print(self.total)", "print(self.total, self.alpha, self.name, self.index)"
    )
    src = src.replace(
        "class ForeachFlow(FlowSpec):\n",
        "class ForeachFlow(FlowSpec):\n    alpha = Parameter('alpha', default=1)\n",
    )
    src = src.replace("import FlowSpec, step", "import FlowSpec, Parameter, step")
    assert check("MF203", src) == []


def test_mf203_artifact_only_on_other_branch_is_fine_in_join_inputs(check):
    src = """
from metaflow import FlowSpec, step

class SplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = 1
        self.next(self.join)

    @step
    def b(self):
        self.x = 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.best = max(inputs.a.x, inputs.b.y)
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    found = check("MF203", src)
    assert [f.message.split("*")[1] for f in found] == ["y"]


def test_mf203_skips_flows_with_unresolved_bases(check):
    src = FOREACH.replace("class ForeachFlow(FlowSpec):", "class ForeachFlow(SomeBase, FlowSpec):")
    src = src.replace("print(self.total)", "print(self.from_base)")
    assert check("MF203", src) == []


def test_mf203_needs_catalog(check):
    src = FOREACH.replace("print(self.total)", "print(self.totl)")
    assert check("MF203", src, use_catalog=False) == []


JOIN = """
from metaflow import FlowSpec, step

class JoinFlow(FlowSpec):
    @step
    def start(self):
        self.shared = 0
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = 1
        self.next(self.join)

    @step
    def b(self):
        self.x = 2
        self.next(self.join)

    @step
    def join(self, inputs):
        print(self.shared)
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_mf205_join_reads_without_merge(check):
    (f,) = check("MF205", JOIN)
    assert "*self.shared*" in f.message and "merge_artifacts" in f.message


def test_mf205_join_with_merge_and_conflict(check):
    src = JOIN.replace("print(self.shared)", "self.merge_artifacts(inputs)")
    (f,) = check("MF205", src)
    assert "*x*" in f.message and "more than one branch" in f.message


def test_mf205_merge_resolved_by_assignment_or_exclude(check):
    assigned = JOIN.replace(
        "print(self.shared)",
        "self.x = max(i.x for i in inputs)\n        self.merge_artifacts(inputs)",
    )
    assert check("MF205", assigned) == []
    excluded = JOIN.replace("print(self.shared)", 'self.merge_artifacts(inputs, exclude=["x"])')
    assert check("MF205", excluded) == []
    via_inputs = JOIN.replace("print(self.shared)", "print(inputs.a.shared)")
    assert check("MF205", via_inputs) == []


def test_mf203_attributes_set_by_helper_methods_count(check):
    src = """
from metaflow import FlowSpec, step

class HelperFlow(FlowSpec):
    def load(self):
        self.model = 1

    @step
    def start(self):
        self.load()
        self.next(self.end)

    @step
    def end(self):
        print(self.model, self.other)
"""
    assert [f.message.split("*")[1] for f in check("MF203", src)] == ["other"]


def test_mf203_dynamic_setattr_silences_rule(check):
    src = FOREACH.replace("print(self.total)", "print(self.totl)").replace(
        "self.items = [1, 2, 3]", "self.items = [1, 2, 3]\n        setattr(self, name, 1)"
    )
    assert check("MF203", src) == []


def test_mf205_same_constant_on_every_branch_is_no_conflict(check):
    src = JOIN.replace("self.x = 1", "self.x = 5").replace("self.x = 2", "self.x = 5")
    assert check("MF205", src.replace("print(self.shared)", "self.merge_artifacts(inputs)")) == []
    differ = JOIN.replace("self.x = 1", "self.x = 5").replace("self.x = 2", "self.x = 6")
    assert (
        len(check("MF205", differ.replace("print(self.shared)", "self.merge_artifacts(inputs)")))
        == 1
    )


def test_mf203_guarded_and_defaulted_reads_are_fine(check):
    guarded = FOREACH.replace(
        "print(self.total)", "if hasattr(self, 'extra'):\n            print(self.extra)"
    )
    assert check("MF203", guarded) == []
    defaulted = FOREACH.replace("print(self.total)", 'print(getattr(self, "extra", None))')
    assert check("MF203", defaulted) == []


LOST = """
from metaflow import FlowSpec, Parameter, step

class LostFlow(FlowSpec):
    alpha = Parameter("alpha", default=1)

    @step
    def start(self):
        self.model_name = "m"
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
        print(self.model_name, self.best, self.alpha)
"""


def test_mf217_artifact_lost_at_join(check):
    (f,) = check("MF217", LOST)
    assert "*model_name*" in f.message and "join step *join*" in f.message
    assert check("MF203", LOST) == []  # it was assigned: not MF203's business


def test_mf217_merged_or_reassigned_survives(check):
    merged = LOST.replace(
        "self.best = max(inp.score for inp in inputs)",
        "self.best = max(inp.score for inp in inputs)\n        self.merge_artifacts(inputs, exclude=['score'])",
    )
    assert check("MF217", merged) == []
    included = merged.replace("exclude=['score']", "include=['model_name']")
    assert check("MF217", included) == []
    wrong_include = merged.replace("exclude=['score']", "include=['best']")
    assert len(check("MF217", wrong_include)) == 1
    reassigned = LOST.replace(
        "self.best = max(inp.score for inp in inputs)",
        "self.best = max(inp.score for inp in inputs)\n        self.model_name = inputs.a.model_name",
    )
    assert check("MF217", reassigned) == []


def test_mf217_foreach_join(check):
    src = FOREACH.replace("print(self.total)", "print(self.total, self.items)")
    (f,) = check("MF217", src)
    assert "*items*" in f.message
