"""Quick fixes the model can justify beyond those rules attach (``Finding.fix``).

Why here: adding ``inputs`` to a join and adding an unambiguous missing ``self.next`` need
only the model and the graph, and are worth offering even when the finding that prompted them
came from a rule without a fix. Pure: returns model ``Fix`` objects.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from metaflow_expert.model import Fix, FlowClass, FlowFile, Span, Step, TextEdit
from metaflow_expert.rules.dataflow import switch_fan_in

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph, GraphNode


def _node(graph: FlowGraph | None, name: str) -> GraphNode | None:
    return graph.nodes.get(name) if graph is not None else None


def add_inputs_fix(
    file: FlowFile, flow: FlowClass, step: Step, graph: FlowGraph | None
) -> Fix | None:
    """A step reached by several branches (or closing a foreach) that takes no ``inputs``."""
    if len(step.params) != 1:
        return None
    node = _node(graph, step.name)
    if node is None:
        return None
    fan_in = len(node.in_funcs) > 1
    closes_foreach = any(
        (parent := _node(graph, p)) is not None and parent.type == "foreach" for p in node.in_funcs
    )
    if not (fan_in or closes_foreach):
        return None
    if not closes_foreach and graph is not None and switch_fan_in(graph, step.name) is not None:
        return None  # a switch's cases meet (or it loops) here: only one runs, no join
    line = step.def_span.start_line
    text = file.lines[line] if line < len(file.lines) else ""
    m = re.search(r"\(\s*(\w+)\s*(,\s*)?\)", text[step.name_span.end_col :])
    if m is None:
        return None
    close = step.name_span.end_col + m.end() - 1
    insert = "inputs" if m.group(2) else ", inputs"
    return Fix(
        title=f"Add an `inputs` argument to join step '{step.name}'",
        edits=(TextEdit(Span(line, close, line, close), insert),),
    )


def add_transition_fix(
    file: FlowFile, flow: FlowClass, step: Step, graph: FlowGraph | None
) -> Fix | None:
    """A non-end step with no ``self.next``, when exactly one step is reached by nothing."""
    if step.transition is not None or step.non_tail_next_calls or graph is None:
        return None
    if graph.end_step == step.name:
        return None
    start = graph.start_step
    orphans = [
        n
        for n in flow.steps
        if n not in (step.name, start) and not ((node := _node(graph, n)) and node.in_funcs)
    ]
    if len(orphans) != 1:
        return None
    anchor = step.last_statement_span or step.body_span
    line = anchor.end_line
    text = file.lines[anchor.start_line] if anchor.start_line < len(file.lines) else ""
    indent = text[: len(text) - len(text.lstrip())] or " " * (step.def_span.start_col + 4)
    end_col = len(file.lines[line].rstrip("\r\n")) if line < len(file.lines) else anchor.end_col
    return Fix(
        title=f"Add `self.next(self.{orphans[0]})` to step '{step.name}'",
        edits=(
            TextEdit(Span(line, end_col, line, end_col), f"\n{indent}self.next(self.{orphans[0]})"),
        ),
    )


def derived_fixes(
    file: FlowFile, flow: FlowClass, graph: FlowGraph | None
) -> list[tuple[Step, Fix]]:
    out: list[tuple[Step, Fix]] = []
    for step in flow.steps.values():
        for make in (add_inputs_fix, add_transition_fix):
            try:
                fix = make(file, flow, step, graph)
            except Exception:
                fix = None
            if fix is not None:
                out.append((step, fix))
    return out
