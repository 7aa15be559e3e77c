"""Signature help for decorators, ``self.next`` and ``Parameter``/``Config`` (issue 14, item 6):
arguments and defaults come from the installed Metaflow, the active one follows the cursor."""

from __future__ import annotations

import pytest

from metaflow_expert.explain import signature
from metaflow_expert.parsing import parse_flow_file

FLOW = """from metaflow import Config, FlowSpec, Parameter, batch, step


class F(FlowSpec):
    alpha = Parameter("alpha", default=0.5)
    cfg = Config("cfg", default="c.json")

    @batch(cpu=4, memory=1000)
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.end, foreach="items")

    @step
    def end(self):
        pass
"""


@pytest.fixture(scope="module")
def catalog():
    from metaflow_expert.knowledge.catalog import load_catalog

    return load_catalog()


def _at(needle: str, catalog) -> signature.Signature | None:
    m = parse_flow_file(FLOW, "<memory>")
    idx = FLOW.index(needle) + len(needle)
    line = FLOW.count("\n", 0, idx)
    col = idx - (FLOW.rfind("\n", 0, idx) + 1)
    return signature.signature_at(m, line, col, catalog)


def _active(sig: signature.Signature) -> str:
    assert sig.active is not None
    return sig.params[sig.active].label


def test_decorator_arguments_with_the_sources_defaults(catalog):
    sig = _at("@batch(cpu=4, mem", catalog)
    assert sig is not None and sig.label.startswith("@batch(cpu=")
    spec = catalog.step["batch"]
    assert [p.label for p in sig.params] == [f"{a.name}={a.shown_default}" for a in spec.args]
    assert _active(sig).startswith("memory=")
    assert all(p.label in sig.label for p in sig.params)


def test_self_next_targets_then_keywords(catalog):
    sig = _at("self.next(self.e", catalog)
    assert sig is not None
    assert [p.label for p in sig.params] == [
        "*steps",
        "foreach=None",
        "condition=None",
        "num_parallel=None",
    ]
    assert _active(sig) == "*steps"
    assert _active(_at('self.next(self.end, foreach="it', catalog)) == "foreach=None"
    # without a catalog, self.next still has its shape
    assert _at("self.next(self.e", None) is not None


def test_parameter_and_config_from_the_api_signatures(catalog):
    sig = _at('Parameter("alpha", def', catalog)
    assert sig is not None and sig.label.startswith("Parameter(name")
    assert _active(sig).startswith("default")
    sig = _at('Config("cfg", ', catalog)
    assert sig is not None and sig.label.startswith("Config(name")
    assert _active(sig).startswith("default")


def test_nothing_outside_a_known_call(catalog):
    assert _at("self.items = [1", catalog) is None
