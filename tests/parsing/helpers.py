"""Small helpers for parser tests: dedented sources, span text."""

from __future__ import annotations

import textwrap

from metaflow_expert.model import FlowClass, FlowFile, Span, Step
from metaflow_expert.parsing import parse_flow_file


def parse(src: str) -> FlowFile:
    return parse_flow_file(textwrap.dedent(src).lstrip("\n"))


def flow(src: str, name: str | None = None) -> FlowClass:
    ff = parse(src)
    assert ff.flows, f"no flow in: {src}"
    if name is None:
        return ff.flows[-1]
    f = ff.flow(name)
    assert f is not None
    return f


def step(src: str, name: str) -> Step:
    return flow(src).steps[name]


def text_at(ff: FlowFile, span: Span) -> str:
    """The text a span covers (code-point columns)."""
    lines = ff.lines
    if span.start_line == span.end_line:
        return lines[span.start_line][span.start_col : span.end_col]
    parts = [lines[span.start_line][span.start_col :]]
    parts += lines[span.start_line + 1 : span.end_line]
    parts.append(lines[span.end_line][: span.end_col])
    return "\n".join(parts)
