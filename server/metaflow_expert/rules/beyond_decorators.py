"""MF2xx rules about how step decorators are stacked.

Metaflow applies decorators bottom-up: ``@step`` must run first (sit lowest) so a built-in
decorator above it finds a step. Both problems here are import-time errors in Metaflow, i.e.
the flow file cannot even be loaded, but ``check``'s graph lint never sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from metaflow_expert.model import DecoratorUse, Fix, FlowFile, Severity, Span, TextEdit
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
