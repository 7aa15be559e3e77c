"""MF218: a step that ``@catch`` lets fail, without ``var=``, sets what a later step reads."""

from __future__ import annotations

CAUGHT = """
from metaflow import FlowSpec, catch, step

class CatchFlow(FlowSpec):
    @catch(print_exception=False)
    @step
    def start(self):
        self.model = 1
        self.next(self.middle)

    @step
    def middle(self):
        self.other = 2
        self.next(self.end)

    @step
    def end(self):
        print(self.other, self.model)
"""


def test_mf218_read_after_a_catch_without_var(check):
    (f,) = check("MF218", CAUGHT)
    assert f.step == "start" and f.span.start_line == 4
    assert "*end* reads *model*" in f.message and 'var="start_failed"' in f.message
    assert f.related and f.related[0].span.start_line == 17
    assert f.cites and f.cites.startswith("metaflow/plugins/catch_decorator.py:")


def test_mf218_silent_with_var_or_another_writer_or_no_catalog(check):
    assert check("MF218", CAUGHT.replace("print_exception=False", 'var="failed"')) == []
    assert check("MF218", CAUGHT.replace("self.other = 2", "self.model = 2")) == []
    assert check("MF218", CAUGHT.replace("self.other, self.model", "self.other")) == []
    assert check("MF218", CAUGHT, use_catalog=False) == []
