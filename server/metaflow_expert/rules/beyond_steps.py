"""MF2xx rules about what a step body does with ``FlowSpec``'s own attributes.

``self.input``/``self.index`` only mean something inside a foreach, ``merge_artifacts`` only
works in a join, and ``FlowSpec``'s attributes cannot be overwritten: Metaflow enforces each of
these only when the step runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from metaflow_expert.graph import FlowGraph
from metaflow_expert.model import CallSite, Severity, Span
from metaflow_expert.rules.beyond_artifacts import closes_foreach, followable
from metaflow_expert.rules.dataflow import switch_fan_in
from metaflow_expert.rules.facts import FlowFacts, StepShape
from metaflow_expert.rules.registry import Report, RuleContext, rule


@rule(
    "MF204",
    name="foreach-input-outside-foreach",
    summary="`self.input` or `self.index` used in a step that is not inside a foreach",
    severity=Severity.WARNING,
)
def foreach_input_outside_foreach(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `self.input` and `self.index` in steps that no foreach encloses (including the
    foreach step itself, and the join that closes the foreach).

    ## Why is this bad?
    Both are `None` outside a foreach branch, so the step silently works on `None`. The value
    of the foreach is usually wanted in the first step *after* `self.next(..., foreach=...)`.

    ## Example
    ```python
    @step
    def start(self):
        self.items = [1, 2]
        print(self.input)
        self.next(self.work, foreach="items")
    ```

    ## Use instead
    ```python
    @step
    def work(self):
        print(self.input)
        self.next(self.join)
    ```
    """
    facts = ctx.flow_facts
    if facts is None or facts.flow.unresolved_bases or facts.graph is None:
        return
    if facts.graph.truncated:
        return
    nodes = facts.graph.nodes
    live = facts.reachable  # split information exists only for these
    for step in facts.flow.steps.values():
        node = nodes.get(step.name)
        if node is None or step.name not in live or node.is_inside_foreach:
            continue
        for attr, spans in (("input", step.uses_input), ("index", step.uses_index)):
            for span in spans:
                yield Report(
                    span=span,
                    message=f"*self.{attr}* is None in step *{step.name}*: the step is not "
                    "inside a foreach.",
                    step=step.name,
                )


def _kw(call: CallSite, name: str, position: int) -> object:
    """The literal value of a merge_artifacts argument (``...`` when not literal/absent→None)."""
    positional = [a for a in call.args if a.name is None]
    for a in call.args:
        if a.name == name:
            return a.value if a.is_literal else ...
    if len(positional) > position:
        a = positional[position]
        return a.value if a.is_literal else ...
    return None


