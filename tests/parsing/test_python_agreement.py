"""Issue 11, item 10 (parsing side): a syntax error is where Python says, and costs only its
own statement.

tree-sitter reads ``x = self.input +`` followed by ``self.next(self.end)`` as one clean
statement, so the step seemed to have no ``self.next`` (MF108) and a non-tail one (MF213);
a zero-width MISSING newline (``HelloFlow()s`` on the last line) was no error at all. Python's
``compile()`` is the reference for where the error is; each case states its verdict.
"""

from __future__ import annotations

from functools import cache

import pytest

from metaflow_expert.knowledge.catalog import DecoratorCatalog, load_catalog
from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.parsing import python_check

HEAD = """\
from metaflow import FlowSpec, step


class TypingFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
"""
TAIL = """\
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TypingFlow()
"""


def python_error(text: str) -> tuple[int, int]:
    """Python's verdict: the 0-based line and column of its first syntax error."""
    with pytest.raises(SyntaxError) as e:
        compile(text, "flow.py", "exec")
    return (e.value.lineno or 0) - 1, (e.value.offset or 0) - 1


@cache
def _catalog() -> DecoratorCatalog:
    """The indexed Metaflow: MF203 needs it to tell FlowSpec's attributes from artifacts."""
    return load_catalog()


def found(text: str) -> list[tuple[str, int]]:
    analysis = analyze_text(text, "flow.py", settings=LintSettings(), catalog=_catalog())
    return [(f.code, f.span.start_line) for f in analysis.findings]


@pytest.mark.parametrize(
    "half",
    ["        x = self.input +\n", "        y = self.\n", "        y = self.x and\n"],
    ids=["operator", "dot", "keyword"],
)
def test_half_typed_line_before_the_tail_is_one_syntax_error(half: str) -> None:
    text = HEAD + half + TAIL
    line, _ = python_error(text)
    assert line == 7
    assert found(text) == [("MF001", 7)]  # not MF108 / MF213 / MF204 / MF112


def test_a_typo_elsewhere_in_the_broken_step_is_still_reported() -> None:
    text = HEAD + "        print(self.x_typo)\n" + "        x = self.x +\n" + TAIL
    assert python_error(text)[0] == 8
    assert found(text) == [("MF203", 7), ("MF001", 8)]


def test_a_typo_below_a_broken_statement_is_still_reported() -> None:
    text = (
        HEAD
        + "        x = [1, 2\n"
        + "        y = 3\n"
        + TAIL.replace("        pass\n", "        print(self.x_typo)\n")
    )
    assert python_error(text)[0] == 7
    codes = found(text)
    assert ("MF001", 7) in codes and ("MF203", 13) in codes


def test_missing_newline_at_the_end_is_reported_where_python_says() -> None:
    text = HEAD + TAIL.rstrip("\n") + "s"  # ``TypingFlow()s`` without a trailing newline
    line, col = python_error(text)
    analysis = analyze_text(text, "flow.py", settings=LintSettings())
    (f,) = analysis.findings
    assert f.code == "MF001" and (f.span.start_line, f.span.start_col) == (line, col)
    assert f.message == "Syntax error: invalid syntax"


def test_tree_sitter_message_kept_when_both_name_the_same_line() -> None:
    text = HEAD + "        x = {'a': 1\n" + TAIL
    assert python_error(text)[0] == 7
    analysis = analyze_text(text, "flow.py", settings=LintSettings())
    assert [(i.span.start_line, i.message) for i in analysis.file.syntax_issues] == [
        (7, "'{' was never closed")
    ]


def test_python_is_not_asked_about_a_finished_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    """``compile()`` costs about as much as the whole analysis: a flow tree-sitter reads
    cleanly, with every step ending in ``self.next``, never pays for it."""
    calls = []

    def spy(text: str, lines: list[str]) -> None:
        calls.append(text)

    monkeypatch.setattr(python_check, "python_syntax_error", spy)
    assert found(HEAD + TAIL) == []
    assert calls == []
    found(HEAD + "        x = self.x +\n" + TAIL)
    assert len(calls) == 1


def test_later_errors_are_placed_where_python_puts_them() -> None:
    """Two steps with the same mistake (a space after a line-continuation backslash): after
    the first, tree-sitter's recovery flagged the valid ``@batch`` line of the next step
    instead of the second backslash. Each later error is checked with Python once the one
    before is set aside, and reported on Python's line."""
    step_text = (
        "    @{deco}\n"
        "    def {name}(self):\n"
        '        print("x" + \\ \n'
        '              "y")\n'
        "        self.next(self.{nxt})\n\n"
    )
    text = (
        "from metaflow import FlowSpec, batch, step\n\n\nclass F(FlowSpec):\n"
        + step_text.format(deco="step", name="start", nxt="b")
        + "    @batch(cpu=1)\n"
        + step_text.format(deco="step", name="b", nxt="end")
        + "    @step\n    def end(self):\n        pass\n"
    )
    lines = [f.line1 for f in analyze_text(text, "flow.py").findings if f.code == "MF001"]
    backslashes = [i + 1 for i, ln in enumerate(text.split("\n")) if ln.endswith("\\ ")]
    assert lines == backslashes == [7, 14]
