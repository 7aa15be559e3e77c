"""Issue 11, items 2, 3 and 9, each on a flow written here, with Metaflow's verdict where it runs.

- 2: a decorator imported from metaflow that the indexed Metaflow does not register is ONE
  warning (MF302) naming that Metaflow and how to point at another; MF116, MF216 and the
  dataflow rules do not reason about the step.
- 3: attributes a decorator sets (``@catch(var="x")``) are written, not missing.
- 9: a decorator nothing binds is MF219 (Python's NameError), with an import fix that works.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.model import Severity
from oracle.harness import run_metaflow


def lint(src: str, catalog):
    return analyze_text(textwrap.dedent(src), "flow.py", settings=LintSettings(), catalog=catalog)


def metaflow(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python flow.py --no-pylint <args>`` with the Metaflow of this interpreter."""
    return subprocess.run(
        [sys.executable, path.name, "--no-pylint", *args],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env={"METAFLOW_USER": "tester", "PATH": "/usr/bin:/bin", "HOME": str(path.parent)},
    )


GANG = """\
from metaflow import FlowSpec, step, current, {deco}


class GangFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @{deco}
    @step
    def train(self):
        print(current.parallel.node_index)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        print(self.trained)
"""


def test_unresolved_decorator_is_one_honest_warning(catalog):
    found = lint(GANG.format(deco="metaflow_ray"), catalog).findings
    assert [f.code for f in found] == ["MF302"]
    (f,) = found
    assert f.severity is Severity.WARNING
    assert f"Metaflow {catalog.version} at {catalog.root}" in f.message
    assert "metaflowExpert.interpreter" in f.message and "--python" in f.message
    # the same flow with a decorator Metaflow knows is parallel: only the real problem
    # (``self.trained`` is set nowhere) remains
    known = [f.code for f in lint(GANG.format(deco="parallel"), catalog).findings]
    assert known == ["MF203"]


def test_known_parallel_flow_checks_with_metaflow(tmp_path):
    path = tmp_path / "gang.py"
    path.write_text(GANG.format(deco="parallel").replace("print(self.trained)", "pass"))
    oracle = run_metaflow(str(path))
    assert oracle.import_error is None and oracle.warnings() == []


def test_unresolved_flow_decorator_silences_the_whole_flow(catalog):
    src = """\
    from metaflow import FlowSpec, step, current, acme_trigger

    @acme_trigger
    class F(FlowSpec):
        @step
        def start(self):
            print(current.trigger)
            self.next(self.end)

        @step
        def end(self):
            print(self.payload)
    """
    assert [f.code for f in lint(src, catalog).findings] == ["MF302"]


CATCH = """\
from metaflow import FlowSpec, catch, step


class CatchFlow(FlowSpec):
    @catch(var="compute_failed")
    @step
    def start(self):
        raise ValueError("boom")
        self.next(self.end)

    @step
    def end(self):
        print("caught", self.compute_failed)


if __name__ == "__main__":
    CatchFlow()
"""


def test_catch_var_is_an_artifact_metaflow_sets(catalog, tmp_path):
    assert lint(CATCH, catalog).findings == []
    # without var= nothing sets it: still reported
    bare = CATCH.replace('@catch(var="compute_failed")', "@catch")
    assert "MF203" in [f.code for f in lint(bare, catalog).findings]
    path = tmp_path / "catch_flow.py"
    path.write_text(CATCH)
    run = metaflow(path, "run")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "caught" in run.stdout + run.stderr


NO_IMPORT = """\
from metaflow import FlowSpec, step


class NoImportFlow(FlowSpec):
    @kubernetes(memory=1000)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NoImportFlow()
"""


def test_decorator_never_imported_is_a_name_error(catalog, tmp_path):
    (f,) = lint(NO_IMPORT, catalog).findings
    assert f.code == "MF219" and f.severity is Severity.ERROR
    assert f.message.startswith("name 'kubernetes' is not defined")
    path = tmp_path / "no_import.py"
    path.write_text(NO_IMPORT)
    verdict = metaflow(path, "check")
    assert verdict.returncode != 0
    assert "NameError: name 'kubernetes' is not defined" in verdict.stderr
    # the fix adds the import; the edited flow lints clean and Metaflow checks it
    assert f.fix is not None and f.fix.title == "Add `from metaflow import kubernetes`"
    (edit,) = f.fix.edits
    lines = NO_IMPORT.splitlines(keepends=True)
    fixed = "".join([*lines[: edit.span.start_line], edit.new_text, *lines[edit.span.start_line :]])
    assert lint(fixed, catalog).findings == []
    fixed_path = tmp_path / "fixed.py"
    fixed_path.write_text(fixed)
    oracle = run_metaflow(str(fixed_path))  # imports, and every lint.py check passes
    assert oracle.import_error is None and oracle.warnings() == []


@pytest.mark.parametrize(
    ("header", "decorator"),
    [
        ("from metaflow import FlowSpec, step\nfrom mylib import *\n", "@kubernetes"),
        ("from metaflow import FlowSpec, step\nkubernetes = print\n", "@kubernetes"),
        (
            "from metaflow import FlowSpec, step\n\ndef kubernetes(f):\n    return f\n",
            "@kubernetes",
        ),
        ("from metaflow import FlowSpec, step\nimport metaflow\n", "@metaflow.retry"),
        ("from metaflow import *\n", "@kubernetes"),
    ],
)
def test_bound_names_are_not_reported(catalog, header, decorator):
    src = NO_IMPORT.replace("from metaflow import FlowSpec, step\n", header).replace(
        "@kubernetes(memory=1000)", decorator
    )
    assert "MF219" not in [f.code for f in lint(src, catalog).findings]


def test_unbound_step_and_module_prefix(catalog):
    src = NO_IMPORT.replace(
        "from metaflow import FlowSpec, step\n", "from metaflow import FlowSpec\n"
    )
    src = src.replace("    @kubernetes(memory=1000)\n", "")  # the whole line: valid Python
    found = [f for f in lint(src, catalog).findings if f.code == "MF219"]
    assert [f.message.split(":")[0] for f in found] == ["name 'step' is not defined"] * 2
    assert (
        found[0].fix is not None and "from metaflow import step" in found[0].fix.edits[0].new_text
    )
    dotted = NO_IMPORT.replace("@kubernetes(memory=1000)", "@metaflow.retry")
    (g,) = [f for f in lint(dotted, catalog).findings if f.code == "MF219"]
    assert g.message.startswith("name 'metaflow' is not defined") and g.fix is None
