"""Attributes an extension decorator sets through helpers it hands the flow to.

Why: real extensions keep their hooks thin. ``metaflow-pyspark``'s ``@spark`` passes
``self.attributes`` and the flow to module functions, and one of them does
``setattr(flow, attrs.get("output_artifact"), …)``; its ``@pyspark`` calls
``pyspark_wrapper(flow, step_func, **self.attributes)`` (imported inside the hook from a
sibling module), whose ``output_artifact`` parameter names the artifact. Reading only the
class's own methods called those artifacts "never set" (MF203). The package here is
synthetic, built per test, with the same shapes.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from metaflow_expert.knowledge.catalog import load_catalog
from metaflow_expert.knowledge.source import MetaflowSource, locate_source
from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text

INIT = """\
STEP_DECORATORS_DESC = [
    ("acme_job", ".job.JobDecorator"),
    ("acme_splat", ".splat.SplatDecorator"),
    ("acme_loose", ".loose.LooseDecorator"),
]
"""

JOB = '''\
import functools

from metaflow.decorators import StepDecorator


class JobDecorator(StepDecorator):
    """Runs a job and stores its result."""

    name = "acme_job"
    defaults = {"output": "job_df", "session_attr": None, "job": None}

    def task_decorate(self, step_func, flow, graph, retry_count, max_retries, ubf_context):
        return _wrapper(self.attributes, step_func, flow)


def _wrapper(attrs, step_func, flow):
    @functools.wraps(step_func)
    def job_step():
        _run(step_func, flow, attrs)

    return job_step


def _run(step_func, flow, attrs):
    session_attr = attrs.get("session_attr") or "session"
    setattr(flow, session_attr, object())
    _set_output(flow, attrs, 42)
    _log("done")
    step_func()


def _set_output(flow, attrs, value):
    artifact = attrs.get("output")
    if not artifact:
        return
    setattr(flow, artifact, value)


def _log(message, flow=None):
    setattr(flow, message.upper(), 1)  # never handed the flow: not followed
'''

SPLAT = '''\
from metaflow.decorators import StepDecorator


class SplatDecorator(StepDecorator):
    """Hands every argument on as keywords."""

    name = "acme_splat"
    defaults = {"result": "splat_out", "keep": True}

    def task_decorate(self, step_func, flow, graph, retry_count, max_retries, ubf_context):
        from .runner import run_wrapper

        return run_wrapper(flow, step_func, **self.attributes)
'''

RUNNER = """\
def run_wrapper(flow, step_func, result="splat_out", keep=True):
    def wrapped():
        step_func()
        setattr(flow, result, 1)

    return wrapped
"""

LOOSE = '''\
from metaflow.decorators import StepDecorator


class LooseDecorator(StepDecorator):
    """Sets a name nobody can tell from the source."""

    name = "acme_loose"
    defaults = {}

    def task_pre_step(self, step_name, task_datastore, metadata, run_id, task_id, flow, *rest):
        _put(flow, task_id)


def _put(flow, key):
    setattr(flow, "t_%s" % key, 1)
'''


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def catalog(tmp_path: Path):  # type: ignore[no-untyped-def]
    site = tmp_path / "site" / "metaflow_extensions"
    _write(site, "acme/plugins/__init__.py", INIT)
    _write(site, "acme/plugins/job.py", JOB)
    _write(site, "acme/plugins/splat.py", SPLAT)
    _write(site, "acme/plugins/runner.py", RUNNER)
    _write(site, "acme/plugins/loose.py", LOOSE)
    core = locate_source()
    source = MetaflowSource(core.root, core.version, "explicit", (site,))
    return load_catalog(source, cache_dir=tmp_path / "cache")


def test_helpers_the_flow_is_handed_to_are_read(catalog) -> None:  # type: ignore[no-untyped-def]
    job = catalog.step["acme_job"]
    # ``attrs.get("session_attr") or "session"``: the argument, else the literal
    assert (job.sets_attrs, job.var_args, job.sets_unknown) == (
        ["session"],
        ["output", "session_attr"],
        False,
    )
    splat = catalog.step["acme_splat"]  # ``**self.attributes`` into a sibling module
    assert (splat.sets_attrs, splat.var_args, splat.sets_unknown) == ([], ["result"], False)
    assert catalog.step["acme_loose"].sets_unknown  # a name computed in the helper


FLOW = """\
from metaflow import FlowSpec, step, acme_job, acme_splat


class JobFlow(FlowSpec):
    @acme_job(output="scores")
    @step
    def start(self):
        print(self.scores, self.session)
        self.next(self.middle)

    @acme_splat
    @step
    def middle(self):
        self.next(self.end)

    @step
    def end(self):
        print(self.scores, self.splat_out, self.job_df)


if __name__ == "__main__":
    JobFlow()
"""


def test_artifacts_set_by_helpers_are_not_missing(catalog) -> None:  # type: ignore[no-untyped-def]
    analysis = analyze_text(FLOW, "flow.py", settings=LintSettings(select=["MF2"]), catalog=catalog)
    # ``output="scores"`` replaces the default name: ``job_df`` is never set
    assert [(f.code, f.message.split("*")[1]) for f in analysis.findings] == [("MF203", "job_df")]
    renamed = FLOW.replace("@acme_splat\n", '@acme_splat(result="counts")\n')
    found = analyze_text(
        textwrap.dedent(renamed),
        "flow.py",
        settings=LintSettings(select=["MF203"]),
        catalog=catalog,
    ).findings
    assert sorted(f.message.split("*")[1] for f in found) == ["job_df", "splat_out"]
