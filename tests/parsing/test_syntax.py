"""Syntax problems: reported once each, and the rest of the file still analysed."""

from __future__ import annotations

from metaflow_expert.parsing import parse_flow_file

from .helpers import parse


def test_missing_colon_keeps_other_steps() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec, step

        class F(FlowSpec):
            @step
            def start(self)
                self.x = 1
                self.next(self.middle)

            @step
            def middle(self):
                self.next(self.end

            @step
            def end(self):
                pass
        """
    )
    (f,) = ff.flows
    assert list(f.steps) == ["start", "middle", "end"]
    assert f.steps["start"].has_syntax_error and f.steps["middle"].has_syntax_error
    assert not f.steps["end"].has_syntax_error
    assert f.steps["start"].transition.target_names == ["middle"]
    assert f.steps["start"].func_lineno == 5
    msgs = [(i.span.start_line, i.message) for i in ff.syntax_issues]
    assert msgs == [(4, "expected ':' at the end of the def line"), (10, "'(' was never closed")]


def test_missing_token_message() -> None:
    ff = parse_flow_file("x = (1,\ny = 2\n")
    assert ff.syntax_issues
    assert all(i.message for i in ff.syntax_issues)


def test_clean_file_has_no_issues() -> None:
    assert parse("x = 1\n").syntax_issues == []


def test_not_utf8() -> None:
    data = b"from metaflow import FlowSpec, step\n# caf\xe9\nclass F(FlowSpec):\n    @step\n    def start(self):\n        pass\n"
    ff = parse_flow_file(data)
    assert ff.syntax_issues[0].message.startswith("file is not valid UTF-8")
    assert ff.syntax_issues[0].span.start_line == 1
    assert list(ff.flows[0].steps) == ["start"]
    assert "\ufffd" in ff.lines[1]


def test_class_header_without_colon() -> None:
    ff = parse(
        """
        from metaflow import FlowSpec, step

        class F(FlowSpec)
            @step
            def start(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        """
    )
    assert ff.syntax_issues
    assert [f.name for f in ff.flows] == ["F"]
    assert list(ff.flows[0].steps) == ["start", "end"]
