"""MF220, MF221: a step's definition that Python quietly undoes before Metaflow sees it.

Both mistakes load, check and run without a word from Python or Metaflow; what is lost is
only visible later (a step that is not ``@parallel`` after all, a ``@retry`` that never
retries). Metaflow's ``step()`` (``metaflow/decorators.py``, its inner ``_apply``; line 1172
in Metaflow 2.19.39) starts the function's decorator list afresh every time it runs —
``func.decorators = []``, and likewise ``config_decorators`` and ``wrappers`` — and Python
applies decorators bottom-up, so a second ``@step`` wipes out every decorator that
``_base_step_decorator`` appended below it (``@parallel``, ``@retry``, user step decorators);
those below the lowest ``@step`` fail earlier, as "not a step" (MF206's case). And a class body is a namespace:
a second ``def deploy`` replaces the first, decorators and all.
"""

from __future__ import annotations

from collections.abc import Iterator

from metaflow_expert.model import DecoratorUse, Related, Severity, Step
from metaflow_expert.rules.registry import Report, RuleContext, rule


def _step_cite(ctx: RuleContext) -> str | None:
    """``path:line`` of Metaflow's ``step()`` in the indexed source."""
    api = ctx.catalog.api.get("step") if ctx.catalog is not None else None
    return f"{api.path}:{api.line}" if api is not None else None


@rule(
    "MF220",
    name="step-decorator-twice",
    summary="`@step` applied twice: the decorators between the two are silently dropped",
    severity=Severity.ERROR,
)
def step_decorator_twice(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a second `@step` on a step, naming the decorators it drops: those between it and
    the next `@step` below.

    ## Why is this bad?
    Python applies decorators from the bottom up, and each time Metaflow's `step()` runs it
    starts the step's decorator list afresh. The upper `@step` therefore throws away every
    decorator applied before it: `@parallel`, `@retry`, `@resources`… are silently gone, and
    the step runs without them (`self.next(..., num_parallel=...)` into it then fails).

    ## Example
    ```python
    @step
    @parallel
    @step
    def train(self):
        ...
    ```

    ## Use instead
    ```python
    @parallel
    @step
    def train(self):
        ...
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    cite = _step_cite(ctx)
    for step in flow.steps.values():
        if not step.extra_step_decorators:
            continue
        uppers = sorted(step.extra_step_decorators)
        below = [*uppers[1:], step.step_decorator_index]
        for at, nxt in zip(uppers, below, strict=True):
            deco = step.decorators[at]
            lost = step.decorators[at + 1 : nxt]
            yield _twice(step, deco, lost, step.decorators[nxt], cite)


def _twice(
    step: Step, deco: DecoratorUse, lost: list[DecoratorUse], lower: DecoratorUse, cite: str | None
) -> Report:
    related = (Related("the @step Python applies first", lower.span),)
    if not lost:
        return Report(
            deco.span,
            f"@step is applied twice to step *{step.name}*; remove this one (it has no effect).",
            step=step.name,
            related=related,
            cites=cite,
            severity=Severity.WARNING,
        )
    names = ", ".join(f"@{d.written}" for d in lost)
    return Report(
        deco.span,
        f"@step is applied twice to step *{step.name}*: this one resets the step's decorators, "
        f"so {names} below it {'is' if len(lost) == 1 else 'are'} silently dropped. "
        "Remove this @step.",
        step=step.name,
        related=related,
        cites=cite,
    )


@rule(
    "MF221",
    name="step-defined-twice",
    summary="a step's name is defined again in the class: Python keeps only the last definition",
    severity=Severity.ERROR,
)
def step_defined_twice(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a step whose name the same class body defines again below it (a second `def`, or
    an assignment).

    ## Why is this bad?
    A class body binds names like any other Python code: the last definition wins. The first
    step, with its decorators and its body, disappears without a word; Metaflow builds the
    graph from the last one only.

    ## Example
    ```python
    @retry
    @step
    def deploy(self):
        self.next(self.end)

    @step
    def deploy(self):
        self.next(self.end)
    ```

    ## Use instead
    Rename one of the two steps, or delete the one you do not mean to keep.
    """
    flow = ctx.flow
    if flow is None:
        return
    for shadowed in flow.shadowed_steps:
        step = shadowed.step
        later = "step" if shadowed.by_step else "name"
        decos = ", ".join(f"@{d.written}" for d in step.other_decorators)
        lost = f"this one, with {decos}," if decos else "this one"
        yield Report(
            step.name_span,
            f"Step *{step.name}* is defined twice: Python keeps the last definition "
            f"(line {shadowed.by.line1}), so {lost} disappears. Rename or remove one of them.",
            step=step.name,
            related=(Related(f"the later {later} *{step.name}*", shadowed.by),),
        )
