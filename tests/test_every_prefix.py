"""Every line prefix of the bundled example flows (and of Metaflow's tutorials), and every
character prefix of the examples, as a user types them from the top.

The promise of issue 11 item 10 on the parsing side: a prefix never crashes the engine nor a
rule (no MF000), each broken statement costs one MF001 and no more, and when Python's own
parser rejects the prefix there is an MF001 on the line Python names (``compile()`` is the
reference for where a syntax error is), so the user is told what ``python flow.py`` will say;
when Python accepts the prefix there is no MF001 at all.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from metaflow_expert.lint.engine import analyze_text

EXAMPLES = sorted(
    (Path(__file__).parents[1] / "server" / "metaflow_expert" / "examples").glob("*.py")
)


def _tutorials() -> list[Path]:
    spec = importlib.util.find_spec("metaflow")
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    return sorted(root.glob("tutorials/*/*.py"))


def _python_error_line(text: str) -> int | None:
    try:
        compile(text, "<flow>", "exec", dont_inherit=True)
    except SyntaxError as e:
        return (e.lineno or 1) - 1
    return None


def _check_prefix(text: str) -> None:
    analysis = analyze_text(text, "flow.py")
    codes = [f.code for f in analysis.findings]
    assert "MF000" not in codes, analysis.findings
    issues = analysis.file.syntax_issues
    per_statement = Counter(i.extent for i in issues)
    assert max(per_statement.values(), default=0) <= 1, issues
    assert codes.count("MF001") == len(issues), analysis.findings
    syntax_rows = {f.span.start_line for f in analysis.findings if f.code == "MF001"}
    row = _python_error_line(text)
    if row is None:
        assert syntax_rows == set(), analysis.findings
    else:
        last = max(0, len(analysis.file.lines) - 1)
        assert min(row, last) in syntax_rows, (row, analysis.findings)


@pytest.mark.parametrize("path", EXAMPLES + _tutorials(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_line_prefix(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 10
    for n in range(len(lines) + 1):
        text = "".join(lines[:n])
        try:
            _check_prefix(text)
        except AssertionError as e:
            raise AssertionError(f"prefix of {n} lines: {e}") from None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_character_prefix(path: Path) -> None:
    """Mid-line cuts (``self.next(self.en``) are where tree-sitter and Python differ most."""
    text = path.read_text(encoding="utf-8")
    for n in range(len(text) + 1):
        try:
            _check_prefix(text[:n])
        except AssertionError as e:
            raise AssertionError(f"prefix {text[max(0, n - 40) : n]!r}: {e}") from None
