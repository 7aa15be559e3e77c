"""MF305–MF311: checks Metaflow's decorators make in ``step_init``/``flow_init``, decided early.

Each limit or condition is read from the decorator's code in the indexed Metaflow (the catalog
derives them from its ``if …: raise`` statements and constants) and every finding cites the
line that raises, so the rules follow the Metaflow version in use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from metaflow_expert.model import Severity, Span
from metaflow_expert.rules.decorator_common import Use, given, metaflow_decorators, where
from metaflow_expert.rules.registry import Report, RuleContext, rule


@rule(
    "MF305",
    name="retry-above-maximum",
    summary="`@retry(times=…)` above the maximum Metaflow allows",
    severity=Severity.ERROR,
    mirrors="decorator:retry",
)
def retry_above_maximum(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `@retry(times=N)` when N exceeds the maximum the indexed Metaflow accepts (derived
    from `RetryDecorator.step_init` and `MAX_ATTEMPTS` in its config).

    ## Why is this bad?
    The run fails when the step starts: "The maximum number of retries is @retry(times=4)."

    ## Example
    ```python
    @retry(times=10)
    @step
    def train(self):
        ...
    ```

    ## Use instead
    ```python
    @retry(times=4)
    @step
    def train(self):
        ...
    ```
    """
    cat = ctx.catalog
    limit = cat.limits.get("retry.times.max") if cat is not None else None
    if limit is None:
        return
    for use in metaflow_decorators(ctx):
        if use.spec.name != "retry":
            continue
        arg = use.deco.kwarg("times")
        if arg is None or not arg.is_literal:
            continue
        try:
            times = int(arg.value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            continue  # MF304 reports values Metaflow cannot convert
        if times > limit.value:
            yield Report(
                span=arg.value_span,
                message=f"@retry(times={arg.source}) on {where(use)}: the maximum number of retries "
                f"is @retry(times={limit.value}).",
                step=use.step.name if use.step else None,
                cites=limit.cite,
            )


@rule(
    "MF306",
    name="decorator-missing-required",
    summary="a decorator is missing the argument(s) it needs (`@timeout` duration, `@trigger` event…)",
    severity=Severity.ERROR,
    mirrors="step_init",
)
def decorator_missing_required(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a decorator written without any of the arguments its code requires, as read from the
    indexed source: `@timeout` with no (non-zero) duration, `@trigger` without `event`/`events`,
    `@trigger_on_finish` without `flow`/`flows`, `@exit_hook` without `on_success`/`on_error`.
    Arguments from `**config` or `config_expr(...)` count as given (they are only known at run
    time).

    ## Why is this bad?
    Metaflow stops the run (or deployment): "Specify a duration for @timeout.", "No event(s)
    specified in *@trigger* decorator.", "Choose at least one of the options
    on_success/on_error".

    ## Example
    ```python
    @timeout
    @step
    def train(self):
        ...
    ```

    ## Use instead
    ```python
    @timeout(minutes=30)
    @step
    def train(self):
        ...
    ```
    """
    for use in metaflow_decorators(ctx):
        checks = use.spec.checks
        groups: list[tuple[list[str], str]] = list(checks.get("required_any", []))
        if checks.get("requires_result"):
            cite = checks["requires_result"][0][1]
            exclusive = checks.get("exclusive", [])
            names = exclusive[0][0] if exclusive else list(use.spec.arg_names)
            groups.append((names, cite))
        for names, cite in groups:
            names = [n for n in names if n in use.spec.arg_names]
            if not names:
                continue
            states = [given(use.deco, n) for n in names]
            if any(s is None or s for s in states):
                continue
            listed = " or ".join(f"*{n}*" for n in names)
            yield Report(
                span=use.deco.span,
                message=f"@{use.spec.name} on {where(use)} needs {listed} (none given).",
                step=use.step.name if use.step else None,
                cites=cite,
                mirrors="step_init" if use.kind == "step" else "flow_init",
            )


@rule(
    "MF307",
    name="decorator-exclusive-arguments",
    summary="a decorator is given arguments that exclude each other (`event` and `events`)",
    severity=Severity.ERROR,
    mirrors="flow_init",
)
def decorator_exclusive_arguments(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a decorator given more than one of a set of arguments its code accepts only one of
    (read from the indexed source): `@trigger(event=…, events=…)`,
    `@trigger_on_finish(flow=…, flows=…)`.

    ## Why is this bad?
    Metaflow stops: "Specify only one of *event* or *events* attributes in *@trigger*
    decorator."

    ## Example
    ```python
    @trigger(event="data_ready", events=["model_ready"])
    class MyFlow(FlowSpec):
        ...
    ```

    ## Use instead
    ```python
    @trigger(events=["data_ready", "model_ready"])
    class MyFlow(FlowSpec):
        ...
    ```
    """
    for use in metaflow_decorators(ctx):
        for names, cite in (use.spec.checks).get("exclusive", []):
            present = [n for n in names if given(use.deco, n) is not False and use.deco.kwarg(n)]
            if len(present) < 2:
                continue
            arg = use.deco.kwarg(present[1])
            listed = " or ".join(f"*{n}*" for n in names)
            yield Report(
                span=arg.span if arg else use.deco.span,
                message=f"Specify only one of {listed} in *@{use.spec.name}* on {where(use)}.",
                step=use.step.name if use.step else None,
                cites=cite,
                mirrors="flow_init" if use.kind == "flow" else "step_init",
            )


@rule(
    "MF308",
    name="decorator-on-refused-step-type",
    summary="a decorator on a kind of step it refuses (`@catch` on a foreach or switch, `@parallel` on a switch)",
    severity=Severity.ERROR,
    mirrors="step_init",
)
def decorator_on_refused_step_type(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a step decorator on a step whose graph type the decorator's `step_init` rejects (read
    from the indexed source): `@catch` on a foreach split or a switch step, `@parallel` on a
    switch step.

    ## Why is this bad?
    The run fails before the first task: "@catch is defined for the step *start* but @catch is
    not supported in foreach split steps."

    ## Example
    ```python
    @catch(var="err")
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")
    ```

    ## Use instead
    Put `@catch` on the steps inside the foreach (`work`), not on the step that splits.
    """
    graph = ctx.graph
    if graph is None:
        return
    for use in metaflow_decorators(ctx):
        if use.step is None or use.step.name not in graph:
            continue
        node_type = graph[use.step.name].type
        for types, cite in (use.spec.checks).get("forbidden_types", []):
            if node_type in types:
                kind = "switch" if node_type == "split-switch" else node_type
                yield Report(
                    span=use.deco.span,
                    message=f"@{use.spec.name} is not supported on {kind} steps, and *{use.step.name}* "
                    f"is a {kind} step.",
                    step=use.step.name,
                    cites=cite,
                )
                break


@rule(
    "MF309",
    name="conflicting-decorators",
    summary="step decorators Metaflow refuses to combine (`@kubernetes` with `@batch`)",
    severity=Severity.ERROR,
    mirrors="step_init",
)
def conflicting_decorators(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a step that carries a combination of decorators one of them refuses in its
    `step_init` (read from the indexed source), e.g. `@kubernetes` together with `@batch`.

    ## Why is this bad?
    The run fails: "Step *train* is marked for execution both on AWS Batch and Kubernetes.
    Please use one or the other."

    ## Example
    ```python
    @batch(cpu=2)
    @kubernetes(cpu=2)
    @step
    def train(self):
        ...
    ```

    ## Use instead
    Keep one compute decorator (or choose at deploy time with `--with batch`).
    """
    flow = ctx.flow
    if flow is None:
        return
    by_step: dict[str, set[str]] = {}
    for use in metaflow_decorators(ctx):
        if use.step is not None:
            by_step.setdefault(use.step.name, set()).add(use.spec.name)
    for use in metaflow_decorators(ctx):
        if use.step is None:
            continue
        present = by_step.get(use.step.name, set())
        for others, cite in use.spec.conflicts:
            if all(o in present for o in others) and use.spec.name not in others:
                listed = " and ".join(f"@{o}" for o in others)
                yield Report(
                    span=use.deco.span,
                    message=f"Step *{use.step.name}* uses @{use.spec.name} together with {listed}, "
                    f"which @{use.spec.name} does not allow.",
                    step=use.step.name,
                    cites=f"{use.spec.path}:{cite}",
                )


@rule(
    "MF310",
    name="project-name",
    summary="`@project` name missing, too long, or with characters other than `[a-z0-9_]`",
    severity=Severity.ERROR,
    mirrors="decorator:project",
)
def project_name(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Checks a literal `@project(name=…)` (and `branch=…`) against the pattern and length limit
    in the indexed `project_decorator.py` (`VALID_NAME_RE`, `VALID_NAME_LEN`), and flags a
    missing name.

    ## Why is this bad?
    Metaflow stops: "The @project name must contain only lowercase alphanumeric characters and
    underscores." / "@project needs a name."

    ## Example
    ```python
    @project(name="Fraud-Detection")
    class FraudFlow(FlowSpec):
        ...
    ```

    ## Use instead
    ```python
    @project(name="fraud_detection")
    class FraudFlow(FlowSpec):
        ...
    ```
    """
    for use in metaflow_decorators(ctx):
        if use.spec.name != "project":
            continue
        consts = use.spec.constants
        pattern, max_len = _project_limits(consts)
        arg = use.deco.kwarg("name")
        if arg is None:
            if not use.deco.has_unpacked_args:
                yield _project_report(use, use.deco.span, "@project needs a name.", consts)
            continue
        for key in ("name", "branch"):
            a = use.deco.kwarg(key)
            if a is None or not a.is_literal or not isinstance(a.value, str):
                continue
            value = a.value
            if key == "name" and not value:
                yield _project_report(use, a.value_span, "@project needs a name.", consts)
            elif pattern is not None and re.search(pattern, value):
                yield _project_report(
                    use,
                    a.value_span,
                    f"The @project {key} {value!r} may contain only lowercase letters, digits "
                    "and underscores.",
                    consts,
                    "VALID_NAME_RE",
                )
            elif max_len is not None and len(value) > max_len:
                yield _project_report(
                    use,
                    a.value_span,
                    f"The @project {key} is {len(value)} characters; the maximum is {max_len}.",
                    consts,
                    "VALID_NAME_LEN",
                )


def _project_limits(consts: dict[str, tuple[str, int]]) -> tuple[str | None, int | None]:
    import ast

    pattern = max_len = None
    try:
        if "VALID_NAME_RE" in consts:
            pattern = ast.literal_eval(consts["VALID_NAME_RE"][0])
        if "VALID_NAME_LEN" in consts:
            max_len = int(ast.literal_eval(consts["VALID_NAME_LEN"][0]))
    except (ValueError, SyntaxError, TypeError):
        pass
    return pattern, max_len


def _project_report(
    use: Use,
    span: Span,
    message: str,
    consts: dict[str, tuple[str, int]],
    const: str | None = None,
) -> Report:
    cite = use.spec.cite
    if const and const in consts:
        cite = f"{use.spec.path}:{consts[const][1]}"
    return Report(span=span, message=message, cites=cite)


@rule(
    "MF311",
    name="config-default-and-default-value",
    summary="a `Config` given both `default` and `default_value`",
    severity=Severity.ERROR,
    mirrors="Config.__init__",
)
def config_default_and_default_value(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `Config(...)` with both `default=` and `default_value=`.

    ## Why is this bad?
    Metaflow refuses to load the flow: "For config 'cfg', you can only specify default or
    default_value, not both".

    ## Example
    ```python
    cfg = Config("cfg", default="config.json", default_value={"lr": 0.1})
    ```

    ## Use instead
    ```python
    cfg = Config("cfg", default="config.json")
    ```
    """
    flow, cat = ctx.flow, ctx.catalog
    if flow is None or cat is None:
        return
    api = cat.api.get("Config")
    for p in flow.parameters:
        if p.kind != "Config":
            continue
        a, b = p.kwarg("default"), p.kwarg("default_value")
        if a is None or b is None:
            continue
        if (a.is_literal and a.value is None) or (b.is_literal and b.value is None):
            continue
        yield Report(
            span=b.span,
            message=f"For config '{p.param_name or p.attr}', you can only specify default or "
            "default_value, not both.",
            cites=api.cite if api is not None else None,
        )
