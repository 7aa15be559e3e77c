"""Shared helpers for the MF1xx rules that mirror ``metaflow/lint.py``.

Why a helper module: every mirrored check reports at one of two lines Metaflow knows about
(``func_lineno``, the ``def``; ``tail_next_lineno``, the first line of the tail ``self.next``)
and must put its span on *that* line, as precisely as possible. Doing this in one place keeps
every rule's span consistent with the line ``python flow.py check`` would print.

This module registers no rules; it only places findings and reads graph nodes defensively
(a half-typed file gives transitions without spans, steps without a tail, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaflow_expert.model import Fix, Related, Span, Step, TextEdit
from metaflow_expert.rules.registry import RuleContext

if TYPE_CHECKING:
    from metaflow_expert.graph import GraphNode

#: Work budget for the path-enumerating traversals Metaflow does (acyclicity, split/join
#: balance). Metaflow explores every path; a pathological half-typed file must not hang the
#: editor, so past this many visits the traversal stops (and reports what it found).
TRAVERSAL_BUDGET = 200_000


def graph_ready(ctx: RuleContext) -> bool:
    """True when the flow's graph can be checked like Metaflow would check it.

    A flow whose bases come from another module has steps we cannot see; a class that is
    subclassed in the file is a base, not a flow Metaflow would run (Metaflow's lint of an
    abstract base fails, so only leaf flows are linted, see ``metaflow-notes.md``)."""
    flow, facts = ctx.flow, ctx.flow_facts
    if flow is None or ctx.graph is None:
        return False
    if facts is not None and facts.completed_elsewhere:
        return False  # a base a subclass in another module completes (FlowFacts says when)
    return bool(flow.is_leaf) and not flow.unresolved_bases


def steps_ready(ctx: RuleContext) -> bool:
    """For per-step rules (names, arguments, transition form): a leaf flow's graph, even when
    a base class comes from another module (its steps are unknown, but what one step says
    about itself does not depend on them)."""
    flow = ctx.flow
    return flow is not None and ctx.graph is not None and bool(flow.is_leaf)


def graph_walkable(ctx: RuleContext) -> bool:
    """``graph_ready`` and no step has a syntax error.

    While a step is half typed (``self.next(self.a, self.``) its transition is unknown, and
    every walk over the graph would report its successors as orphans, its join as unbalanced,
    … The syntax error is reported on its own; the whole-graph rules wait for it to be fixed.
    Per-step rules (names, arguments, targets) still run."""
    if not graph_ready(ctx):
        return False
    assert ctx.flow is not None
    if ctx.flow_facts is not None:
        return not ctx.flow_facts.has_broken_step
    return not any(st.has_syntax_error for st in ctx.flow.steps.values())


def nodes(ctx: RuleContext) -> list[GraphNode]:
    """The graph's nodes in Metaflow's iteration order (``dir(flow)``: sorted by name);
    callers must not change the list."""
    return ctx.flow_facts.sorted_nodes if ctx.flow_facts is not None else []


def known(ctx: RuleContext, name: str) -> bool:
    return ctx.graph is not None and name in ctx.graph.nodes


def node(ctx: RuleContext, name: str) -> GraphNode:
    assert ctx.graph is not None
    return ctx.graph.nodes[name]


def step_of(n: GraphNode) -> Step | None:
    return n.step


def _line_end(ctx: RuleContext, line: int) -> int:
    lines = ctx.file.lines
    if 0 <= line < len(lines):
        return len(lines[line].rstrip("\r\n"))
    return 0


def on_line(ctx: RuleContext, span: Span | None, line1: int) -> Span | None:
    """``span`` clipped to 1-based ``line1`` if it starts there, else None."""
    if span is None or span.start_line + 1 != line1:
        return None
    if span.end_line == span.start_line:
        return span
    return Span(span.start_line, span.start_col, span.start_line, _line_end(ctx, span.start_line))


def line_span(ctx: RuleContext, line1: int) -> Span:
    """The non-blank text of a 1-based line (the fallback when nothing more precise exists)."""
    line = max(line1 - 1, 0)
    text = ctx.file.lines[line] if line < len(ctx.file.lines) else ""
    text = text.rstrip("\r\n")
    start = len(text) - len(text.lstrip())
    return Span(line, start, line, len(text))


def flow_span(ctx: RuleContext) -> Span:
    """Where flow-wide findings without a Metaflow line go: the class name."""
    if ctx.flow is not None:
        return ctx.flow.name_span
    return Span.point(0)


def def_span(ctx: RuleContext, n: GraphNode) -> Span:
    """The step name in its ``def`` (Metaflow's ``func_lineno``)."""
    st = step_of(n)
    line1 = n.func_lineno
    if st is not None:
        sp = on_line(ctx, st.name_span, line1) if line1 else st.name_span
        if sp is not None:
            return sp
    return line_span(ctx, line1) if line1 else flow_span(ctx)


def params_span(ctx: RuleContext, n: GraphNode) -> Span:
    """The parameter list of a step's ``def`` when it starts on the ``def`` line."""
    st = step_of(n)
    if st is not None:
        sp = on_line(ctx, st.params_span, st.func_lineno)
        if sp is not None:
            return sp
    return def_span(ctx, n)


def tail_span(ctx: RuleContext, n: GraphNode) -> Span:
    """The first line of the tail ``self.next(...)`` (Metaflow's ``tail_next_lineno``)."""
    line1 = n.tail_next_lineno
    st = step_of(n)
    tr = st.transition if st is not None else None
    if tr is not None:
        sp = on_line(ctx, tr.span, line1) if line1 else on_line(ctx, tr.span, tr.line1)
        if sp is not None:
            return sp
    if line1:
        return line_span(ctx, line1)
    return def_span(ctx, n)


def target_spans(n: GraphNode, name: str) -> list[Span]:
    """Spans of every place the tail transition names step ``name``."""
    st = step_of(n)
    tr = st.transition if st is not None else None
    if tr is None:
        return []
    out = [t.span for t in tr.targets if t.name == name]
    for case in tr.switch_cases:
        if case.target is not None and case.target.name == name and case.target.span not in out:
            out.append(case.target.span)
    return out


def target_span(ctx: RuleContext, n: GraphNode, name: str) -> Span:
    """The target ``name`` inside the tail ``self.next`` if it is on the tail line, else the
    tail line itself (the finding must start on the line Metaflow reports)."""
    line1 = n.tail_next_lineno
    for sp in target_spans(n, name):
        if not line1 or sp.start_line + 1 == line1:
            return sp
    return tail_span(ctx, n)


def related_target(n: GraphNode, name: str, message: str) -> tuple[Related, ...]:
    return tuple(Related(message, sp) for sp in target_spans(n, name)[:1])


def related_def(ctx: RuleContext, name: str, message: str) -> tuple[Related, ...]:
    if ctx.graph is None or name not in ctx.graph.nodes:
        return ()
    return (Related(message, def_span(ctx, ctx.graph.nodes[name])),)


def unknown_reachable(ctx: RuleContext, start: str) -> bool:
    """Whether a transition to an unknown step is reachable from ``start``.

    Metaflow's graph walks (orphans, split/join balance) index the graph with every target and
    crash on an unknown one; the rules skip those walks consistently instead."""
    graph = ctx.graph
    if graph is None or start not in graph.nodes:
        return False
    seen = {start}
    todo = [start]
    while todo:
        cur = graph.nodes[todo.pop()]
        for t in cur.out_funcs:
            if t not in graph.nodes:
                return True
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return False


def delete_lines_fix(ctx: RuleContext, title: str, span: Span) -> Fix | None:
    """A fix deleting the whole lines of ``span`` when nothing else shares them."""
    lines = ctx.file.lines
    if span.end_line >= len(lines):
        return None
    first, last = lines[span.start_line], lines[span.end_line]
    if first[: span.start_col].strip() or last[span.end_col :].split("#")[0].strip():
        return None
    end = Span.point(span.end_line + 1, 0)
    if span.end_line + 1 >= len(lines):
        end = Span.point(span.end_line, len(last))
    start = Span.point(span.start_line, 0)
    return Fix(title, (TextEdit(Span(start.start_line, 0, end.start_line, end.start_col), ""),))
