"""MF2xx rules about artifacts: reads that can never succeed, foreach variables, joins.

Metaflow finds all of these only when a run reaches the step (an ``AttributeError``, an
``InvalidNextException``, an ``UnhandledInMergeArtifactsException``), often hours into a run.
Every rule here is generous about what *might* define an artifact and stays silent for flows
whose attributes cannot be followed statically (unresolved base classes, user decorators,
``setattr``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet

from metaflow_expert.graph import FlowGraph
from metaflow_expert.model import ArtifactAccess, FlowFile, Severity, Step
from metaflow_expert.rules.dataflow import merge_filters
from metaflow_expert.rules.facts import FlowFacts
from metaflow_expert.rules.registry import Report, RuleContext, rule
from metaflow_expert.rules.suggest import closest
from metaflow_expert.rules.transition_variable import unassigned_transition_variables

#: how many of a join's inputs an advice names (``inputs.a.x or inputs.b.x or …``)
_INPUTS_NAMED = 3
#: MF217's advice when nothing says the values differ: a join may do either
_ASSIGN_OR_MERGE = "assign it there or merge it (self.merge_artifacts(inputs))."


def followable(ctx: RuleContext) -> FlowFacts | None:
    """The flow's facts, if its attributes can be followed statically; else None."""
    facts = ctx.flow_facts
    return facts if facts is not None and facts.followable else None


def split_closed_by(facts: FlowFacts, join: str) -> str | None:
    """The split (in node order) whose ``matching_join`` is ``join``, else None."""
    return facts.split_of_join.get(join)


def closes_foreach(facts: FlowFacts, join: str) -> bool:
    """``join`` closes a foreach (a ``num_parallel`` gang too), by the shared
    :attr:`FlowFacts.step_shapes`: its inputs are one per task, not named by branch."""
    split = split_closed_by(facts, join)
    shape = facts.step_shapes.get(split) if split is not None else None
    return shape is not None and shape.foreach


def guarded(facts: FlowFacts, step: Step, acc: ArtifactAccess) -> bool:
    """The read sits in a ``try:`` whose handler catches a missing attribute, or its step
    tests the name with ``hasattr(self, …)``: it may fail on purpose (asked only for a read
    about to be reported, so clean files parse nothing)."""
    guards = facts.file.guards(step)
    return acc.span.start_line in guards.attribute_error or acc.name in guards.tested


