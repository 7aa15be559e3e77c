"""MF116–MF118: the ``@parallel`` checks of ``metaflow/lint.py``.

A parallel foreach (``self.next(self.train, num_parallel=4)``) must go to a step carrying the
``@parallel`` decorator (any decorator Metaflow marks ``IS_PARALLEL``; the graph records it as
``parallel_step``), that step must be followed by a join, and a ``@parallel`` step must only be
reached through ``num_parallel``.
"""

from __future__ import annotations

from collections.abc import Iterator

from metaflow_expert.model import Related
from metaflow_expert.rules import lint_common as lc
from metaflow_expert.rules.registry import Report, RuleContext, rule


@rule(
    "MF116",
    name="num-parallel-target-not-parallel",
    summary="self.next(..., num_parallel=...) goes to a step without @parallel",
    mirrors="check_parallel_step_after_next",
)
def parallel_step_after_next(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a step that starts a parallel foreach (`num_parallel=`) whose target step lacks the
    `@parallel` decorator. Mirrors Metaflow's `check_parallel_step_after_next`.

    ## Why is this bad?
    `num_parallel` starts a gang of tasks that must run together (distributed training);
    only a `@parallel` step knows how to take part in it.

    ## Example
    ```python
    @step
    def start(self):
        self.next(self.train, num_parallel=4)

    @step
    def train(self):
        self.next(self.join)
    ```

    ## Use instead
    ```python
    @parallel
    @step
    def train(self):
        self.next(self.join)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    # a decorator the catalog cannot resolve may be a parallel one (@metaflow_ray…)
    unknown = ctx.flow_facts.unresolved_steps if ctx.flow_facts is not None else frozenset()
    for n in lc.nodes(ctx):
        if not n.parallel_foreach:
            continue
        missing = [
            t
            for t in n.out_funcs
            if lc.known(ctx, t) and not lc.node(ctx, t).parallel_step and t not in unknown
        ]
        if not missing:
            continue
        rel: list[Related] = []
        for t in missing:
            rel += lc.related_def(ctx, t, f"{t} has no @parallel decorator")
        yield Report(
            lc.def_span(ctx, n),
            f"Step *{n.name}* is called as a parallel step with self.next(num_parallel=..) but "
            "does not have a @parallel decorator.",
            step=n.name,
            related=rel,
        )


@rule(
    "MF117",
    name="parallel-not-followed-by-join",
    summary="A @parallel step is not followed by a join step",
    mirrors="check_join_followed_by_parallel_step",
)
def join_followed_by_parallel_step(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a `@parallel` step whose next step is not a join (a step taking `inputs`).
    Mirrors Metaflow's `check_join_followed_by_parallel_step`. A `@parallel` step with no
    next step at all (for example the end step) is reported too; Metaflow's check crashes on
    it.

    ## Why is this bad?
    The tasks of a parallel gang must be gathered by a join before the flow continues.

    ## Example
    ```python
    @parallel
    @step
    def train(self):
        self.next(self.evaluate)

    @step
    def evaluate(self):
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def evaluate(self, inputs):
        self.next(self.end)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    for n in lc.nodes(ctx):
        if not n.parallel_step:
            continue
        if not n.out_funcs:
            yield Report(
                lc.def_span(ctx, n),
                f"An @parallel step should be followed by a join step. Step *{n.name}* has "
                "@parallel but no self.next() transition to a join step.",
                step=n.name,
            )
            continue
        nxt = n.out_funcs[0]
        if not lc.known(ctx, nxt) or lc.node(ctx, nxt).type == "join":
            continue
        yield Report(
            lc.def_span(ctx, n),
            f"An @parallel step should be followed by a join step. Step *{nxt}* is called "
            "after an @parallel step but is not a join step. Please add an extra `inputs` "
            "argument to the step.",
            step=n.name,
            related=lc.related_def(ctx, nxt, f"{nxt} takes no inputs argument"),
        )


@rule(
    "MF118",
    name="parallel-without-num-parallel",
    summary="A @parallel step is reached without self.next(..., num_parallel=...)",
    mirrors="check_parallel_foreach_calls_parallel_step",
)
def parallel_foreach_calls_parallel_step(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a `@parallel` step that some step transitions to without `num_parallel=`.
    Mirrors Metaflow's `check_parallel_foreach_calls_parallel_step`.

    ## Why is this bad?
    A `@parallel` step expects to run as one of a gang of tasks started by
    `self.next(self.step, num_parallel=N)`; reached any other way it has no gang to join.

    ## Example
    ```python
    @step
    def start(self):
        self.next(self.train)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.next(self.train, num_parallel=4)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    all_nodes = lc.nodes(ctx)
    for n in all_nodes:
        if not n.parallel_step:
            continue
        for caller in all_nodes:
            if n.name in caller.out_funcs and not caller.parallel_foreach:
                yield Report(
                    lc.def_span(ctx, n),
                    f"Step *{n.name}* has a @parallel decorator, but is not called with "
                    f"self.next(num_parallel=...) from step *{caller.name}*.",
                    step=n.name,
                    related=lc.related_target(caller, n.name, f"transition from {caller.name}"),
                )
