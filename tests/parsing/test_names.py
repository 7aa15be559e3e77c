"""Imports and alias resolution: decorators and bases mean what Python would bind them to."""

from __future__ import annotations

from .helpers import flow, parse


def test_import_forms_are_recorded() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec as F, step, batch as b
        import metaflow
        import metaflow as mf
        import os.path
        from metaflow.decorators import step as s2
        from metaflow import *
        """
    )
    imp = ff.imports
    assert (imp["F"].module, imp["F"].name) == ("metaflow", "FlowSpec")
    assert (imp["b"].module, imp["b"].name) == ("metaflow", "batch")
    assert (imp["metaflow"].module, imp["metaflow"].name) == ("metaflow", None)
    assert (imp["mf"].module, imp["mf"].name) == ("metaflow", None)
    assert (imp["os"].module, imp["os"].name) == ("os", None)
    assert (imp["s2"].module, imp["s2"].name) == ("metaflow.decorators", "step")
    assert imp["*metaflow"].local == "*"
    assert imp["F"].span.start_line == 0


def test_aliased_decorators_resolve_to_metaflow_names() -> None:
    f = flow(
        """
        from metaflow import FlowSpec as F, step, batch as b
        import metaflow as mf
        import metaflow

        class X(F):
            @b(cpu=2)
            @mf.retry
            @metaflow.card(type="blank")
            @my_deco
            @step
            def start(self):
                self.next(self.end)

            @mf.step
            def end(self):
                pass
        """
    )
    decos = f.steps["start"].decorators
    assert [(d.name, d.written, d.from_metaflow) for d in decos] == [
        ("batch", "b", True),
        ("retry", "mf.retry", True),
        ("card", "metaflow.card", True),
        ("my_deco", "my_deco", False),
        ("step", "step", True),
    ]
    assert f.steps["start"].step_decorator_index == 4
    assert f.steps["end"].step_decorator.written == "mf.step"


def test_decorator_from_elsewhere_is_not_metaflow() -> None:
    f = flow(
        """
        from metaflow import FlowSpec, step
        from mylib import retry

        class X(FlowSpec):
            @retry
            @step
            def start(self):
                pass
        """
    )
    d = f.steps["start"].decorators[0]
    assert (d.name, d.from_metaflow) == ("retry", False)


def test_unimported_names_keep_their_spelling() -> None:
    """Half-typed file: no import yet. Steps are still found; nothing claims to be Metaflow's."""
    f = flow(
        """
        class X(FlowSpec):
            @batch
            @step
            def start(self):
                self.next(self.end)
            @step
            def end(self):
                pass
        """
    )
    assert list(f.steps) == ["start", "end"]
    d = f.steps["start"].decorators[0]
    assert (d.name, d.written, d.from_metaflow) == ("batch", "batch", False)


def test_step_imported_from_elsewhere_is_not_a_step() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec
        from mylib import step

        class X(FlowSpec):
            @step
            def start(self):
                pass
        """
    )
    assert ff.flows[0].steps == {}
    assert "start" in ff.flows[0].non_step_methods


def test_star_import_makes_names_metaflow() -> None:
    f = flow(
        """
        from metaflow import *

        class X(FlowSpec):
            @retry
            @step
            def start(self):
                pass
        """
    )
    assert f.steps["start"].decorators[0].from_metaflow


def test_decorator_args() -> None:
    f = flow(
        """
        from metaflow import FlowSpec, step, batch, resources

        class X(FlowSpec):
            @batch(cpu=2, memory=MEM, image="a" "b", **cfg)
            @resources
            @step()
            def start(self):
                pass
        """
    )
    batch, res, st = f.steps["start"].decorators
    assert batch.has_call and not res.has_call and st.has_call
    cpu, mem, image, star = batch.args
    assert (cpu.name, cpu.value, cpu.source) == ("cpu", 2, "2")
    assert mem.name == "memory" and not mem.is_literal and mem.source == "MEM"
    assert image.value == "ab"
    assert star.star == "**" and star.source == "cfg" and batch.has_unpacked_args
    assert batch.kwarg("cpu") is cpu
    assert res.args == () and res.args_span is None
    assert st.args == ()
