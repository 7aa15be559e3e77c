"""What we do not see costs only what depends on it (issue 11, items 2, 6, 8 and 10).

- a module of base classes (no ``__main__`` block, a class lacking start or end and sending a
  transition to a step it does not define) is completed by a subclass elsewhere: Metaflow
  never builds its graph, so the graph checks leave it alone; a flow being typed gets its
  errors back once it has start and end, or is named in a ``__main__`` block;
- a decorator the catalog cannot resolve may set anything, but only in its step and the steps
  after it: reads before it, or on other branches, are still checked;
- ``hasattr(self, "x")`` guards the reads of ``x`` in its own step (or everywhere, when the
  test sits in a helper method a step may call), not in every step of the file.

Metaflow is asked where it can answer: ``check`` on the subclass that completes the base, a
real run for the read another step's ``hasattr`` does not protect.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text


def lint(src: str, catalog) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    analysis = analyze_text(
        textwrap.dedent(src), "flow.py", settings=LintSettings(), catalog=catalog
    )
    return [(f.code, f.line1) for f in analysis.findings]


def line_of(src: str, needle: str) -> int:
    return next(i + 1 for i, ln in enumerate(textwrap.dedent(src).splitlines()) if needle in ln)


def metaflow(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python <path> --no-pylint <args>`` in the file's folder, with a private datastore."""
    home = path.parent
    return subprocess.run(
        [sys.executable, path.name, "--no-pylint", *args],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=180,
        env={
            "METAFLOW_USER": "tester",
            "USERNAME": "tester",
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "METAFLOW_DEFAULT_DATASTORE": "local",
            "METAFLOW_DEFAULT_METADATA": "local",
            "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(home / "datastore"),
        },
        stdin=subprocess.DEVNULL,
    )


# --- base classes completed in another module -------------------------------------------

BASE = """\
from metaflow import FlowSpec, Parameter, step


class PipelineBase(FlowSpec):
    rate = Parameter("rate", default=2)

    @step
    def start(self):
        self.seed = self.rate * 3
        self.next(self.train)

    @step
    def train(self):
        self.model = self.seed + 1
        self.next(self.end)
"""

SUBCLASS = """\
from metaflow import step

from pipeline_base import PipelineBase


class PipelineFlow(PipelineBase):
    @step
    def end(self):
        print(self.model)


if __name__ == "__main__":
    PipelineFlow()
"""


def test_base_module_gets_no_graph_findings(catalog) -> None:  # type: ignore[no-untyped-def]
    assert lint(BASE, catalog) == []


