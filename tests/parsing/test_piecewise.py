"""The piecewise strategy for broken files reads valid files exactly like the whole-file parse.

This pins the segmenter (strings, brackets, decorators, comments at column 0) against the
reference: on every valid flow we have, both strategies must give the same flows and steps.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from metaflow_expert.parsing.flow_file import read_text


def _files() -> list[Path]:
    here = Path(__file__).parent.parent / "corpus"
    files = sorted(here.glob("*/*.py")) if here.is_dir() else []
    spec = importlib.util.find_spec("metaflow")
    if spec is not None and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        files += sorted(root.glob("tutorials/*/*.py"))
    return files


TRICKY = '''
"""Module docstring
class NotAClass:
"""
from metaflow import FlowSpec, step, project, Parameter

@project(name="demo")
class F(FlowSpec):
    """Class doc with an example:

    @step
    def example(self):
        pass
"""
    alpha = Parameter(
        "alpha",
        default=1,
    )
# a comment at column 0 inside the class

    @step
    def start(
        self,
    ):
        x = """
not code: def nope(self):
"""
        self.next(self.end)

    @step
    def end(self):
        pass
'''


def _same(text: str) -> None:
    whole = read_text(text, "f.py")
    pieces = read_text(text, "f.py", piecewise=True)
    assert [f.name for f in pieces.flows] == [f.name for f in whole.flows]
    assert pieces.imports.keys() == whole.imports.keys()
    for a, b in zip(whole.flows, pieces.flows, strict=True):
        assert a.steps == b.steps
        assert a.parameters == b.parameters
        assert a.decorators == b.decorators
        assert a.bases == b.bases and a.is_leaf == b.is_leaf
        assert a.non_step_methods == b.non_step_methods
        assert a.class_attributes == b.class_attributes
    assert pieces.syntax_issues == whole.syntax_issues == []


def test_tricky_layout() -> None:
    _same(TRICKY)


@pytest.mark.parametrize("path", _files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_model_on_valid_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if read_text(text, "f.py").syntax_issues:
        pytest.skip("file has syntax errors")
    _same(text)
