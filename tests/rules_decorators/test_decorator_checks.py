"""MF305–MF311: decorator-time checks decided statically, with limits read from Metaflow."""

from __future__ import annotations

LINEAR = """
from metaflow import FlowSpec, step, retry, timeout, catch, parallel, kubernetes, batch, Config
{flowdecos}
class F(FlowSpec):
{attrs}
{decos}
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def make(decos: str = "", flowdecos: str = "", attrs: str = "") -> str:
    return LINEAR.format(decos=decos, flowdecos=flowdecos, attrs=attrs)


def test_retry_maximum_is_read_from_metaflow(check, catalog, cited):
    top = catalog.limits["retry.times.max"].value
    assert check("MF305", make(f"    @retry(times={top})")) == []
    (f,) = check("MF305", make(f"    @retry(times={top + 1})"))
    assert f"@retry(times={top})" in f.message
    cited(f, "MAX_ATTEMPTS")
    assert check("MF305", make(f'    @retry(times="{top + 5}")'))  # strings convert too
    assert check("MF305", make("    @retry(times=cfg.n)")) == []


def test_timeout_needs_a_duration(check, cited):
    for deco in ("    @timeout", "    @timeout()", '    @timeout(seconds=0, minutes="0")'):
        (f,) = check("MF306", make(deco))
        assert "@timeout" in f.message and "*minutes*" in f.message
        cited(f, "raise")
    assert check("MF306", make("    @timeout(minutes=5)")) == []
    assert check("MF306", make("    @timeout(**cfg.t)")) == []
    assert check("MF306", make("    @timeout(hours=cfg.h)")) == []


def test_trigger_and_exit_hook(check, cited):
    src = """
from metaflow import FlowSpec, step, trigger, trigger_on_finish, exit_hook
{deco}
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    (f,) = check("MF306", src.format(deco="@trigger"))
    assert "*event* or *events*" in f.message
    (f,) = check("MF306", src.format(deco="@trigger_on_finish(options={})"))
    assert "*flow* or *flows*" in f.message
    (f,) = check("MF306", src.format(deco="@exit_hook(options={})"))
    assert "*on_success* or *on_error*" in f.message
    cited(f, "raise")
    assert check("MF306", src.format(deco='@trigger(event="x")')) == []
    assert check("MF306", src.format(deco="@exit_hook(on_error=[f])")) == []

    (g,) = check("MF307", src.format(deco='@trigger(event="a", events=["b"])'))
    assert "*event* or *events*" in g.message
    cited(g, "raise")
    (g,) = check("MF307", src.format(deco='@trigger_on_finish(flow="A", flows=["B"])'))
    assert "*flow* or *flows*" in g.message
    assert check("MF307", src.format(deco='@trigger(events=["a", "b"])')) == []


FOREACH_SWITCH = """
from metaflow import FlowSpec, step, catch, parallel

class F(FlowSpec):
    @catch(var="e")
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @catch
    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.mode = "a"
        self.next(self.route)

    @parallel
    @catch
    @step
    def route(self):
        self.next({"a": self.a, "b": self.b}, condition="mode")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_catch_and_parallel_on_refused_step_types(check, cited):
    found = check("MF308", FOREACH_SWITCH)
    got = sorted((f.step, f.message.split(" ")[0]) for f in found)
    assert got == [("route", "@catch"), ("route", "@parallel"), ("start", "@catch")]
    for f in found:
        cited(f, "raise")


def test_kubernetes_with_batch(check, cited):
    (f,) = check("MF309", make("    @kubernetes\n    @batch"))
    assert "@kubernetes" in f.message and "@batch" in f.message
    cited(f, "raise")
    assert check("MF309", make("    @kubernetes")) == []


def test_project_name_rules(check, cited):
    src = """
from metaflow import FlowSpec, step, project
{deco}
class F(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
    (f,) = check("MF310", src.format(deco='@project(name="Fraud-Detection")'))
    assert "lowercase" in f.message
    cited(f, "VALID_NAME_RE")
    (f,) = check("MF310", src.format(deco=f'@project(name="{"a" * 200}")'))
    assert "maximum" in f.message
    cited(f, "VALID_NAME_LEN")
    assert check("MF310", src.format(deco="@project"))
    assert check("MF310", src.format(deco='@project(name="fraud_detection")')) == []
    assert check("MF310", src.format(deco="@project(**cfg.project)")) == []


def test_config_default_and_default_value(check, cited):
    attrs = '    cfg = Config("cfg", default="c.json", default_value={"a": 1})'
    (f,) = check("MF311", make(attrs=attrs))
    assert "'cfg'" in f.message
    cited(f, "class Config")
    assert check("MF311", make(attrs='    cfg = Config("cfg", default="c.json")')) == []


def test_silent_without_catalog(check):
    for code, src in (
        ("MF305", make("    @retry(times=99)")),
        ("MF306", make("    @timeout")),
        ("MF309", make("    @kubernetes\n    @batch")),
    ):
        assert check(code, src, use_catalog=False) == []
