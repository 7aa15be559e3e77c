"""Flow classes: however FlowSpec is imported, through in-file bases and mixins."""

from __future__ import annotations

from .helpers import flow, parse, text_at


def test_flowspec_spellings() -> None:
    ff = parse(
        """
        import metaflow as mf
        import metaflow
        from metaflow import FlowSpec as F, step

        class A(F):
            pass
        class B(mf.FlowSpec):
            pass
        class C(metaflow.FlowSpec):
            pass
        class NotAFlow(object):
            pass
        """
    )
    assert [f.name for f in ff.flows] == ["A", "B", "C"]
    assert "NotAFlow" in ff.other_classes


def test_inheritance_mixins_and_overrides() -> None:
    src = """
        from metaflow import FlowSpec, step, Parameter, IncludeFile, Config, project
        import metaflow as mf

        class StepsMixin:
            extra = 1

            @step
            def middle(self):
                self.next(self.end)

        class Base(FlowSpec):
            alpha = Parameter("alpha", default=0.1)
            data = IncludeFile("data", is_text=True)

            @step
            def start(self):
                self.next(self.middle)

            @step
            def end(self):
                pass

            def helper(self):
                return 1

        @project(name="demo")
        class Child(StepsMixin, Base):
            '''The child flow.'''
            cfg = mf.Config("cfg", default="c.json")
            alpha = Parameter(name="alpha2")

            @step
            def end(self):
                pass

            @step
            def end(self):
                '''Second definition wins.'''
                pass
        """
    ff = parse(src)
    base, child = ff.flows
    assert [f.name for f in ff.flows] == ["Base", "Child"]
    assert not base.is_leaf and child.is_leaf
    assert child.bases == ["StepsMixin", "Base"]
    assert list(child.steps) == ["middle", "start", "end"]
    assert child.steps["middle"].defined_in == "StepsMixin"
    assert child.steps["start"].defined_in == "Base"
    assert child.steps["end"].defined_in == "Child"
    assert child.steps["end"].docstring == "Second definition wins."
    assert child.own_step_names == ["end"]
    assert child.docstring == "The child flow."
    params = {p.attr: p for p in child.parameters}
    assert sorted(params) == ["alpha", "cfg", "data"]
    assert params["alpha"].param_name == "alpha2" and params["alpha"].defined_in == "Child"
    assert params["data"].kind == "IncludeFile" and params["data"].defined_in == "Base"
    assert params["cfg"].kind == "Config" and params["cfg"].kwarg("default").value == "c.json"
    assert set(child.class_attributes) == {"extra", "alpha", "data", "cfg"}
    assert set(child.non_step_methods) == {"helper"}
    assert [d.name for d in child.decorators] == ["project"]
    assert child.decorators[0].kwarg("name").value == "demo"
    assert text_at(ff, child.name_span) == "Child"
    assert child.unresolved_bases == []
    assert "StepsMixin" in ff.other_classes


def test_unresolved_base_with_steps_is_a_flow() -> None:
    ff = parse(
        """
        from metaflow import step
        from elsewhere import BaseFlow

        class Mine(BaseFlow):
            @step
            def start(self):
                self.next(self.end)

        class Helper(BaseFlow):
            pass
        """
    )
    assert [f.name for f in ff.flows] == ["Mine"]
    assert ff.flows[0].unresolved_bases == ["BaseFlow"]


def test_misplaced_step_decorators() -> None:
    f = flow(
        """
        from metaflow import FlowSpec, step, retry, batch

        class X(FlowSpec):
            @retry
            def helper(self):
                pass

            @property
            def prop(self):
                return 1

            @batch
            @step
            def start(self):
                pass
        """
    )
    assert [d.name for d in f.misplaced_step_decorators] == ["retry"]


def test_parameter_spans() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec, Parameter as P

        class X(FlowSpec):
            lr = P("lr", default=0.1, help="learning rate")
        """
    )
    (p,) = ff.flows[0].parameters
    assert (p.attr, p.kind, p.param_name) == ("lr", "Parameter", "lr")
    assert text_at(ff, p.attr_span) == "lr"
    assert text_at(ff, p.span).startswith('lr = P("lr"')
    assert [a.name for a in p.args] == [None, "default", "help"]


def test_cyclic_bases_do_not_hang() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec, step
        class A(B):
            @step
            def start(self):
                pass
        class B(A, FlowSpec):
            pass
        """
    )
    assert {f.name for f in ff.flows} == {"A", "B"}


def test_linearization_matches_python_mro() -> None:
    """C3 over in-file classes equals Python's own MRO on random consistent hierarchies."""
    import random

    from metaflow_expert.parsing import classes as cl

    rng = random.Random(5)
    checked = 0
    for _ in range(300):
        n = rng.randrange(2, 9)
        bases = {
            f"K{i}": rng.sample([f"K{j}" for j in range(i)], min(i, rng.randrange(0, 4)))
            for i in range(n)
        }
        real: dict[str, type] = {}
        try:
            for name, bs in bases.items():
                real[name] = type(name, tuple(real[b] for b in bs) or (object,), {})
        except TypeError:
            continue  # Python rejects this hierarchy too
        infos = {}
        for name, bs in bases.items():
            info = cl.ClassInfo.__new__(cl.ClassInfo)
            info.local_bases = list(bs)
            infos[name] = info
        lins = cl.linearizations(infos)  # type: ignore[arg-type]
        for name, cls in real.items():
            assert lins[name] == [c.__name__ for c in cls.__mro__[:-1]], (bases, name)
        checked += 1
    assert checked > 100


def test_long_inheritance_chain() -> None:
    src = (
        "from metaflow import FlowSpec, step\n"
        "class C0(FlowSpec):\n    @step\n    def start(self):\n        pass\n"
        + "".join(f"class C{i}(C{i - 1}):\n    pass\n" for i in range(1, 2000))
    )
    ff = parse(src)
    assert len(ff.flows) == 2000 and ff.flows[-1].is_leaf
    assert list(ff.flows[-1].steps) == ["start"]
