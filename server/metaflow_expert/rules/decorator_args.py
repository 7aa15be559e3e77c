"""MF301–MF304: decorator names and arguments checked against the decorator catalog.

Metaflow checks these when the flow file is imported (``Decorator.__init__`` rejects an
unknown attribute; a name not exported by ``metaflow`` fails the import) or when the step
starts (``int(self.attributes["times"])`` on a value it cannot convert). The catalog is read
from the Metaflow source in use, so an extension's decorators and a newer release's arguments
are known without changing this file. Without a catalog these rules stay silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from metaflow_expert.model import DecoratorUse, Fix, Severity, Step, TextEdit
from metaflow_expert.rules.decorator_common import metaflow_decorators, where
from metaflow_expert.rules.registry import Report, RuleContext, rule
from metaflow_expert.rules.suggest import closest


@rule(
    "MF301",
    name="unknown-decorator-argument",
    summary="a Metaflow decorator is given an argument it does not support",
    severity=Severity.ERROR,
    mirrors="Decorator.__init__",
)
def unknown_decorator_argument(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a keyword argument that is not one of the decorator's attributes (the keys of the
    decorator class's `defaults` in the indexed Metaflow source), and suggests the closest one.

    ## Why is this bad?
    Metaflow refuses to load the file: "Decorator 'batch' does not support the attribute
    'memroy'. These attributes are supported: cpu, gpu, memory, …".

    ## Example
    ```python
    @batch(memroy=16000)
    @step
    def train(self):
        ...
    ```

    ## Use instead
    ```python
    @batch(memory=16000)
    @step
    def train(self):
        ...
    ```
    """
    cat = ctx.catalog
    cite = cat.framework.get("Decorator.__init__:raise") if cat is not None else None
    for use in metaflow_decorators(ctx):
        names = list(use.spec.arg_names)
        for arg in use.deco.args:
            if arg.star or arg.name is None or arg.name in names:
                continue
            best = closest(arg.name, names, cutoff=60.0)
            hint = f" Did you mean *{best}*?" if best else ""
            fix = None
            if best and arg.name_span is not None:
                fix = Fix(f"Replace '{arg.name}' with '{best}'", (TextEdit(arg.name_span, best),))
            supported = ", ".join(names) if names else "none"
            yield Report(
                span=arg.name_span or arg.span,
                message=f"Decorator '{use.spec.name}' does not support the attribute '{arg.name}'."
                f"{hint} These attributes are supported: {supported}.",
                step=use.step.name if use.step else None,
                fix=fix,
                cites=cite,
            )


def _all_decorators(ctx: RuleContext) -> Iterator[tuple[DecoratorUse, str, Step | None]]:
    flow = ctx.flow
    if flow is None:
        return
    for deco in flow.decorators:
        yield deco, "flow", None
    for step in flow.steps.values():
        for deco in step.applied_decorators:  # a dropped one is still built (MF220's case)
            yield deco, "step", step


