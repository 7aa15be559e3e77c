"""What is under the cursor in a flow file, read from the flow model (no LSP, no index).

Why separate: hover, go-to-definition, references, rename and completion all start by asking
"what does this position name?". Answering it once, as a typed :class:`Target`, keeps those
features thin and lets the question be unit-tested on plain text.

The model's spans decide (decorators, their arguments, step names, transition targets,
artifacts, ``self.input``/``self.index``/``inputs``, ``merge_artifacts``, Parameters); names
imported from ``metaflow`` (``current``, ``FlowSpec``, ``Parameter`` …) are recognised through
the file's import bindings, never through a hand-written list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from metaflow_expert.model import (
    CallArg,
    DecoratorUse,
    FlowClass,
    FlowFile,
    ParameterDecl,
    Span,
    Step,
)

TargetKind = Literal[
    "decorator",
    "decorator_arg",
    "step_decorator",
    "step_def",
    "step_ref",
    "next_call",
    "input",
    "index",
    "inputs",
    "merge_artifacts",
    "artifact",
    "parameter",
    "flow_class",
    "metaflow_name",
    "metaflow_attr",
]


@dataclass(frozen=True)
class Target:
    """One thing the cursor is on. ``name`` is the step/artifact/decorator/API name;
    ``attr`` the attribute for ``metaflow_attr`` (``current.retry_count`` → name ``current``)."""

    kind: TargetKind
    name: str
    span: Span
    flow: FlowClass | None = None
    step: Step | None = None
    decorator: DecoratorUse | None = None
    arg: CallArg | None = None
    parameter: ParameterDecl | None = None
    attr: str | None = None
    flow_level: bool = False


def _is_ident(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def word_at(line_text: str, col: int) -> tuple[str, int, int]:
    """The identifier touching ``col`` (cursor inside or right after it): (word, start, end)."""
    n = len(line_text)
    col = max(0, min(col, n))
    start = col
    while start > 0 and _is_ident(line_text[start - 1]):
        start -= 1
    end = col
    while end < n and _is_ident(line_text[end]):
        end += 1
    return line_text[start:end], start, end


def dotted_prefix(line_text: str, start: int) -> list[str]:
    """Names before ``start`` joined by dots: ``a.b.c`` with start at ``c`` → ``["a", "b"]``."""
    parts: list[str] = []
    i = start
    while i > 0 and line_text[i - 1] == ".":
        j = i - 1
        k = j
        while k > 0 and _is_ident(line_text[k - 1]):
            k -= 1
        if k == j:
            break
        parts.insert(0, line_text[k:j])
        i = k
    return parts


def _in(span: Span | None, line: int, col: int) -> bool:
    return span is not None and span.contains(line, col)


def _decorator_target(
    d: DecoratorUse, line: int, col: int, flow: FlowClass, step: Step | None, is_step: bool
) -> Target | None:
    for a in d.args:
        if _in(a.name_span, line, col) and is_step:
            return Target("step_decorator", d.name, a.name_span or a.span, flow, step, d, a)
        if _in(a.name_span, line, col):
            return Target(
                "decorator_arg",
                d.name,
                a.name_span or a.span,
                flow,
                step,
                d,
                a,
                flow_level=step is None,
            )
    if _in(d.name_span, line, col):
        kind: TargetKind = "step_decorator" if is_step else "decorator"
        return Target(kind, d.name, d.name_span, flow, step, d, flow_level=step is None)
    return None


def _step_target(file: FlowFile, flow: FlowClass, step: Step, line: int, col: int) -> Target | None:
    for i, d in enumerate(step.decorators):
        t = _decorator_target(d, line, col, flow, step, i == step.step_decorator_index)
        if t:
            return t
    if _in(step.name_span, line, col):
        return Target("step_def", step.name, step.name_span, flow, step)
    if not _in(step.span, line, col) and not _in(step.body_span, line, col):
        return None
    tr = step.transition
    if tr is not None:
        for ref in tr.targets:
            if _in(ref.span, line, col):
                return Target("step_ref", ref.name, ref.span, flow, step)
        for case in tr.switch_cases:
            if case.target and _in(case.target.span, line, col):
                return Target("step_ref", case.target.name, case.target.span, flow, step)
        for value, span in ((tr.foreach, tr.foreach_span), (tr.condition, tr.condition_span)):
            if isinstance(value, str) and _in(span, line, col) and span is not None:
                return Target("artifact", value, span, flow, step)
    for call in step.non_tail_next_calls:
        for a in call.args:
            if _in(a.value_span, line, col) and a.source.startswith("self."):
                name = a.source.split(".", 1)[1]
                if name in flow.steps:
                    return Target("step_ref", name, a.value_span, flow, step)
    for sp in step.uses_input:
        if _in(sp, line, col):
            return Target("input", "input", sp, flow, step)
    for sp in step.uses_index:
        if _in(sp, line, col):
            return Target("index", "index", sp, flow, step)
    for sp in step.uses_inputs_param:
        if _in(sp, line, col):
            return Target(
                "inputs", step.params[1] if len(step.params) > 1 else "inputs", sp, flow, step
            )
    text = file.lines[line] if 0 <= line < len(file.lines) else ""
    word, ws, we = word_at(text, col)
    prefix = dotted_prefix(text, ws)
    for acc in step.artifacts:
        if _in(acc.span, line, col):
            if acc.via == "input" and word and word != acc.name:
                break  # on ``inputs`` in ``inputs.a.x``: not the artifact
            return _artifact_or_param(flow, step, acc.name, acc.span)
    for acc in step.assigns_reserved:
        if _in(acc.span, line, col) and acc.name == word:
            kind: TargetKind = (
                "input" if word == "input" else "index" if word == "index" else "artifact"
            )
            return Target(kind, word, acc.span, flow, step)
    for call in step.merge_artifacts_calls:
        if _in(call.span, line, col) and word == call.name:
            return Target("merge_artifacts", call.name, Span(line, ws, line, we), flow, step)
    if prefix == ["self"] and word:
        calls = [c.span for c in step.non_tail_next_calls]
        if tr is not None:
            calls.append(tr.span)
        if any(_is_callee(text, sp, line, ws) for sp in calls):
            return Target("next_call", word, Span(line, ws, line, we), flow, step)
        if word in flow.steps:
            return Target("step_ref", word, Span(line, ws, line, we), flow, step)
    if word and len(step.params) > 1 and word == step.params[1] and not prefix:
        return Target("inputs", word, Span(line, ws, line, we), flow, step)
    return None


def _is_callee(text: str, call: Span, line: int, ws: int) -> bool:
    """Is the word at ``ws`` the method name of the ``self.<method>(...)`` call at ``call``?"""
    if line != call.start_line:
        return False
    head = text[call.start_col : ws]
    return head.replace(" ", "") == "self."


def _artifact_or_param(flow: FlowClass, step: Step | None, name: str, span: Span) -> Target:
    for p in flow.parameters:
        if p.attr == name:
            return Target("parameter", name, span, flow, step, parameter=p)
    return Target("artifact", name, span, flow, step)


def _metaflow_binding(file: FlowFile, local: str) -> str | None:
    """The name under which ``local`` was imported from the ``metaflow`` package, if it was."""
    b = file.imports.get(local)
    if b is None:
        return None
    module = b.module or ""
    if module != "metaflow" and not module.startswith("metaflow."):
        return None
    return b.name or local


def locate(file: FlowFile, line: int, col: int) -> Target | None:
    """The most specific thing at (line, code-point col), or None."""
    for flow in file.flows:
        if not _in(flow.span, line, col):
            continue
        for d in flow.decorators:
            t = _decorator_target(d, line, col, flow, None, False)
            if t:
                return t
        if _in(flow.name_span, line, col):
            return Target("flow_class", flow.name, flow.name_span, flow)
        for p in flow.parameters:
            if _in(p.attr_span, line, col):
                return Target("parameter", p.attr, p.attr_span, flow, parameter=p)
        for step in flow.steps.values():
            t = _step_target(file, flow, step, line, col)
            if t:
                return t
        for d in flow.misplaced_step_decorators:
            t = _decorator_target(d, line, col, flow, None, False)
            if t:
                return t
    return _imported_name(file, line, col)


def _imported_name(file: FlowFile, line: int, col: int) -> Target | None:
    if not (0 <= line < len(file.lines)):
        return None
    text = file.lines[line]
    word, ws, we = word_at(text, col)
    if not word:
        return None
    span = Span(line, ws, line, we)
    prefix = dotted_prefix(text, ws)
    flow = next((f for f in file.flows if _in(f.span, line, col)), None)
    if prefix:
        head = _metaflow_binding(file, prefix[0])
        if head is not None and len(prefix) == 1:
            return Target("metaflow_attr", head, span, flow, attr=word)
        if prefix == ["self"] and flow is not None:
            return (
                _artifact_or_param(flow, None, word, span)
                if any(p.attr == word for p in flow.parameters)
                else None
            )
        if prefix[0] == "metaflow" and len(prefix) == 1:
            return Target("metaflow_name", word, span, flow)
        return None
    name = _metaflow_binding(file, word)
    if name is not None:
        return Target("metaflow_name", name, span, flow)
    return None


def step_at(file: FlowFile, line: int) -> tuple[FlowClass, Step] | tuple[None, None]:
    """The step whose ``def`` (with decorators) encloses ``line``."""
    for flow in file.flows:
        for step in flow.steps.values():
            if step.span.start_line <= line <= step.span.end_line:
                return flow, step
    return None, None


def flow_at(file: FlowFile, line: int) -> FlowClass | None:
    for flow in file.flows:
        if flow.span.start_line <= line <= flow.span.end_line:
            return flow
    return None
