"""MF2xx rules about the names of Parameters and class attributes.

Metaflow reserves some Parameter names for its own command-line options and silently skips
class attributes that collide with ``FlowSpec``'s own; it notices either only when the flow
is started. The reserved names are read from the indexed Metaflow source via the catalog —
never typed in here — so the rules follow the Metaflow version in use.
"""

from __future__ import annotations

from collections.abc import Iterator

from metaflow_expert.model import Severity
from metaflow_expert.rules.registry import Report, RuleContext, rule


@rule(
    "MF208",
    name="reserved-parameter-name",
    summary="a Parameter or class attribute uses a name Metaflow reserves",
    severity=Severity.ERROR,
    mirrors="runtime:parameter_name",
)
def reserved_parameter_name(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags Parameters whose name is reserved for Metaflow's own command-line options (such as
    `tags` or `namespace`), and Parameters or class attributes named like an attribute of
    `FlowSpec` itself (such as `name` or `input`). Both lists are read from the indexed
    Metaflow source.

    ## Why is this bad?
    A reserved Parameter name makes Metaflow stop with "Parameter name 'tags' is a reserved
    word" when the flow starts. A class attribute named like a `FlowSpec` attribute hides it:
    a `Parameter` stored as `name` or `input` is skipped by Metaflow and never reaches the CLI.

    ## Example
    ```python
    class TrainFlow(FlowSpec):
        tags = Parameter("tags", default="x")
    ```

    ## Use instead
    ```python
    class TrainFlow(FlowSpec):
        labels = Parameter("labels", default="x")
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    # silent without a catalog, as before the source facts: the list is the indexed source's
    source = ctx.file_facts.source
    reserved = source.reserved_parameter_names if ctx.catalog is not None else frozenset()
    cite = source.reserved_parameter_cite
    fs_names = ctx.file_facts.flowspec_names or frozenset()
    flagged: set[str] = set()
    for p in flow.parameters:
        if p.param_name and p.param_name in reserved:
            flagged.add(p.attr)
            yield Report(
                span=p.span,
                message=f"Parameter name '{p.param_name}' is a reserved word. Please use a "
                "different name for your parameter.",
                cites=cite,
            )
        elif p.attr in fs_names:
            flagged.add(p.attr)
            yield Report(
                span=p.attr_span,
                message=f"{p.kind} attribute *{p.attr}* hides FlowSpec's own *{p.attr}*; "
                "Metaflow skips it. Choose another attribute name.",
            )
    for attr, span in flow.class_attributes.items():
        if attr in fs_names and attr not in flagged and not attr.startswith("_"):
            yield Report(
                span=span,
                message=f"Class attribute *{attr}* hides FlowSpec's own *{attr}*; choose another name.",
            )


@rule(
    "MF212",
    name="duplicate-parameter-name",
    summary="two Parameters share a name (Metaflow compares names case-insensitively)",
    severity=Severity.ERROR,
    mirrors="runtime:parameter_name",
)
def duplicate_parameter_name(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a Parameter (or Config) whose name equals an earlier one's, ignoring case.

    ## Why is this bad?
    Metaflow stops with "Parameter *alpha* is specified twice. Note that parameter names are
    case-insensitive." when the flow is run; `check` does not notice.

    ## Example
    ```python
    alpha = Parameter("alpha", default=1)
    Alpha = Parameter("Alpha", default=2)
    ```

    ## Use instead
    ```python
    alpha = Parameter("alpha", default=1)
    beta = Parameter("beta", default=2)
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    seen: dict[tuple[bool, str], str] = {}
    for p in flow.parameters:
        if not p.param_name:
            continue
        key = (p.kind == "Config", p.param_name.lower())
        if key in seen:
            yield Report(
                span=p.span,
                message=f"Parameter *{p.param_name}* is specified twice. Note that parameter "
                "names are case-insensitive.",
            )
        else:
            seen[key] = p.param_name
