"""``lint --fix``: quick fixes applied in place, overlapping fixes deferred, BOM kept."""

from __future__ import annotations

from pathlib import Path

from metaflow_expert.lint.fix_check import apply_fixes
from metaflow_expert.model import Finding, Fix, Severity, Span, TextEdit

from .conftest import BAD


def _finding(*edits: TextEdit) -> Finding:
    return Finding("MF999", "m", Span(0, 0, 0, 0), Severity.INFO, fix=Fix("t", tuple(edits)))


def test_apply_fixes_replacements_insertions_and_deletions():
    text = "ab\ncd\nef\n"
    out, n = apply_fixes(
        text,
        [
            _finding(TextEdit(Span(0, 0, 0, 1), "X")),  # a -> X
            _finding(TextEdit(Span.point(2, 0), "cd\n"), TextEdit(Span(1, 0, 2, 0), "")),  # move
        ],
    )
    assert (out, n) == ("Xb\ncd\nef\n", 2)


def test_overlapping_fix_waits_for_next_run():
    text = "hello world\n"
    out, n = apply_fixes(
        text,
        [_finding(TextEdit(Span(0, 0, 0, 5), "HELLO")), _finding(TextEdit(Span(0, 3, 0, 8), "x"))],
    )
    assert (out, n) == ("HELLO world\n", 1)


def test_odd_spans_do_not_raise():
    out, n = apply_fixes("a\n", [_finding(TextEdit(Span(5, 9, 7, 1), "z"))])
    assert n == 1 and out == "a\nz"


def test_cli_fix_rewrites_file_and_reports_rest(cli, tmp_path: Path):
    path = tmp_path / "flow.py"
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode())
    r = cli("lint", "--fix", str(path))
    fixed = path.read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf")
    assert b"self.next(self.end)" in fixed and b"ennd" not in fixed
    assert "Fixed 1 problem." in r.stderr
    assert r.returncode == 0 and r.stdout == ""


def test_cli_fix_moves_decorator_above_step(cli, tmp_path: Path):
    src = (
        BAD.replace("self.ennd", "self.end")
        .replace("    @step\n    def start", "    @step\n    @retry(times=2)\n    def start")
        .replace("import FlowSpec, step", "import FlowSpec, retry, step")
    )
    path = tmp_path / "flow.py"
    path.write_text(src)
    r = cli("lint", "--fix", str(path))
    assert "    @retry(times=2)\n    @step\n    def start" in path.read_text(), r.stderr
    assert r.returncode == 0


def test_fix_file_applies_only_fixes_that_help(tmp_path) -> None:
    """``lint --fix`` writes only fixes :func:`lint.fix_check.verify` accepts: on this flow
    the typo fix (``self.proces`` → ``self.process``) would uncover an error an earlier check
    hid, so only the other fix is written."""
    from pathlib import Path

    from metaflow_expert.lint.engine import analyze_text
    from metaflow_expert.lint.fix_check import apply_fixes
    from metaflow_expert.lint.runner import fix_file

    src = Path(__file__).parents[1] / "lsp" / "flows" / "broken_flow.py"
    flow = tmp_path / "broken_flow.py"
    flow.write_text(src.read_text())
    findings = analyze_text(flow.read_text(), str(flow)).findings
    _, unchecked = apply_fixes(flow.read_text(), findings)
    assert unchecked == 2
    assert fix_file(str(flow), findings) == (1, None)
    fixed = flow.read_text()
    assert "self.next(self.proces, " in fixed
    assert 'foreach="items"' in fixed