@rule(
    "MF302",
    name="unknown-metaflow-decorator",
    summary="a decorator imported from metaflow is not registered by the Metaflow in use",
    severity=Severity.WARNING,
    mirrors="metaflow.__init__",
)
def unknown_metaflow_decorator(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a decorator written as `metaflow.x` or imported `from metaflow` when the indexed
    Metaflow (with the extensions installed beside it) registers no step or flow decorator
    (or other top-level name) of that name, with the closest decorator name as a suggestion.
    It is a warning naming the Metaflow in use: the decorator may come from an extension
    installed in another environment, so point metaflow-expert at that one (the
    `metaflowExpert.interpreter` or `metaflowExpert.metaflowSource` setting, `--python` or
    `--metaflow-source` on the command line). Until then no other rule reasons about that
    step's parallelism, artifacts or `current` attributes. A decorator an installed extension
    switches off (`TOGGLE_STEP_DECORATOR = ["-batch"]`) is an error. Names not imported from
    metaflow (your own decorators) are never flagged.

    ## Why is this bad?
    `from metaflow import retyr` fails with an ImportError, and `@metaflow.retyr` with an
    AttributeError, before any step runs.

    ## Example
    ```python
    from metaflow import FlowSpec, step, retyr
    ```

    ## Use instead
    ```python
    from metaflow import FlowSpec, step, retry
    ```
    """
    cat = ctx.catalog
    if cat is None or ctx.flow is None:
        return
    facts = ctx.file_facts
    init = cat.api.get("step")
    for deco, kind, step in _all_decorators(ctx):
        if not facts.is_unresolved(deco):
            continue
        choices = list(cat.step) if kind == "step" else list(cat.flow)
        best = closest(deco.name, choices, cutoff=60.0)
        hint = f" Did you mean *@{best}*?" if best else ""
        fix = None
        if best and deco.written == deco.name:
            fix = Fix(f"Replace '@{deco.name}' with '@{best}'", (TextEdit(deco.name_span, best),))
        toggle = cat.disabled.get(deco.name)
        if toggle is not None:
            where_off = f" ({toggle})" if toggle else ""
            yield Report(
                span=deco.name_span,
                message=f"The {kind} decorator *@{deco.name}* is switched off in Metaflow "
                f"{cat.version} by an installed extension{where_off}; importing it fails.",
                step=step.name if step else None,
                cites=toggle or None,
                severity=Severity.ERROR,
            )
            continue
        yield Report(
            span=deco.name_span,
            message=f"Metaflow {cat.version} at {cat.root} has no {kind} decorator "
            f"*@{deco.name}*.{hint} If it comes from an extension installed elsewhere, point "
            "metaflow-expert at that environment (setting metaflowExpert.interpreter or "
            "metaflowExpert.metaflowSource; --python or --metaflow-source on the command line).",
            step=step.name if step else None,
            fix=fix,
            cites=init.cite if init is not None else None,
        )


@rule(
    "MF303",
    name="duplicate-flow-decorator",
    summary="the same Metaflow flow decorator is applied twice to a flow",
    severity=Severity.ERROR,
    mirrors="decorator:duplicate",
)
def duplicate_flow_decorator(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a flow class carrying the same Metaflow flow decorator twice, unless the decorator
    allows several uses (its `allow_multiple` in the indexed source, e.g. `@exit_hook`).
    (Step decorators: see MF207.)

    ## Why is this bad?
    Metaflow refuses to load the file: "Flow already has a decorator 'schedule'. You can
    specify each decorator only once."

    ## Example
    ```python
    @schedule(daily=True)
    @schedule(hourly=True)
    class MyFlow(FlowSpec):
        ...
    ```

    ## Use instead
    ```python
    @schedule(hourly=True)
    class MyFlow(FlowSpec):
        ...
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    # Metaflow also counts flow decorators inherited from base classes (in this file)
    facts = ctx.file_facts
    inherited: dict[str, str] = {}
    todo, visited = list(flow.bases), {flow.name}
    while todo:
        base = facts.flows_by_name.get(todo.pop(0))
        if base is None or base.name in visited:
            continue
        visited.add(base.name)
        for use in facts.decorator_uses(base):
            if use.kind == "flow":
                inherited.setdefault(use.spec.name, base.name)
        todo += base.bases
    seen: dict[str, DecoratorUse] = {}
    for use in metaflow_decorators(ctx):
        if use.kind != "flow" or use.spec.allow_multiple:
            continue
        first = seen.setdefault(use.spec.name, use.deco)
        base_name = inherited.get(use.spec.name)
        if first is use.deco and base_name is None:
            continue
        where_from = f" (inherited from *{base_name}*)" if first is use.deco else ""
        yield Report(
            span=use.deco.span,
            message=f"Flow *{flow.name}* already has a decorator *@{use.spec.name}*{where_from}. "
            "You can specify this decorator only once.",
            cites=use.spec.allow_multiple_cite or use.spec.cite,
        )


def _convert(kind: str, value: Any) -> bool:
    """Would Metaflow's ``int(v)`` / ``float(v)`` / ``float(v).is_integer()`` accept ``value``?"""
    try:
        if kind == "int":
            int(value)
        elif kind == "float":
            float(value)
        elif kind == "integer":
            return float(value).is_integer()
    except (TypeError, ValueError, OverflowError):
        return False
    return True


@rule(
    "MF304",
    name="unconvertible-decorator-value",
    summary="a literal decorator value that Metaflow's own code cannot convert",
    severity=Severity.ERROR,
    mirrors="step_init",
)
def unconvertible_decorator_value(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Reads how each decorator's code in the indexed Metaflow converts its arguments
    (`int(self.attributes["memory"])`, `float(...)`, `float(...).is_integer()`) and flags a
    literal value that conversion would reject. Strings that convert are fine — Metaflow's own
    default for `@retry(times=…)` is the string `"3"`.

    ## Why is this bad?
    The run fails when the step starts, e.g. `ValueError: could not convert string to float:
    '16GB'`, or "Invalid GPU value *0.5* for step *train*; it should be an integer".

    ## Example
    ```python
    @kubernetes(memory="16GB", gpu=0.5)
    @step
    def train(self):
        ...
    ```

    ## Use instead
    ```python
    @kubernetes(memory=16384, gpu=1)
    @step
    def train(self):
        ...
    ```
    """
    for use in metaflow_decorators(ctx):
        conversions = use.spec.conversions
        for arg in use.deco.args:
            if arg.star or arg.name not in conversions or not arg.is_literal:
                continue
            value = arg.value
            if value is None or isinstance(value, bool):
                continue
            convs = conversions[arg.name]
            kinds = {k for k, _ in convs}
            # strictest-first: a value float() rejects fails wherever it is used; one that only
            # int() rejects fails only on the paths that call int() (a warning if float() is
            # also used, as then int() may sit on a conditional path)
            order = sorted(convs, key=lambda c: (c[0] == "int", c[1]))
            for kind, line in order:
                if _convert(kind, value):
                    continue
                severity = Severity.ERROR
                if kind == "int" and "float" in kinds:
                    severity = Severity.WARNING
                what = {
                    "int": "an integer",
                    "float": "a number",
                    "integer": "a whole number",
                }[kind]
                yield Report(
                    span=arg.value_span,
                    message=f"@{use.spec.name}({arg.name}={arg.source}) on {where(use)}: Metaflow "
                    f"converts *{arg.name}* to {what} and cannot convert {arg.source}.",
                    step=use.step.name if use.step else None,
                    cites=f"{use.spec.path}:{line}",
                    severity=severity,
                )
                break


# The functions Metaflow generates every ``from metaflow import <decorator>`` from; a positional
# argument reaches them as the object being decorated.
_BASE_FUNCTIONS = {"step": "_base_step_decorator", "flow": "_base_flow_decorator"}


@rule(
    "MF312",
    name="positional-decorator-argument",
    summary="a Metaflow decorator given a positional argument (they take keywords only)",
    severity=Severity.ERROR,
    mirrors="decorator:positional",
)
def positional_decorator_argument(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `@retry(3)` or `@project("name")`: Metaflow's decorators accept keyword arguments
    only.

    ## Why is this bad?
    Metaflow takes the positional value for the function or class being decorated and refuses
    to load the file ("You tried to apply decorator 'retry' on '3' which is not declared as a
    @step", or "Decorator 'project' can be applied only to FlowSpecs").

    ## Example
    ```python
    @retry(3)
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
    cat = ctx.catalog
    framework = cat.framework if cat is not None else {}
    for use in metaflow_decorators(ctx):
        positional = [a for a in use.deco.args if a.name is None and not a.star]
        if not positional:
            continue
        names = list(use.spec.arg_names)
        hint = (
            f" e.g. @{use.spec.name}({names[0]}={positional[0].source})" if len(names) == 1 else ""
        )
        yield Report(
            span=positional[0].span,
            message=f"@{use.spec.name} on {where(use)} takes keyword arguments only "
            f"(got {positional[0].source}).{hint}",
            step=use.step.name if use.step else None,
            cites=framework.get(_BASE_FUNCTIONS[use.kind]),
        )