@rule(
    "MF210",
    name="merge-artifacts-outside-join",
    summary="`self.merge_artifacts` called in a step that is not a join",
    severity=Severity.ERROR,
    mirrors="runtime:merge_artifacts",
)
def merge_artifacts_outside_join(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `self.merge_artifacts(...)` in a step that is not a join step.

    ## Why is this bad?
    Metaflow raises "merge_artifacts can only be called in a join" when the step runs.
    Where a switch's cases meet, or a switch loops back to a step, several steps lead to it
    but there is no join: only one case runs, so `self.x` already holds its artifacts, and
    the message says so instead of asking for an `inputs` argument.

    ## Example
    ```python
    @step
    def train(self):
        self.merge_artifacts(inputs)
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def join(self, inputs):
        self.merge_artifacts(inputs)
        self.next(self.end)
    ```
    """
    flow, facts = ctx.flow, ctx.flow_facts
    if flow is None or facts is None:
        return
    shapes = facts.step_shapes  # the shared classification (empty without a graph)
    for step in flow.steps.values():
        shape = shapes.get(step.name)
        # no valid transition (node type None): what the step is meant to be is unknown
        if shape is None or shape.joins or shape.node_type is None:
            continue
        why = _why_not_a_join(shape, facts)
        for call in step.merge_artifacts_calls:
            yield Report(
                span=call.span,
                message=f"merge_artifacts can only be called in a join and step *{step.name}* "
                f"is not a join{why}",
                step=step.name,
            )


def _why_not_a_join(shape: StepShape, facts: FlowFacts) -> str:
    """The end of MF210's message: why the shared classification says this is no join."""
    if shape.argument_mistake == "join-and-split":
        return ": it takes `inputs` but also splits."
    graph = facts.graph
    node = graph.nodes.get(shape.name) if graph is not None else None
    if node is None or graph is None:
        return "."
    switch = switch_fan_in(graph, shape.name) if len(node.in_funcs) > 1 else None
    if shape.switch and shape.name in node.out_funcs:
        switch = shape.name  # a switch looping on itself (Metaflow keeps no self in_func)
    if switch is not None and _downstream(graph, shape.name, switch):
        where = "its switch loops" if switch == shape.name else f"the switch in *{switch}* loops"
        return (
            f": {where} back to it, and each pass is one task that already has the "
            "artifacts of the pass before (read them as *self.<name>*)."
        )
    if switch is not None:
        # only one case of a switch runs: the step gets that task's artifacts as they are
        return (
            f": the cases of the switch in *{switch}* meet here, but only one of them runs, "
            "so its artifacts are already there (read them as *self.<name>*)."
        )
    if not shape.takes_inputs and len(node.in_funcs) > 1:
        came = ", ".join(f"*{n}*" for n in node.in_funcs)
        return f": several steps lead to it ({came}) but it takes no `inputs` argument."
    return "."


def _downstream(graph: FlowGraph, start: str, target: str) -> bool:
    """``target`` is ``start`` or reachable from it (asked only for a finding's advice)."""
    todo, seen = [start], set()
    while todo:
        cur = todo.pop()
        if cur == target:
            return True
        if cur in seen or cur not in graph.nodes:
            continue
        seen.add(cur)
        todo.extend(graph.nodes[cur].out_funcs)
    return False


def _nothing_before(facts: FlowFacts, join: str) -> str:
    """Who would have assigned a merged name, in the words of the join's kind: a foreach's
    (or gang's) tasks are not branches."""
    if closes_foreach(facts, join):
        return "no step of the foreach, nor any before it,"
    return "no incoming branch"


@rule(
    "MF214",
    name="merge-artifacts-include-and-exclude",
    summary="`merge_artifacts` given both `include` and `exclude`",
    severity=Severity.ERROR,
    mirrors="runtime:merge_artifacts",
)
def merge_artifacts_include_and_exclude(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `self.merge_artifacts(inputs, include=[...], exclude=[...])` with both lists given.

    ## Why is this bad?
    Metaflow raises "`exclude` and `include` are mutually exclusive in merge_artifacts".

    ## Example
    ```python
    self.merge_artifacts(inputs, include=["a"], exclude=["b"])
    ```

    ## Use instead
    ```python
    self.merge_artifacts(inputs, include=["a"])
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    for step in flow.steps.values():
        for call in step.merge_artifacts_calls:
            inc, exc = _kw(call, "include", 2), _kw(call, "exclude", 1)
            if inc is None or exc is None or inc is ... or exc is ...:
                continue
            if not inc or not exc:
                continue  # an empty list counts as not given
            yield Report(
                span=call.span,
                message="`exclude` and `include` are mutually exclusive in merge_artifacts.",
                step=step.name,
            )


@rule(
    "MF215",
    name="merge-artifacts-include-missing",
    summary="`merge_artifacts(include=[...])` names an artifact no branch assigns",
    severity=Severity.WARNING,
    mirrors="runtime:merge_artifacts",
)
def merge_artifacts_include_missing(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags names in `merge_artifacts(inputs, include=[...])` that no step on the way to the
    join assigns (and that the join does not assign itself).

    ## Why is this bad?
    Metaflow raises `MissingInMergeArtifactsException` when an included artifact is on no
    incoming branch; usually the name is misspelled.

    ## Example
    ```python
    self.merge_artifacts(inputs, include=["modle"])
    ```

    ## Use instead
    ```python
    self.merge_artifacts(inputs, include=["model"])
    ```
    """
    flow = ctx.flow
    if flow is None or flow.unresolved_bases:
        return
    merging = [s for s in flow.steps.values() if s.merge_artifacts_calls]
    if not merging:
        return
    facts = followable(ctx)
    if facts is None:
        return
    before = facts.available_before
    if before is None:
        return
    provided = facts.provided_names
    for step in merging:
        if step.name not in before:
            continue
        came, writes = before[step.name], facts.writes[step.name]
        for call in step.merge_artifacts_calls:
            inc = _kw(call, "include", 2)
            if not isinstance(inc, (list, tuple)):
                continue
            # membership tests, not a union per step: the sets hold every artifact name
            missing = [
                v
                for v in inc
                if isinstance(v, str) and v not in came and v not in provided and v not in writes
            ]
            if missing:
                yield Report(
                    span=call.span,
                    message=f"Step *{step.name}* merges {', '.join(f'*{m}*' for m in missing)}, "
                    f"which {_nothing_before(facts, step.name)} assigns.",
                    step=step.name,
                )


@rule(
    "MF211",
    name="flowspec-attribute-assigned",
    summary="a step assigns an attribute FlowSpec defines itself (`self.input`, `self.next`…)",
    severity=Severity.ERROR,
)
def flowspec_attribute_assigned(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `self.<name> = ...` where `<name>` is an attribute of `FlowSpec` itself, such as
    `input`, `index`, `name` or `next` (the list comes from the indexed Metaflow source).

    ## Why is this bad?
    Read-only properties like `self.input` raise `AttributeError` on assignment; overwriting a
    method like `self.next` breaks the flow at run time.

    ## Example
    ```python
    @step
    def work(self):
        self.input = self.input * 2
        self.next(self.join)
    ```

    ## Use instead
    ```python
    @step
    def work(self):
        self.doubled = self.input * 2
        self.next(self.join)
    ```
    """
    flow = ctx.flow
    if flow is None:
        return
    fs_names = ctx.file_facts.flowspec_names
    if not fs_names:
        return
    for step in flow.steps.values():
        seen: set[Span] = set()
        # the parser records every write in ``assigns_reserved`` (and deletes in artifacts)
        hits = [a for a in step.assigns_reserved if a.name in fs_names] + [
            a for a in step.artifacts if a.kind == "delete" and a.name in fs_names
        ]
        for acc in hits:
            if acc.span in seen:
                continue
            seen.add(acc.span)
            yield Report(
                span=acc.span,
                message=f"Step *{step.name}* assigns *self.{acc.name}*, an attribute of FlowSpec "
                "itself; choose another artifact name.",
                step=step.name,
            )
