"""Where a step or an artifact is named in a flow: the data behind references, rename and
go-to-definition.

Why from the model: a step is named by its ``def`` and by every ``self.next(self.<name>)``
(tail transitions, switch cases, non-tail calls); the parser already resolved those spans, so
rename edits exactly the names Metaflow's graph would read and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from metaflow_expert.model import FlowClass, FlowFile, Span


def step_occurrences(
    flow: FlowClass, name: str, include_def: bool = True, file: FlowFile | None = None
) -> list[Span]:
    """Every span naming step ``name`` in ``flow``; with ``file``, also ``inputs.<name>`` in
    joins (the model records the artifact read there, not the step's name)."""
    out: list[Span] = []
    step = flow.steps.get(name)
    if include_def and step is not None:
        out.append(step.name_span)
    for s in flow.steps.values():
        tr = s.transition
        if tr is not None:
            out += [t.span for t in tr.targets if t.name == name]
            out += [
                c.target.span
                for c in tr.switch_cases
                if c.target is not None and c.target.name == name and c.target.span not in out
            ]
        for call in s.non_tail_next_calls:
            for a in call.args:
                if a.source.replace(" ", "") == f"self.{name}":
                    end = a.value_span
                    out.append(
                        Span(end.end_line, end.end_col - len(name), end.end_line, end.end_col)
                    )
    if file is not None:
        out += input_occurrences(file, flow, name)
    return sorted(set(out))


def input_occurrences(file: FlowFile, flow: FlowClass, name: str) -> list[Span]:
    """``<inputs>.<name>`` in the body of each join of ``flow`` (``<inputs>`` is the join's
    second parameter, whatever it is called), outside comments and string literals."""
    out: list[Span] = []
    for s in flow.steps.values():
        if len(s.params) < 2:
            continue
        pattern = re.compile(rf"\b{re.escape(s.params[1])}\s*\.\s*({re.escape(name)})\b")
        body = s.body_span
        for line in range(body.start_line, min(body.end_line + 1, len(file.lines))):
            code = _code_part(file.lines[line])
            for m in pattern.finditer(code):
                out.append(Span(line, m.start(1), line, m.end(1)))
    return out


def _code_part(line: str) -> str:
    """``line`` with string literals blanked and any comment cut (same length up to it), so a
    match is code; a string spanning lines is rare in a join body and only costs a miss."""
    out: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote is None:
            if ch == "#":
                break
            if ch in "'\"":
                quote = ch
                out.append(" ")
            else:
                out.append(ch)
        else:
            if ch == "\\" and i + 1 < len(line):
                out.append("  ")
                i += 2
                continue
            if ch == quote:
                quote = None
            out.append(" ")
        i += 1
    return "".join(out)


def rename_refusal(
    flow: FlowClass,
    old: str,
    new: str,
    *,
    flowspec_members: Iterable[str] = (),
    reserved: Iterable[str] = (),
    step_name_pattern: str | None = None,
) -> str | None:
    """Why renaming step ``old`` of ``flow`` to ``new`` must be refused, or None.

    Why refuse: Python keeps the last of two same-named methods, so renaming onto an existing
    step or method silently deletes one; a FlowSpec member or an attribute would be shadowed;
    Metaflow rejects reserved and ill-formed step names. ``reserved`` and
    ``step_name_pattern`` are Metaflow's own (``MetaflowFacts``), the pattern being what its
    lint searches for to reject a name."""
    if new == old:
        return None
    if not is_valid_step_name(new):
        return f"'{new}' is not a valid Python identifier for a step"
    if step_name_pattern:
        try:
            bad = re.search(step_name_pattern, new) is not None
        except re.error:
            bad = False
        if bad or new.startswith("_"):
            return (
                f"'{new}' is not a valid step name: Metaflow allows only lowercase ascii "
                "characters, underscores and digits"
            )
    if new in set(reserved):
        return f"'{new}' is a reserved word in Metaflow and cannot name a step"
    if new in flow.steps:
        return f"step '{new}' already exists in {flow.name}: renaming would replace it"
    if new in flow.non_step_methods:
        return f"method '{new}' already exists in {flow.name}: renaming would replace it"
    attributes = set(flow.class_attributes) | {p.attr for p in flow.parameters}
    if new in attributes:
        return f"'{new}' is already an attribute of {flow.name}"
    if new in set(flowspec_members):
        return f"'{new}' is a member of FlowSpec: a step of that name would shadow it"
    return None


def artifact_occurrences(
    flow: FlowClass, name: str, kinds: tuple[str, ...] = ("write", "read", "delete")
) -> list[Span]:
    out: list[Span] = []
    for s in flow.steps.values():
        out += [a.span for a in s.artifacts if a.name == name and a.kind in kinds]
        tr = s.transition
        if tr is not None:
            for value, span in ((tr.foreach, tr.foreach_span), (tr.condition, tr.condition_span)):
                if value == name and span is not None:
                    out.append(span)
    return sorted(set(out))


def is_valid_step_name(name: str) -> bool:
    """A name Python accepts as a method name (Metaflow's own naming rules are lint's job)."""
    return name.isidentifier() and not name.startswith("__")
