"""MF101–MF107: the structural checks of ``metaflow/lint.py`` (names, start/end, arguments).

Each rule mirrors one Metaflow check (``mirrors=``), keeps Metaflow's message so users
recognise it from ``python flow.py check``, reports on the line Metaflow reports, and reports
every occurrence instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from metaflow_expert.model import Fix, Related, Span, Step, TextEdit
from metaflow_expert.rules import lint_common as lc
from metaflow_expert.rules.registry import Report, RuleContext, rule

if TYPE_CHECKING:
    from metaflow_expert.graph import GraphNode


def _annotation_span(ctx: RuleContext, n: GraphNode, which: str) -> Span:
    """The ``start=True``/``end=True`` argument of a step's ``@step``, else its name."""
    st = lc.step_of(n)
    if st is not None:
        deco = st.step_decorator
        arg = deco.kwarg(which)
        if arg is not None:
            return arg.span
        return deco.span
    return lc.def_span(ctx, n)


@rule(
    "MF101",
    name="reserved-step-name",
    summary="A step is named with a word Metaflow reserves",
    mirrors="check_reserved_words",
)
def reserved_step_name(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags steps named with one of the words Metaflow reserves for its own attributes (read
    from the `RESERVED` set of `check_reserved_words` in the Metaflow source in use).
    Mirrors Metaflow's `check_reserved_words`.

    ## Why is this bad?
    A step is an attribute of the flow object; a reserved name clashes with what Metaflow
    itself keeps there (`self.input`, `self.index`, `self.next`, …), and `python flow.py check`
    refuses the flow.

    ## Example
    ```python
    @step
    def input(self):
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def load_input(self):
        self.next(self.end)
    ```
    """
    if not lc.steps_ready(ctx):
        return
    reserved = ctx.file_facts.source.reserved_step_names
    if not reserved:
        return
    for n in lc.nodes(ctx):
        if n.name in reserved:
            yield Report(
                lc.def_span(ctx, n),
                f"Step name *{n.name}* is a reserved word. Choose another name for the step.",
                step=n.name,
            )


def _is_run(ctx: RuleContext) -> bool:
    """Whether the file's ``if __name__ == "__main__":`` block calls this flow class.

    Metaflow builds a graph (and runs ``check_basic_steps``) only for the class that
    ``python file.py`` instantiates; a ``FlowSpec`` subclass with no steps that is not run
    there is a base meant to be subclassed elsewhere."""
    run = ctx.file_facts.run_classes
    return ctx.flow is not None and run is not None and ctx.flow.name in run


@rule(
    "MF102",
    name="missing-start-or-end",
    summary="The flow has no single start step or no single end step",
    mirrors="check_basic_steps",
)
def basic_steps(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Checks that the flow has exactly one start step and exactly one end step: a step named
    `start`/`end`, or the single step annotated `@step(start=True)`/`@step(end=True)`.
    Mirrors Metaflow's `check_basic_steps`. A flow class with no steps at all is a base
    meant to be subclassed: it is only checked when the file's `if __name__ == "__main__":`
    block runs it. Likewise, in a module with no `__main__` block, a class that lacks start
    or end and either lacks start or goes on to a step it does not define is a base a
    subclass in another module completes: Metaflow never builds its graph, so none of the
    graph checks (MF102–MF105, MF108, MF110–MF113, …) report on it. A flow being typed gets
    them as soon as it has both start and end, or is named in a `__main__` block.

    ## Why is this bad?
    Metaflow needs to know where a run begins and where it ends; without a unique start or
    end the flow cannot run.

    ## Example
    ```python
    class MyFlow(FlowSpec):
        @step
        def begin(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    ```

    ## Use instead
    ```python
    class MyFlow(FlowSpec):
        @step(start=True)
        def begin(self):
            self.next(self.end)

        @step
        def end(self):
            pass
    ```
    """
    if not lc.graph_ready(ctx):
        return
    graph = ctx.graph
    assert graph is not None
    if not graph.nodes and not _is_run(ctx):
        return  # a base without steps, meant to be subclassed: Metaflow never builds its graph
    for which, current in (("start", graph.start_step), ("end", graph.end_step)):
        if current is not None:
            continue
        annotated = sorted(
            n.name
            for n in lc.nodes(ctx)
            if (n.is_start_step if which == "start" else n.is_end_step)
        )
        if len(annotated) > 1:
            msg = (
                f"Multiple steps annotated with @step({which}=True): {', '.join(annotated)}. "
                "Exactly one is allowed."
            )
            spans = [(a, _annotation_span(ctx, lc.node(ctx, a), which)) for a in annotated]
            for name, sp in spans:
                rel = [Related(f"also annotated: {o}", osp) for o, osp in spans if o != name]
                yield Report(sp, msg, step=name, related=rel)
        else:
            yield Report(
                lc.flow_span(ctx),
                f"Your flow must have exactly one {which} step. Either name a step "
                f"'{which}' or use @step({which}=True).",
            )


@rule(
    "MF103",
    name="ambiguous-start-or-end",
    summary="A step is annotated start/end while another step is named start/end",
    mirrors="check_annotation_name_conflict",
)
def annotation_name_conflict(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a flow where one step is annotated `@step(start=True)` (or `end=True`) while another
    step is named `start` (or `end`). Mirrors Metaflow's `check_annotation_name_conflict`.

    ## Why is this bad?
    Readers (and tools that predate annotations) take the step named `start` for the entry
    point while Metaflow uses the annotated one; Metaflow refuses the ambiguity.

    ## Example
    ```python
    @step(start=True)
    def begin(self):
        self.next(self.start)

    @step
    def start(self):
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step(start=True)
    def begin(self):
        self.next(self.prepare)

    @step
    def prepare(self):
        self.next(self.end)
    ```
    """
    if not lc.graph_ready(ctx):
        return
    graph = ctx.graph
    assert graph is not None
    for which, current in (("start", graph.start_step), ("end", graph.end_step)):
        if current is None or current == which or which not in graph.nodes:
            continue
        yield Report(
            lc.def_span(ctx, graph.nodes[which]),
            f"Ambiguous {which} step: step '{current}' is annotated with @step({which}=True) "
            f"but a step named '{which}' also exists. Remove the '{which}' name or "
            f"the @step({which}=True) annotation.",
            step=which,
            related=[
                Related(
                    f"'{current}' is annotated {which}=True here",
                    _annotation_span(ctx, graph.nodes[current], which),
                )
            ],
        )


@rule(
    "MF104",
    name="start-or-end-degree",
    summary="The start step has incoming transitions, or the end step outgoing ones",
    mirrors="check_start_end_degree",
)
def start_end_degree(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags transitions into the start step and transitions out of the end step. Mirrors
    Metaflow's `check_start_end_degree`.

    ## Why is this bad?
    The start step runs once, first; the end step runs once, last. An edge into `start` or
    out of `end` makes a loop or a second entry Metaflow cannot schedule.

    ## Example
    ```python
    @step
    def train(self):
        self.next(self.start)
    ```

    ## Use instead
    ```python
    @step
    def train(self):
        self.next(self.end)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    graph = ctx.graph
    assert graph is not None
    if graph.start_step is None or graph.end_step is None:
        return
    start = graph.nodes[graph.start_step]
    if start.in_funcs:
        rel: list[Related] = []
        for src in start.in_funcs:
            rel += lc.related_target(graph.nodes[src], start.name, f"transition from {src}")
        yield Report(
            lc.def_span(ctx, start),
            f"The start step *{start.name}* has incoming transitions from "
            f"{', '.join(start.in_funcs)}. A start step must have no incoming transitions.",
            step=start.name,
            related=rel,
        )
    end = graph.nodes[graph.end_step]
    if end.out_funcs:
        yield Report(
            lc.def_span(ctx, end),
            f"The end step *{end.name}* has outgoing transitions. An end step must have no "
            "outgoing transitions (no self.next()).",
            step=end.name,
            related=[Related("the outgoing transition", lc.tail_span(ctx, end))],
        )


@rule(
    "MF105",
    name="end-step-not-terminal",
    summary="The end step calls self.next() or takes a join's inputs argument",
    mirrors="check_that_end_is_end",
)
def end_is_end(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags an end step that ends in `self.next(...)` or that takes an extra (`inputs`)
    argument. Mirrors Metaflow's `check_that_end_is_end`.

    ## Why is this bad?
    The end step is terminal: nothing follows it. It also cannot be a join; Metaflow asks for
    a separate join step before it.

    ## Example
    ```python
    @step
    def end(self, inputs):
        pass
    ```

    ## Use instead
    ```python
    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
    ```
    """
    if not lc.graph_ready(ctx):
        return
    graph = ctx.graph
    assert graph is not None
    if graph.end_step is None:
        return
    n = graph.nodes[graph.end_step]
    if n.has_tail_next or n.invalid_tail_next:
        st = lc.step_of(n)
        tr = st.transition if st is not None else None
        yield Report(
            lc.tail_span(ctx, n),
            f"The terminal step *{n.name}* should not have a self.next() transition. "
            "Just remove it.",
            step=n.name,
            fix=_remove_next_fix(ctx, st, tr.span) if st and tr else None,
        )
    if n.num_args > 1:
        # Metaflow reports this at tail_next_lineno, which is 0 (no line) when the end step
        # has no self.next(); the extra parameter is the useful place.
        yield Report(
            lc.tail_span(ctx, n) if n.has_tail_next else lc.params_span(ctx, n),
            f"The terminal step *{n.name}* should not be a join step (it gets an extra "
            "argument). Add a join step before it.",
            step=n.name,
        )


@rule(
    "MF106",
    name="invalid-step-name",
    summary="A step name has characters other than lowercase letters, digits and underscores",
    mirrors="check_step_names",
)
def step_names(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags step names that contain anything but lowercase ASCII letters, digits and
    underscores (the pattern is read from the Metaflow source in use), or that start with an
    underscore. Mirrors Metaflow's `check_step_names`.

    ## Why is this bad?
    Step names become parts of paths, task ids and command lines on every compute backend;
    Metaflow only accepts names that are safe everywhere.

    ## Example
    ```python
    @step
    def trainModel(self):
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def train_model(self):
        self.next(self.end)
    ```
    """
    if not lc.steps_ready(ctx):
        return
    pattern = ctx.file_facts.source.step_name_pattern
    if pattern is None:
        return
    try:
        bad = re.compile(pattern)
    except re.error:
        return
    for n in lc.nodes(ctx):
        if bad.search(n.name) or n.name.startswith("_"):
            yield Report(
                lc.def_span(ctx, n),
                f"Step *{n.name}* has an invalid name. Only lowercase ascii characters, "
                "underscores, and digits are allowed.",
                step=n.name,
            )


@rule(
    "MF107",
    name="step-arguments",
    summary="A step takes the wrong number of arguments for its kind",
    mirrors="check_num_args",
)
def num_args(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Checks each step's positional parameters: normal steps take only `self`; join steps take
    `self` and `inputs`; a step taking `inputs` must be a join (one target, no split).
    Mirrors Metaflow's `check_num_args`.

    ## Why is this bad?
    Metaflow calls a step with exactly `self` (plus the branches' `inputs` for a join). Any
    other signature fails when the step runs; a step that both joins and splits cannot be
    scheduled.

    ## Example
    ```python
    @step
    def join(self, inputs):
        self.next(self.a, self.b)
    ```

    ## Use instead
    ```python
    @step
    def join(self, inputs):
        self.next(self.fan_out)

    @step
    def fan_out(self):
        self.next(self.a, self.b)
    ```
    """
    if not lc.steps_ready(ctx) or ctx.flow_facts is None:
        return
    shapes = ctx.flow_facts.step_shapes  # the classification every rule shares
    for n in lc.nodes(ctx):
        mistake = shapes[n.name].argument_mistake
        if mistake == "too-many-args":
            msg = (
                f"Step {n.name} has too many arguments. Normal steps take only 'self' as an "
                "argument. Join steps take 'self' and 'inputs'."
            )
        elif mistake in ("join-and-split", "inputs-not-join"):
            msg = (
                f"Step *{n.name}* is both a join step (it takes an extra argument) and a split "
                "step (it transitions to multiple steps). This is not allowed. Add a new step "
                "so that split and join become separate steps."
            )
        elif mistake == "missing-self":
            msg = f"Step *{n.name}* is missing the 'self' argument."
        else:
            continue
        yield Report(lc.params_span(ctx, n), msg, step=n.name, fix=_add_self_fix(ctx, n))


def _remove_next_fix(ctx: RuleContext, st: Step, span: Span) -> Fix | None:
    """Delete the end step's ``self.next(...)``; leave ``pass`` if nothing else remains."""
    fix = lc.delete_lines_fix(ctx, "Remove the self.next() call", span)
    if fix is None:
        return None
    body = st.body_span
    lines = ctx.file.lines
    others = [
        line.split("#")[0].strip()
        for i, line in enumerate(lines[body.start_line : body.end_line + 1], body.start_line)
        if not span.start_line <= i <= span.end_line
    ]
    if any(others):
        return fix
    indent = lines[span.start_line][: span.start_col]
    edit = fix.edits[0]
    return Fix(fix.title, (TextEdit(edit.span, indent + "pass\n"),))


def _add_self_fix(ctx: RuleContext, n: GraphNode) -> Fix | None:
    """``def start():`` → ``def start(self):`` (only for the missing-``self`` case)."""
    st = lc.step_of(n)
    if n.num_args != 0 or st is None or st.params:
        return None
    sp = st.params_span
    line = ctx.file.lines[sp.start_line] if sp.start_line < len(ctx.file.lines) else ""
    if line[sp.start_col : sp.start_col + 1] != "(":
        return None
    rest = line[sp.start_col + 1 :].lstrip()
    text = "self" if rest.startswith(")") else "self, "
    at = Span.point(sp.start_line, sp.start_col + 1)
    return Fix("Add the 'self' parameter", (TextEdit(at, text),))
