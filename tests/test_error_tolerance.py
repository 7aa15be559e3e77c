"""The engine never raises, whatever the text: half-typed, broken, binary, huge or deep.

Real flows come from the tutorials shipped with the installed Metaflow. Every line prefix and a
sample of character prefixes stand in for a user typing the file from the top; the other cases
are the inputs that crash naive parsers. Each analysis must also be internally consistent
(findings point inside the file), not merely return.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from metaflow_expert.lint.engine import Analysis, analyze_text
from metaflow_expert.parsing import parse_flow_file


def _tutorials() -> list[Path]:
    spec = importlib.util.find_spec("metaflow")
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(root.glob("tutorials/*/*.py"))
    assert found, "the installed metaflow ships no tutorials"
    return found


TUTORIALS = _tutorials()


def check(text: str | bytes) -> Analysis:
    a = analyze_text(text, "flow.py")
    n = max(1, len(a.file.lines))
    for f in a.findings:
        assert 0 <= f.span.start_line < n, f
        assert (f.span.start_line, f.span.start_col) <= (f.span.end_line, f.span.end_col), f
        assert f.code != "MF000", f"a rule crashed: {f.message}"
    for issue in a.file.syntax_issues:
        assert 0 <= issue.span.start_line < n
    return a


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.parent.name)
def test_tutorials_are_clean(path: Path) -> None:
    a = check(path.read_text(encoding="utf-8"))
    assert a.file.flows and not a.file.syntax_issues
    errors = [f for f in a.findings if f.severity.value == "error"]
    assert errors == [], [(f.code, f.message) for f in errors]


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.parent.name)
def test_every_line_prefix(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i in range(len(lines) + 1):
        check("".join(lines[:i]))


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.parent.name)
def test_sampled_char_prefixes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for i in range(0, len(text), 41):
        check(text[:i])


def test_typing_keeps_other_steps() -> None:
    """A half-typed line inside one step leaves every other step analysed."""
    text = next(p for p in TUTORIALS if p.parent.name == "00-helloworld").read_text()
    full = parse_flow_file(text).flows[0]
    lines = text.splitlines(keepends=True)
    garbage = ["self.next(self.", "def", "x = (", '"""', "if x", "@step", ")", "self.x ="]
    body_lines = [i for i, ln in enumerate(lines) if ln.startswith("        ") and ln.strip()]
    rng = random.Random(7)
    for i in rng.sample(body_lines, min(12, len(body_lines))):
        for g in garbage:
            broken = "".join([*lines[:i], "        " + g + "\n", *lines[i:]])
            a = check(broken)
            assert a.file.flows, (i, g)
            got = a.file.flows[0].steps
            assert len(got) >= len(full.steps) - 1, (i, g, list(got))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\n",
        b"class",
        b"from metaflow import FlowSpec, step\nclass F(FlowSpec):\n    @step\n    def start(self):\n        x = '\xff\xfe'\n",
        b"\x00" * 100,
        b"from metaflow import step\x00\nclass F(FlowSpec):\n    @step\n    def start(self\x00):\n        pass\n",
        b"\xef\xbb\xbffrom metaflow import FlowSpec\nclass F(FlowSpec):\n    pass\n",
        b"class F(FlowSpec):\r\n    @step\r\n    def start(self):\r\n        self.next(self.end)\r\n",
        b"class F(FlowSpec):\r    @step\r    def start(self):\r        pass\r",
        bytes(range(256)) * 4,
    ],
    ids=[
        "empty",
        "blank",
        "class",
        "bad-utf8",
        "nuls",
        "nul-in-code",
        "bom",
        "crlf",
        "cr",
        "binary",
    ],
)
def test_odd_bytes(data: bytes) -> None:
    check(data)


def test_random_bytes() -> None:
    rng = random.Random(11)
    for _ in range(20):
        check(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))))


def test_lone_surrogates_in_text() -> None:
    check(
        "x = '\udc80'\nclass F(FlowSpec):\n    @step\n    def start(self):\n        self.a = '\ud800'\n"
    )


def test_non_utf8_is_reported() -> None:
    a = check(b"# caf\xe9\nx = 1\n")
    assert [f.code for f in a.findings] == ["MF001"]
    assert "not valid UTF-8" in a.findings[0].message


def test_five_megabytes() -> None:
    flow = TUTORIALS[0].read_text(encoding="utf-8")
    big = flow + "\nDATA = [\n" + "    'abcdefghij',\n" * 330_000 + "]\n"
    assert len(big) > 5_000_000
    a = check(big)
    assert a.file.flows


def test_deep_nesting() -> None:
    head = (
        "from metaflow import FlowSpec, step\nclass F(FlowSpec):\n    @step\n    def start(self):\n"
    )
    check("x = " + "(" * 500 + "1" + ")" * 500 + "\n")
    check("x = " + "(" * 500 + "\n")
    check("x = " + "[" * 3000 + "]" * 3000 + "\n")
    ifs = "".join("    " * (i + 2) + "if x:\n" for i in range(200)) + "    " * 202 + "self.y = 1\n"
    a = check(head + ifs)
    assert [x.name for x in a.file.flows[0].steps["start"].artifacts] == ["y"]
    check(head + "        self.x = " + "-" * 5000 + "1\n")
    check(head + "        self.x = " + "a." * 3000 + "b\n")
    check(head + "        " + "f(" * 1000 + ")" * 1000 + "\n")
    check(
        "".join("    " * i + f"class C{i}(FlowSpec):\n" for i in range(100))
        + "    " * 100
        + "pass\n"
    )


def test_long_runs_of_comments() -> None:
    """tree-sitter-python is quadratic in consecutive comment lines; 5 MB of them must not hang."""
    flow = TUTORIALS[0].read_text(encoding="utf-8")
    big = flow + ("# filler line to make the file large " * 3 + "\n") * 45_000
    a = check(big)
    assert a.file.flows and not a.file.syntax_issues
    # runs of comments and blank lines together are just as slow for tree-sitter
    a = check(flow + "# comment   \n   \n\n" * 200_000)
    assert a.file.flows and not a.file.syntax_issues


def test_comment_lines_inside_strings_are_kept() -> None:
    doc = "\n".join(f"    # line {i}" for i in range(100))
    text = (
        "from metaflow import FlowSpec, step\n"
        "class F(FlowSpec):\n"
        "    @step\n"
        "    def start(self):\n"
        f'        """Doc\n{doc}\n        """\n'
        "        pass\n"
    )
    step = check(text).file.flows[0].steps["start"]
    assert step.docstring is not None and "# line 99" in step.docstring