@rule(
    "MF202",
    name="foreach-variable-unassigned",
    summary="`foreach=` names an artifact that no path to the step assigns",
    severity=Severity.WARNING,
    mirrors="runtime:foreach",
)
def foreach_variable_unassigned(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Checks that the artifact named by `self.next(..., foreach="x")` is assigned in the step,
    on some path leading to it, or is a Parameter/Config or class attribute.

    ## Why is this bad?
    Metaflow looks the variable up only when the step finishes and then fails the run with
    "Foreach variable *self.x* ... does not exist", after the step's work is done.

    ## Example
    ```python
    @step
    def start(self):
        self.item = [1, 2, 3]
        self.next(self.train, foreach="items")
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.train, foreach="items")
    ```
    """
    facts = followable(ctx)
    if facts is None:
        return
    yield from unassigned_transition_variables(
        facts,
        kind="foreach",
        keyword="foreach",
        noun="Foreach variable",
        variable_of=lambda tr: (tr.foreach, tr.foreach_span),
    )


@rule(
    "MF203",
    name="artifact-never-assigned",
    summary="a step reads `self.x` but no step on a path from start assigns it",
    severity=Severity.WARNING,
)
def artifact_never_assigned(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags reads of `self.<name>` (and `inputs.<branch>.<name>` in joins) where no step on any
    path from `start` to the reading step assigns the artifact, and it is not a
    Parameter/IncludeFile/Config, class attribute, method, or attribute of `FlowSpec` itself.
    Reads through `getattr(self, "x", default)`, of names the same step tests with
    `hasattr(self, "x")` (or a helper method does, for every step), or inside a `try:` whose
    handler catches `AttributeError` (or under `with suppress(AttributeError):`) are
    deliberate and not flagged; attributes set by helper methods count as assigned. A typo
    in one `self.next` does not switch the rule off: the steps after it are checked against
    everything the broken step could have handed them. A decorator the Metaflow in use does
    not register may set anything: reads in its step and the steps after it are not judged,
    the others still are.

    ## Why is this bad?
    The read raises `AttributeError` when the run reaches the step; usually the artifact is
    misspelled, or assigned in a step on another branch.

    ## Example
    ```python
    @step
    def start(self):
        self.model = train()
        self.next(self.end)

    @step
    def end(self):
        print(self.modle)
    ```

    ## Use instead
    ```python
    @step
    def end(self):
        print(self.model)
    ```
    """
    facts = followable(ctx)
    if facts is None:
        return
    fs_names = facts.file.flowspec_names
    if fs_names is None:
        return  # without the indexed FlowSpec we cannot tell its attributes from artifacts
    before = facts.available_before
    if before is None:
        return
    # ``before`` holds the steps reachable from start, and those after a broken edge (a typo
    # in one ``self.next`` must not hide a misspelt artifact three steps later)
    provided = facts.provided_names | fs_names | facts.file.guarded_names
    for step in facts.flow.steps.values():
        if step.name not in before:
            continue
        came, writes = before[step.name], facts.writes[step.name]
        reported: set[str] = set()
        for acc in step.artifacts:
            if acc.kind != "read" or acc.name in reported:
                continue
            if acc.name in came or acc.name in writes or acc.name in provided:
                continue  # membership tests: a union per step was quadratic on long flows
            if acc.via == "getattr":
                continue  # getattr(self, "x", default) is how optional artifacts are read
            if acc.name.startswith("__") or guarded(facts, step, acc):
                continue
            reported.add(acc.name)
            hint = closest(acc.name, came | writes)
            extra = f" Did you mean *{hint}*?" if hint else ""
            where = (
                "any path from the start step"
                if acc.via != "input"
                else "the way into the foreach (in it or before it)"
                if closes_foreach(facts, step.name)
                else "any incoming branch"
            )
            yield Report(
                span=acc.span,
                message=f"Artifact *{acc.name}* is read in step *{step.name}* but no step on "
                f"{where} assigns it.{extra}",
                step=step.name,
            )


_NOT_CONSTANT = object()


def _assigned_literal(file: FlowFile, acc: ArtifactAccess) -> object:
    """The literal value of a one-line ``self.x = <literal>`` write, else ``_NOT_CONSTANT``."""
    if acc.via != "attr" or acc.span.start_line >= len(file.lines):
        return _NOT_CONSTANT
    rest = file.lines[acc.span.start_line][acc.span.end_col :].split("#", 1)[0].strip()
    if not rest.startswith("=") or rest.startswith("=="):
        return _NOT_CONSTANT
    try:
        return ast.literal_eval(rest[1:].strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_CONSTANT


def _assigned_constant(file: FlowFile, acc: ArtifactAccess) -> object:
    """:func:`_assigned_literal` as a hashable ``(type name, repr)``, else ``_NOT_CONSTANT``."""
    value = _assigned_literal(file, acc)
    return _NOT_CONSTANT if value is _NOT_CONSTANT else (type(value).__name__, repr(value))


def _one_task_foreach(facts: FlowFacts, graph: FlowGraph, split: str) -> bool:
    """The foreach at ``split`` runs exactly one task: the split step itself assigns its
    variable a one-item literal list or tuple (``self.items = [1]``), unconditionally (a
    statement of the body itself, level with the tail ``self.next``), and nothing else
    mentions the variable in that step or outside the steps (a helper could append to it).

    Why: Metaflow starts one task per item, and ``merge_artifacts`` only fails on values that
    differ between the join's inputs; one input cannot disagree with itself."""
    var = graph.nodes[split].foreach_param
    step = facts.flow.steps.get(split)
    if not isinstance(var, str) or step is None or step.transition is None:
        return False
    accs = [a for a in step.artifacts if a.name == var]
    if len(accs) != 1 or accs[0].kind != "write" or var in facts.file.self_names_outside_steps:
        return False
    if accs[0].span.start_col != step.transition.span.start_col:
        return False  # inside an ``if``/loop/``with``: the inherited value may stay
    value = _assigned_literal(facts.file.file, accs[0])
    return isinstance(value, (list, tuple)) and len(value) == 1


def _branch_writes(
    facts: FlowFacts, split: str, join: str, *, gang: bool
) -> list[dict[str, list[ArtifactAccess]]]:
    """Per branch between ``split`` and its ``join``: artifact → the writes of it that reach
    the join. A nested join hands on only what it assigns or merges, so a name an inner
    ``merge_artifacts(exclude=[…])`` dropped does not reach the outer join; in a ``gang``, a
    write under a test of the task's place in the gang (``node_index == 0``…) is made by
    some tasks only, and is left out."""
    flow, graph, passed = facts.flow, facts.graph, facts.passed_on_strict
    assert graph is not None
    nodes = graph.nodes
    into_join = set(nodes[join].in_funcs)
    out: list[dict[str, list[ArtifactAccess]]] = []
    for head in nodes[split].out_funcs:
        seen: set[str] = set()
        todo = [head]
        written: dict[str, list[ArtifactAccess]] = {}
        while todo:
            name = todo.pop()
            if name == join or name in seen or name not in nodes:
                continue
            seen.add(name)
            step = flow.steps.get(name)
            if step is not None:
                member = facts.file.guards(step).gang_member if gang else frozenset()
                for acc in step.artifacts:
                    if acc.kind == "write" and acc.span.start_line not in member:
                        written.setdefault(acc.name, []).append(acc)
            todo.extend(nodes[name].out_funcs)
        lasts = [n for n in seen if n in into_join]
        if passed is not None and lasts and all(n in passed for n in lasts):
            reaching: set[str] = set()
            for n in lasts:
                reaching.update(passed[n])
            written = {n: accs for n, accs in written.items() if n in reaching}
        out.append(written)
    return out


def _every_task_runs_the_body(facts: FlowFacts, graph: FlowGraph, split: str) -> bool:
    """Whether every task of the gang started at ``split`` runs the step's own body.

    Metaflow's own parallel decorators do (``task_decorate`` hands every task the step
    function: ``metaflow/plugins/parallel_decorator.py``, checked with a run in the tests).
    An extension's may not: ``@metaflow_ray`` gives worker tasks a Ray node to run instead,
    so only the control task assigns anything. Known only when every decorator of the step
    resolves in the catalog and each parallel one is Metaflow's own."""
    catalog = facts.file.catalog
    if catalog is None:
        return False
    parallel = facts.file.source.parallel_decorators
    for head in graph.nodes[split].out_funcs:
        node = graph.nodes.get(head)
        if node is None:
            return False
        for name in node.decorators:
            spec = catalog.lookup(name, "step")
            if spec is None or (name in parallel and spec.origin != "metaflow"):
                return False
    return True


def _is_gang(graph: FlowGraph, split: str) -> bool:
    """``split`` starts a ``@parallel``-style gang (``num_parallel=``, or a step carrying a
    decorator Metaflow marks ``IS_PARALLEL``, such as ``@metaflow_ray``)."""
    nodes = graph.nodes
    node = nodes[split]
    return node.parallel_foreach or any(
        nodes[h].parallel_step for h in node.out_funcs if h in nodes
    )


def _same_constant(file: FlowFile, writes: list[ArtifactAccess]) -> bool:
    """Every write assigns one and the same literal: the branches cannot disagree."""
    values = {_assigned_constant(file, acc) for acc in writes}
    return len(values) == 1 and _NOT_CONSTANT not in values


@rule(
    "MF205",
    name="join-artifact-not-merged",
    summary="a join reads artifacts it never receives, or merges conflicting branch values",
    severity=Severity.WARNING,
    mirrors="runtime:merge_artifacts",
)
def join_artifact_not_merged(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    In a join step, flags `self.x` reads of artifacts from earlier steps when the join neither
    assigns `self.x` nor calls `self.merge_artifacts(inputs)`; and flags `merge_artifacts`
    calls that would merge an artifact assigned on more than one branch (or inside a foreach,
    or by the tasks of a `@parallel` gang, all of which reach the join) without the join
    assigning it first. An artifact a nested join excluded from its own merge does not reach
    the outer join; in a gang, a write made only under a test of the task's place in it
    (`if current.parallel.node_index == 0:`) is not a conflict, and a gang whose parallel
    decorator is not Metaflow's own (`@metaflow_ray` runs the body on the control task only)
    is not judged, nor is a foreach over a one-item literal (`self.items = [1]`: one task,
    one value). The advice fits the join: in a foreach (or gang) join, read each input
    (`inp.x`), since its inputs are not named by branch; in a branch join, name the branch
    by the step it ends in (`inputs.a.x`).

    ## Why is this bad?
    A join step starts with no artifacts of its own: values from the branches are only
    reachable through `inputs`, or after `merge_artifacts`. Reading `self.x` raises
    `AttributeError`; merging an artifact whose values differ between branches raises
    `UnhandledInMergeArtifactsException` ("artifacts from different branches must be
    merged").

    ## Example
    ```python
    @step
    def join(self, inputs):
        self.best = max(self.score for _ in inputs)
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def join(self, inputs):
        self.best = max(inp.score for inp in inputs)
        self.next(self.end)
    ```
    """
    facts = followable(ctx)
    if facts is None or facts.graph is None:
        return
    flow, graph = facts.flow, facts.graph
    before = facts.available_before
    if before is None:
        return
    provided = facts.provided_names | facts.file.guarded_names
    nodes = graph.nodes
    split_of = facts.split_of_join
    for step in flow.steps.values():
        node = nodes.get(step.name)
        if node is None or node.type != "join" or step.name not in before:
            continue
        writes = facts.writes[step.name]
        if not step.merge_artifacts_calls:
            reported: set[str] = set()
            for acc in step.artifacts:
                name = acc.name
                if acc.kind != "read" or acc.via in ("input", "getattr") or name in reported:
                    continue
                if name in writes or name in provided or name not in before[step.name]:
                    continue
                if guarded(facts, step, acc):
                    continue
                reported.add(name)
                use = _read_in_join_advice(facts, split_of.get(step.name), step.name, name)
                yield Report(
                    span=acc.span,
                    message=f"Join step *{step.name}* reads *self.{name}*, but a join does not "
                    f"inherit artifacts: {use} or call *self.merge_artifacts(inputs)* first.",
                    step=step.name,
                )
            continue
        split = split_of.get(step.name)
        if split is None:
            continue
        # a gang (num_parallel) is a foreach to the join: every task of it reaches the join,
        # and merge_artifacts fails on values that differ between them (checked with a run
        # in tests/rules_beyond/test_precision_dataflow.py); only the wording differs
        gang = _is_gang(graph, split)
        if gang and not _every_task_runs_the_body(facts, graph, split):
            continue  # only the control task may assign: nothing to conflict
        is_foreach = nodes[split].type == "foreach"
        if is_foreach and not gang and _one_task_foreach(facts, graph, split):
            continue  # one task reaches the join: nothing to conflict with
        branches = _branch_writes(facts, split, step.name, gang=gang)
        counts: dict[str, int] = {}
        writes_of: dict[str, list[ArtifactAccess]] = {}
        for written in branches:
            for name, accs in written.items():
                counts[name] = counts.get(name, 0) + 1
                writes_of.setdefault(name, []).extend(accs)
        for call in step.merge_artifacts_calls:
            if any(a.star for a in call.args):
                continue
            include, exclude, known = merge_filters(call.args)
            if not known:
                continue
            conflicts = sorted(
                name
                for name, n in counts.items()
                if (n >= 2 or (is_foreach and n >= 1))
                and name not in writes
                and name not in provided
                and (include is None or name in include)
                and (exclude is None or name not in exclude)
                and not _same_constant(ctx.file, writes_of[name])
            )
            if not conflicts:
                continue
            listed = ", ".join(f"*{c}*" for c in conflicts)
            why = (
                "by the tasks of the parallel gang"
                if gang
                else "inside the foreach"
                if is_foreach
                else "on more than one branch"
            )
            yield Report(
                span=call.span,
                message=f"merge_artifacts in join step *{step.name}* may fail: {listed} "
                f"{'is' if len(conflicts) == 1 else 'are'} assigned {why}; assign "
                "them in the join before merging, or exclude them.",
                step=step.name,
            )


def _read_in_join_advice(facts: FlowFacts, split: str | None, join: str, name: str) -> str:
    """How a join reads ``name`` from its inputs, by the kind of split it closes (the shared
    :attr:`FlowFacts.step_shapes`): a foreach's or a gang's inputs are one per task, not
    named, so only iterating works; a branch join's are named by the step each branch ends
    in (``inputs.<that step>.x``)."""
    shape = facts.step_shapes.get(split) if split is not None else None
    if shape is not None and shape.foreach:
        return f"read *inp.{name}* for each *inp* in *inputs*"
    named = _named_inputs(facts.graph, join, name)
    return f"use *inputs.<branch>.{name}*" + (f" ({named})" if named else "")


def _named_inputs(graph: FlowGraph | None, join: str, name: str) -> str:
    """``*inputs.a.x* or *inputs.b.x*``: how a branch join reads ``name`` from each input,
    for the first :data:`_INPUTS_NAMED` branches (the rest read alike); "" when the join is
    not in the graph. MF205's and MF217's advice name them the same way."""
    node = graph.nodes.get(join) if graph is not None else None
    branches = node.in_funcs[:_INPUTS_NAMED] if node is not None else []
    return " or ".join(f"*inputs.{b}.{name}*" for b in branches)


def _losing_join(
    graph: FlowGraph, strict: Mapping[str, AbstractSet[str]], step: str, name: str
) -> str | None:
    """The nearest join upstream of ``step`` that receives ``name`` but does not pass it on."""
    nodes = graph.nodes
    seen = {step}
    first = nodes.get(step)
    todo = list(first.in_funcs) if first is not None else []
    while todo:
        cur = todo.pop(0)
        if cur in seen or cur not in nodes:
            continue
        seen.add(cur)
        if nodes[cur].type == "join" and name in strict.get(cur, set()):
            return cur
        todo.extend(nodes[cur].in_funcs)
    return None


@rule(
    "MF217",
    name="artifact-lost-at-join",
    summary="a step reads an artifact that a join before it neither assigns nor merges",
    severity=Severity.WARNING,
)
def artifact_lost_at_join(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags reads of `self.<name>` in a step after a join when the artifact was assigned before
    the join (on its branches or before the split), but the join step neither assigns it nor
    takes it over with `self.merge_artifacts(inputs)`. Reads inside a `try:` whose handler
    catches `AttributeError` are deliberate and not flagged. The advice fits the join: a
    value set inside a foreach (or gang), or on several branches, differs per input, so the
    join must assign it from its inputs (`self.x = [inp.x for inp in inputs]`); a value set
    before the split, or on one branch only, can be merged.

    ## Why is this bad?
    A join step starts with no artifacts of its own and passes on only what it assigns or
    merges (Parameters excepted). Every step after it raises `AttributeError` on the read,
    although the artifact "was set earlier".

    ## Example
    ```python
    @step
    def join(self, inputs):
        self.best = max(inp.score for inp in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.model_name)  # set in start, lost at the join
    ```

    ## Use instead
    ```python
    @step
    def join(self, inputs):
        self.best = max(inp.score for inp in inputs)
        self.merge_artifacts(inputs, include=["model_name"])
        self.next(self.end)
    ```
    """
    facts = followable(ctx)
    if facts is None or facts.graph is None:
        return
    graph = facts.graph
    loose = facts.available_before
    strict = facts.available_before_strict
    if loose is None or strict is None:
        return
    provided = facts.provided_names | facts.file.guarded_names
    for step in facts.flow.steps.values():
        node = graph.nodes.get(step.name)
        if step.name not in strict or node is None or node.type == "join":
            continue  # reads inside a join are MF205's
        writes = facts.writes[step.name]
        reported: set[str] = set()
        for acc in step.artifacts:
            name = acc.name
            if acc.kind != "read" or acc.via in ("input", "getattr") or name in reported:
                continue
            if name in writes or name in provided or name in strict[step.name]:
                continue
            if name not in loose.get(step.name, set()):
                continue  # never assigned at all: MF203's
            if guarded(facts, step, acc):
                continue
            reported.add(name)
            join = _losing_join(graph, strict, step.name, name)
            where = f"join step *{join}*" if join else "a join step before it"
            advice = _keep_at_join_advice(facts, join, name) if join else None
            yield Report(
                span=acc.span,
                message=f"Artifact *{name}* read in step *{step.name}* does not survive {where}: "
                + (advice or _ASSIGN_OR_MERGE),
                step=step.name,
            )


def _keep_at_join_advice(facts: FlowFacts, join: str, name: str) -> str | None:
    """How ``join`` can hand ``name`` on, by the kind of split it closes (the shared
    :attr:`FlowFacts.step_shapes`) and where ``name`` is written: a value written inside a
    foreach or a gang differs per task, and written on several branches it may differ per
    branch, so ``merge_artifacts`` would fail there; the join must assign it from its
    inputs. A value written only before the split (or on one branch) merges. None: no
    split known (the generic advice)."""
    graph = facts.graph
    split = split_closed_by(facts, join)
    shape = facts.step_shapes.get(split) if split is not None else None
    if graph is None or split is None or shape is None:
        return None
    gang = _is_gang(graph, split)
    writers = sum(1 for w in _branch_writes(facts, split, join, gang=gang) if name in w)
    if shape.foreach and writers:
        return (
            f"assign it there from each input (*self.{name} = [inp.{name} for inp in "
            "inputs]*); merging fails when the tasks' values differ."
        )
    if writers >= 2:
        return (
            f"assign it there from the branch you want ({_named_inputs(graph, join, name)}); "
            "merging fails when the branches' values differ."
        )
    return _ASSIGN_OR_MERGE