def test_base_completed_by_a_subclass_checks(tmp_path: Path) -> None:
    """Metaflow accepts the flow the base is written for."""
    (tmp_path / "pipeline_base.py").write_text(BASE)
    flow = tmp_path / "pipeline_flow.py"
    flow.write_text(SUBCLASS)
    result = metaflow(flow, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_run_in_its_own_file_is_checked(catalog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Named in a ``__main__`` block, the same class is a flow: Metaflow refuses it, and so
    do we, on the lines it names."""
    src = BASE + '\n\nif __name__ == "__main__":\n    PipelineBase()\n'
    found = lint(src, catalog)
    assert ("MF102", 4) in found
    assert ("MF110", line_of(src, "self.next(self.end)")) in found
    path = tmp_path / "base_run.py"
    path.write_text(src)
    result = metaflow(path, "check")
    assert result.returncode != 0 and "exactly one end step" in result.stdout + result.stderr


def test_new_flow_with_start_and_end_gets_its_errors(catalog) -> None:  # type: ignore[no-untyped-def]
    """No ``__main__`` block yet, but start and end: a flow being typed, checked in full."""
    src = BASE.replace("self.next(self.end)", "self.next(self.evaluate)") + (
        "\n    @step\n    def end(self):\n        print(self.model)\n"
    )
    assert ("MF110", line_of(src, "self.next(self.evaluate)")) in lint(src, catalog)


def test_base_without_start_gets_no_graph_findings(catalog) -> None:  # type: ignore[no-untyped-def]
    src = """\
    from metaflow import FlowSpec, step


    class Tail(FlowSpec):
        @step
        def report(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    """
    assert lint(src, catalog) == []


def test_artifact_typo_in_a_base_is_still_reported(catalog) -> None:  # type: ignore[no-untyped-def]
    """The dataflow rules keep judging the steps a base has: a flow being typed looks the
    same, and its typos must show."""
    src = BASE.replace("self.seed + 1", "self.sed + 1")
    assert lint(src, catalog) == [("MF203", line_of(src, "self.sed"))]


# --- an unresolved decorator costs its own step and the steps after it -------------------

UNRESOLVED = """\
from metaflow import FlowSpec, step, acme_tracker


class TrackedFlow(FlowSpec):
    @step
    def start(self):
        self.rows = [1, 2]
        print(self.rowz)
        self.next(self.plain, self.tracked)

    @step
    def plain(self):
        print(self.rows, self.colz)
        self.next(self.join)

    @acme_tracker
    @step
    def tracked(self):
        print(self.tracker_run)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        print(self.tracker_run, self.anything)
"""


def test_unresolved_decorator_leaves_other_steps_checked(catalog) -> None:  # type: ignore[no-untyped-def]
    found = lint(UNRESOLVED, catalog)
    assert found == [
        ("MF203", line_of(UNRESOLVED, "self.rowz")),  # before the decorated step
        ("MF203", line_of(UNRESOLVED, "self.colz")),  # on the other branch
        ("MF302", line_of(UNRESOLVED, "@acme_tracker")),
    ]


def test_unresolved_decorator_before_a_broken_edge_leaves_everything_unknown(catalog) -> None:  # type: ignore[no-untyped-def]
    """What a broken step hands on may reach any step; past an unresolved decorator that is
    unknown everywhere."""
    src = UNRESOLVED.replace(
        "def tracked(self):\n        print(self.tracker_run)\n        self.next(self.join)",
        "def tracked(self):\n        print(self.tracker_run)\n        self.next(self.jion)",
    )
    assert "self.jion" in src
    codes = {code for code, _ in lint(src, catalog)}
    assert "MF203" not in codes and "MF110" in codes


# --- hasattr guards its own step ---------------------------------------------------------

HASATTR = """\
from metaflow import FlowSpec, step


class GuardFlow(FlowSpec):
    @step
    def start(self):
        if hasattr(self, "extra"):
            print(self.extra)
        self.next(self.end)

    @step
    def end(self):
        print(self.extra)


if __name__ == "__main__":
    GuardFlow()
"""


def test_hasattr_guards_only_its_own_step(catalog) -> None:  # type: ignore[no-untyped-def]
    assert lint(HASATTR, catalog) == [("MF203", line_of(HASATTR, "def end") + 1)]


def test_hasattr_in_a_helper_guards_every_step(catalog) -> None:  # type: ignore[no-untyped-def]
    src = HASATTR.replace(
        "class GuardFlow(FlowSpec):\n",
        "class GuardFlow(FlowSpec):\n    def has_extra(self):\n"
        '        return hasattr(self, "extra")\n\n',
    ).replace(
        "    def end(self):\n        print(self.extra)",
        "    def end(self):\n        if self.has_extra():\n            print(self.extra)",
    )
    assert lint(src, catalog) == []


def test_unguarded_read_in_another_step_fails_the_run(tmp_path: Path) -> None:
    """Metaflow agrees: the ``hasattr`` in start does not protect the read in end."""
    path = tmp_path / "guard_flow.py"
    path.write_text(HASATTR)
    result = metaflow(path, "run")
    assert result.returncode != 0
    assert "AttributeError" in result.stdout + result.stderr


# --- a split under an unresolved decorator is not judged ---------------------------------

ROUTED = """\
from metaflow import FlowSpec, step, acme_router


class RoutedFlow(FlowSpec):
    @step
    def start(self):
        self.level = 3
        self.next(self.route)

    @acme_router
    @step
    def route(self):
        self.next(self.fast, self.slow)

    @step
    def fast(self):
        self.next(self.done)

    @step
    def slow(self):
        self.next(self.done)

    @step
    def done(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RoutedFlow()
"""


def test_split_under_unresolved_decorator_is_not_judged(catalog) -> None:  # type: ignore[no-untyped-def]
    """``@acme_router`` may make a switch of the split (as ``@condition`` does in later
    Metaflow versions): the unjoined branches are not an MF113 error, only MF302 speaks."""
    assert [code for code, _ in lint(ROUTED, catalog)] == ["MF302"]
    plain = ROUTED.replace(
        "from metaflow import FlowSpec, step, acme_router", "from metaflow import FlowSpec, step"
    ).replace("    @acme_router\n", "")
    assert [code for code, _ in lint(plain, catalog)] == ["MF113"]


def test_computed_decorator_name_costs_only_the_steps_after_it(catalog) -> None:  # type: ignore[no-untyped-def]
    """``@catch(var=FLAG)`` sets an attribute whose name the linter cannot read: reads after
    the step are unknown, the typo before it is still reported."""
    src = """\
    from metaflow import FlowSpec, catch, step

    FLAG = "train_failed"


    class CatchFlow(FlowSpec):
        @step
        def start(self):
            self.rows = [1, 2]
            print(self.rowz)
            self.next(self.train)

        @catch(var=FLAG)
        @step
        def train(self):
            self.next(self.end)

        @step
        def end(self):
            print(self.train_failed)
    """
    assert lint(src, catalog) == [("MF203", line_of(src, "self.rowz"))]
