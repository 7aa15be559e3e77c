"""Steps: which methods are steps, their parameters, docstrings and annotations."""

from __future__ import annotations

from .helpers import flow, parse, text_at


def test_step_forms_and_annotations() -> None:
    f = flow(
        """
        import metaflow
        from metaflow import FlowSpec, step

        class X(FlowSpec):
            @step(start=True)
            def begin(self):
                '''
                Begin here.
                  Indented.
                '''
                self.next(self.a)

            @step()
            def a(self, inputs):
                self.next(self.finish)

            @metaflow.step
            def b(self, x=1, *rest, y, **kw):
                pass

            @step(end=True)
            def finish(self, /, z):
                pass

            def plain(self):
                pass
        """
    )
    assert list(f.steps) == ["begin", "a", "b", "finish"]
    begin, a, b, finish = f.steps.values()
    assert begin.is_start_annotated and not begin.is_end_annotated
    assert finish.is_end_annotated
    assert begin.docstring == "Begin here.\n  Indented."
    assert a.params == ["self", "inputs"] and a.num_args == 2
    assert b.params == ["self", "x"]
    assert finish.params == ["z"]  # Metaflow counts ``args.args`` only
    assert "plain" in f.non_step_methods


def test_step_spans() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec, step

        class X(FlowSpec):
            @step
            def start(self):
                x = 1
                self.next(self.end)
        """
    )
    s = ff.flows[0].steps["start"]
    assert text_at(ff, s.name_span) == "start"
    assert s.func_lineno == 5  # the def line, as Metaflow reports it
    assert s.span.start_line == 3  # includes the decorator
    assert text_at(ff, s.params_span) == "(self)"
    assert text_at(ff, s.last_statement_span) == "self.next(self.end)"
    assert text_at(ff, s.step_decorator.span) == "@step"
    assert s.body_span.start_line == 5


def test_unicode_columns_are_code_points() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec, step

        class X(FlowSpec):
            @step
            def start(self):
                self.π = "é"; self.ü = 1
                self.next(self.end)
        """
    )
    s = ff.flows[0].steps["start"]
    w = [a for a in s.artifacts if a.kind == "write"]
    assert [a.name for a in w] == ["π", "ü"]
    assert [text_at(ff, a.span) for a in w] == ["self.π", "self.ü"]
    assert w[1].span.start_col == len('        self.π = "é"; ')


def test_step_defined_twice_keeps_the_last() -> None:
    f = flow(
        """
        from metaflow import FlowSpec, step

        class X(FlowSpec):
            @step
            def start(self):
                self.next(self.a)

            @step
            def start(self):
                self.next(self.b)
        """
    )
    assert f.steps["start"].transition.target_names == ["b"]


def test_non_step_redefinition_hides_step() -> None:
    f = flow(
        """
        from metaflow import FlowSpec, step

        class X(FlowSpec):
            @step
            def start(self):
                pass

            def start(self):
                pass
        """
    )
    assert f.steps == {} and "start" in f.non_step_methods
