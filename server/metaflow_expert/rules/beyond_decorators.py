"""MF2xx rules about how step decorators are stacked.

Metaflow applies decorators bottom-up: ``@step`` must run first (sit lowest) so a built-in
decorator above it finds a step. Both problems here are import-time errors in Metaflow, i.e.
the flow file cannot even be loaded, but ``check``'s graph lint never sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from metaflow_expert.model import DecoratorUse, Fix, FlowFile, Related, Severity, Span, TextEdit
from metaflow_expert.rules.registry import Report, RuleContext, rule

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog, DecoratorSpec


def step_spec(catalog: DecoratorCatalog, name: str) -> DecoratorSpec | None:
    """The catalog's ``DecoratorSpec`` of step decorator ``name``, or None."""
    return catalog.step.get(name)


def _move_above_fix(file: FlowFile, deco: DecoratorUse, step_deco: DecoratorUse) -> Fix | None:
    """Move a one-line decorator to the line above ``@step`` (only when it sits alone)."""
    line = deco.span.start_line
    if deco.span.end_line != line or line >= len(file.lines):
        return None
    text = file.lines[line]
    if text.strip() != text[deco.span.start_col : deco.span.end_col].strip():
        return None
    target = step_deco.span.start_line
    return Fix(
        f"Move @{deco.written} above @step",
        (
            TextEdit(Span.point(target, 0), text.rstrip("\r\n") + "\n"),
            TextEdit(Span(line, 0, line + 1, 0), ""),
        ),
    )


@rule(
    "MF206",
    name="decorator-below-step",
    summary="a Metaflow decorator is placed below `@step`",
    severity=Severity.ERROR,
    mirrors="decorator:not_on_step",
)
def decorator_below_step(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags Metaflow step decorators written *below* `@step` on a step.

    ## Why is this bad?
    Python applies decorators bottom-up, so the Metaflow decorator is applied to a plain
    function that is not a step yet. Metaflow refuses to load the file: "You tried to apply
    decorator 'retry' on 'train' which is not declared as a @step".

    ## Example
    ```python
    @step
    @retry(times=3)
    def train(self):
        ...
    ```

    ## Use instead
    ```python
    @retry(times=3)
    @step
    def train(self):
        ...
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    for step in flow.steps.values():
        below = step.decorators[step.step_decorator_index + 1 :]
        for deco in below:
            if not deco.from_metaflow:
                continue  # user decorators and mutators follow their own rules
            if ctx.catalog is not None and step_spec(ctx.catalog, deco.name) is None:
                continue
            yield Report(
                span=deco.span,
                message=f"Decorator *@{deco.written}* on step *{step.name}* must be placed above "
                "@step: Metaflow applies it to a function that is not a step yet.",
                step=step.name,
                fix=_move_above_fix(ctx.file, deco, step.step_decorator),
            )


@rule(
    "MF207",
    name="duplicate-step-decorator",
    summary="the same Metaflow decorator is applied twice to a step",
    severity=Severity.ERROR,
    mirrors="decorator:duplicate",
)
def duplicate_step_decorator(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a step carrying the same Metaflow decorator more than once, unless that decorator
    allows several uses (its `allow_multiple` in the indexed Metaflow source). Needs the
    decorator catalog; without one the rule stays silent.

    ## Why is this bad?
    Metaflow refuses to load the file: "Step 'train' already has a decorator 'retry'. You can
    specify this decorator only once."

    ## Example
    ```python
    @retry(times=2)
    @retry(times=3)
    @step
    def train(self):
        ...
    ```

    ## Use instead
    ```python
    @retry(times=3)
    @step
    def train(self):
        ...
    ```
    """
    flow = ctx.flow
    if flow is None or ctx.catalog is None:
        return
    for step in flow.steps.values():
        seen: dict[str, DecoratorUse] = {}
        for deco in step.other_decorators:
            if not deco.from_metaflow:
                continue
            spec = step_spec(ctx.catalog, deco.name)
            if spec is None or spec.allow_multiple:
                continue
            first = seen.setdefault(deco.name, deco)
            if first is deco:
                continue
            yield Report(
                span=deco.span,
                message=f"Step *{step.name}* already has a decorator *@{deco.name}*. You can "
                "specify this decorator only once.",
                step=step.name,
            )


@rule(
    "MF218",
    name="caught-failure-read-later",
    summary="a step that `@catch` lets fail, without `var=`, sets an artifact a later step reads",
    severity=Severity.WARNING,
    mirrors="runtime:catch",
)
def caught_failure_read_later(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a step decorated with a decorator that lets the run go on after the step fails
    (one whose class handles `task_exception` in the indexed Metaflow source, such as
    `@catch`) without its `var=` argument, when a later step reads an artifact that only the
    failing step sets. Needs the decorator catalog; without one the rule stays silent.

    ## Why is this bad?
    When the step fails, Metaflow continues with the next step as if `self.next()` had been
    called, but the step's artifacts were never set: the later read raises `AttributeError`,
    in another step, often much later. Without `var=` the later step cannot even tell that
    the failure happened.

    ## Example
    ```python
    @catch
    @step
    def train(self):
        self.model = fit()
        self.next(self.end)

    @step
    def end(self):
        print(self.model.score)
    ```

    ## Use instead
    ```python
    @catch(var="train_failed")
    @step
    def train(self):
        self.model = fit()
        self.next(self.end)

    @step
    def end(self):
        if not self.train_failed:
            print(self.model.score)
    ```
    """
    facts = ctx.flow_facts
    if ctx.catalog is None or facts is None or not facts.followable or ctx.graph is None:
        return
    nodes, steps = ctx.graph.nodes, facts.flow.steps
    opaque = facts.opaque_reach  # an unresolved decorator there may set anything
    writers: dict[str, set[str]] | None = None  # artifact → steps writing it, once needed
    for use in facts.decorator_uses:
        step, spec, deco = use.step, use.spec, use.deco
        if step is None or "task_exception" not in spec.methods or spec.arg("var") is None:
            continue
        if deco.kwarg("var") is not None or deco.has_unpacked_args:
            continue
        if writers is None:  # most flows catch nothing: they never pay for the table
            writers = {}
            for name, names in facts.writes.items():
                for artifact in names:
                    writers.setdefault(artifact, set()).add(name)
        # what the step's decorators set is set on failure too: only the body's writes count
        by_decorators = facts.decorator_writes.steps.get(step.name, frozenset())
        only_here = {
            a
            for a in facts.writes.get(step.name, ())
            if writers[a] == {step.name}
            and a not in facts.provided_names
            and a not in by_decorators
        }
        # the first read of one of them, breadth-first from the step's successors
        seen, todo = {step.name}, list(nodes[step.name].out_funcs if step.name in nodes else ())
        read = None
        while todo and read is None:
            later = todo.pop(0)
            if later in seen or later not in nodes or later not in steps or later in opaque:
                continue
            seen.add(later)
            read = next(
                (a for a in steps[later].artifacts if a.kind == "read" and a.name in only_here),
                None,
            )
            if read is None:
                todo.extend(nodes[later].out_funcs)
            else:
                yield Report(
                    span=deco.span,
                    message=f"Step *{step.name}* goes on after a failure (@{deco.written} "
                    f"without var=), but step *{later}* reads *{read.name}*, which only "
                    f"*{step.name}* sets: that read raises AttributeError when *{step.name}* "
                    f'fails. Add @{deco.written}(var="{step.name}_failed") and test it '
                    "before reading.",
                    step=step.name,
                    related=(Related(f"*{read.name}* read in step *{later}*", read.span),),
                    cites=spec.cite,
                )
