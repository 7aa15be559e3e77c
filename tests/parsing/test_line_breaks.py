"""Lines break where LSP (and the editor) break them: ``\\n``, ``\\r\\n`` and a lone ``\\r`` —
and nowhere else. A CR-only file was once read as one line (five MF001 and two MF102 errors
on a file CPython compiles), and characters ``str.splitlines`` breaks at (form feed, ``\\x85``,
U+2028…) must stay inside their line, or every later position is one line off."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.parsing import parse_flow_file
from metaflow_expert.parsing.source import (
    SourceText,
    decode,
    split_lines,
    split_lines_reference,
)

FLOW = (
    "from metaflow import FlowSpec, step\n"
    "\n"
    "class LineFlow(FlowSpec):\n"
    "    @step\n"
    "    def start(self):\n"
    "        self.x = 1\n"
    "        self.next(self.end)\n"
    "\n"
    "    @step\n"
    "    def end(self):\n"
    "        print(self.y)\n"
)


def _findings(text: str) -> list[tuple[str, int, int]]:
    a = analyze_text(text, "flow.py")
    return [(f.code, f.span.start_line, f.span.start_col) for f in a.findings]


@pytest.mark.parametrize("eol", ["\r", "\r\n"])
def test_cr_and_crlf_files_read_like_lf(eol: str) -> None:
    text = FLOW.replace("\n", eol)
    ff = parse_flow_file(text)
    assert len(ff.lines) == len(FLOW.split("\n"))
    assert ff.syntax_issues == []
    assert [s for f in ff.flows for s in f.steps] == ["start", "end"]
    assert _findings(text) == _findings(FLOW)


@pytest.mark.parametrize("ch", ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_other_break_characters_stay_inside_their_line(ch: str) -> None:
    text = FLOW.replace("        self.x = 1\n", f"        self.x = 1  # a{ch}b\n")
    ff = parse_flow_file(text)
    assert len(ff.lines) == len(FLOW.split("\n"))
    assert ch in ff.lines[5]
    assert _findings(text) == _findings(FLOW)


def test_cli_reads_a_cr_only_file_like_lf(tmp_path: Path) -> None:
    cr, lf = tmp_path / "cr.py", tmp_path / "lf.py"
    cr.write_bytes(FLOW.replace("\n", "\r").encode())
    lf.write_bytes(FLOW.encode())

    def lint(p: Path) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-m", "metaflow_expert", "lint", "--isolated", "--no-catalog", str(p)],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        return [ln.split(":", 1)[1] for ln in out.stdout.splitlines() if ln.startswith(str(p))]

    assert lint(cr) == lint(lf)


# --- one rule: the parser's decode and the editor's split_lines agree with the reference --

PIECES = ["a", " ", "é", "😀", "\n", "\n", "\r\n", "\r", "\r\r\n", "\f", "\v", "\x1c", "\x1d"]
PIECES += ["\x1e", "\x85", "\u2028", "\u2029", "def f(self):\n"]


def _reference_contents(text: str) -> list[str]:
    """The reference's lines without their breaks, with the empty last line a trailing
    break leaves (as ``split("\\n")`` and the editor count it)."""
    lines = [ln.rstrip("\r\n") for ln in split_lines_reference(text)]
    if not text or text.endswith(("\n", "\r")):
        lines.append("")
    return lines


def test_decode_and_split_lines_are_fast_paths_of_the_reference() -> None:
    rng = random.Random(13)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30)))
        assert split_lines(text) == split_lines_reference(text), repr(text)
        decoded, valid = decode(text)
        assert valid and len(decoded) == len(text), repr(text)  # offsets are kept
        assert SourceText.of(decoded).lines == _reference_contents(text), repr(text)


def test_the_editor_store_uses_the_parser_rule() -> None:
    from metaflow_expert.lsp import text_lines

    assert text_lines.split_lines is split_lines
    assert text_lines.split_lines_reference is split_lines_reference
