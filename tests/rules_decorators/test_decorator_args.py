"""MF301 unknown argument, MF302 unknown decorator, MF303 duplicate flow decorator, MF304 values."""

from __future__ import annotations


def flow(
    decos: str, body: str = "pass", imports: str = "batch, kubernetes, retry, resources"
) -> str:
    return f"""
from metaflow import FlowSpec, step, {imports}

class F(FlowSpec):
{decos}
    @step
    def start(self):
        {body}
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_unknown_argument_did_you_mean_and_fix(check, cited):
    src = flow("    @batch(memroy=16000)")
    (f,) = check("MF301", src)
    assert "'memroy'" in f.message and "Did you mean *memory*?" in f.message
    assert f.fix is not None and f.fix.edits[0].new_text == "memory"
    assert (
        f.span.start_line == 4
        and src.splitlines()[4][f.span.start_col : f.span.end_col] == "memroy"
    )
    cited(f, "raise")


def test_known_arguments_and_aliases_pass(check):
    src = flow("    @retry(times=2, minutes_between_retries=1)\n    @resources(memory=1000, cpu=2)")
    assert check("MF301", src) == []
    aliased = """
from metaflow import FlowSpec, step
from metaflow import batch as b
import metaflow

class F(FlowSpec):
    @b(memroy=1)
    @metaflow.retry(tiems=2)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    found = sorted(f.message for f in check("MF301", aliased))
    assert len(found) == 2 and "'memroy'" in found[0] and "'tiems'" in found[1]


def test_no_catalog_no_findings(check):
    assert check("MF301", flow("    @batch(memroy=16000)"), use_catalog=False) == []


def test_unpacked_config_is_never_an_error(check):
    src = flow("    @kubernetes(**cfg.k8s)", imports="kubernetes, Config")
    assert check("MF301", src) == []
    assert check("MF304", src) == []


def test_user_decorators_are_not_checked(check):
    src = """
from metaflow import FlowSpec, step
from mylib import batch

class F(FlowSpec):
    @batch(memroy=1)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    assert check("MF301", src) == []
    assert check("MF302", src) == []


def test_unknown_metaflow_decorator(check):
    src = flow("    @retyr(times=2)", imports="retyr")
    (f,) = check("MF302", src)
    assert "@retyr" in f.message and "Did you mean *@retry*?" in f.message
    assert f.fix is not None and f.fix.edits[0].new_text == "retry"
    dotted = """
import metaflow
from metaflow import FlowSpec, step

@metaflow.shedule(daily=True)
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    (g,) = check("MF302", dotted)
    assert "*@schedule*" in g.message


def test_real_decorators_are_known(check, catalog):
    names = ", ".join(sorted(catalog.step))
    decos = "\n".join(
        f"    @{n}" for n in sorted(catalog.step) if n not in ("parallel", "pytorch_parallel")
    )
    assert check("MF302", flow(decos, imports=names)) == []


def test_duplicate_flow_decorator(check, cited):
    src = """
from metaflow import FlowSpec, step, schedule, exit_hook

@schedule(daily=True)
@schedule(hourly=True)
@exit_hook(on_success=["a"])
@exit_hook(on_error=["b"])
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    (f,) = check("MF303", src)  # exit_hook allows several (allow_multiple = True)
    assert "@schedule" in f.message
    cited(f, "allow_multiple")


def test_unconvertible_values(check, cited):
    src = flow('    @kubernetes(memory="16GB", gpu=0.5, cpu="2")\n    @retry(times="three")')
    found = {f.message.split("(")[1].split("=")[0]: f for f in check("MF304", src)}
    assert set(found) == {"memory", "gpu", "times"}
    cited(found["memory"], "float(self.attributes[attr])")
    cited(found["gpu"], "is_integer")
    cited(found["times"], 'int(self.attributes["times"])')


def test_metaflow_string_defaults_are_fine(check):
    src = flow('    @retry(times="3")\n    @kubernetes(memory="4096", gpu="1", cpu=0.5)')
    assert check("MF304", src) == []


def test_suggestion_prefers_closest_spelling(check):
    (f,) = check("MF301", flow("    @retry(tries=2)"))
    assert "Did you mean *times*?" in f.message


def test_top_level_plugins_are_known(check, catalog):
    assert "package_sources" in catalog.toplevel_plugins
    src = """
from metaflow import FlowSpec, step, package_sources

@package_sources(["src"])
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    assert check("MF302", src) == []


def test_positional_arguments(check, cited):
    (f,) = check("MF312", flow("    @retry(3)"))
    assert "keyword arguments only" in f.message and "(got 3)" in f.message
    cited(f, "def _base_step_decorator")
    src = """
from metaflow import FlowSpec, step, project

@project("fraud")
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    (g,) = check("MF312", src)
    cited(g, "def _base_flow_decorator")
    assert check("MF312", flow("    @retry(times=3)")) == []
    assert check("MF312", flow("    @retry(*args)")) == []


def test_duplicate_flow_decorator_inherited(check):
    src = """
from metaflow import FlowSpec, step, project

@project(name="a")
class Base(FlowSpec):
    pass

@project(name="b")
class Child(Base):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    (f,) = check("MF303", src)
    assert "inherited from *Base*" in f.message and f.flow == "Child"
