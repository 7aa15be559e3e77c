"""MF108–MF112: the transition checks of ``metaflow/lint.py`` (missing, invalid and unknown
``self.next`` targets, loops, unreachable steps).

Metaflow stops at the first problem and, for some checks, crashes on graphs earlier checks
would have refused (an unknown target, a loop). These rules report every problem and walk
the graph tolerantly: unknown targets are not followed, and a walk that Metaflow could not
finish is skipped rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from metaflow_expert.graph import strongly_connected_components
from metaflow_expert.model import Fix, Related, TextEdit
from metaflow_expert.rules import lint_common as lc
from metaflow_expert.rules.registry import Report, RuleContext, rule
from metaflow_expert.rules.suggest import Suggester

if TYPE_CHECKING:
    from metaflow_expert.graph import GraphNode


@rule(
    "MF108",
    name="missing-transition",
    summary="A non-end step does not end with self.next(...)",
    mirrors="check_static_transitions",
)
def static_transitions(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags every step other than the end step whose last statement is not a `self.next(...)`
    call. Mirrors Metaflow's `check_static_transitions`.

    ## Why is this bad?
    Metaflow reads the graph from the source, statically: only a `self.next(...)` that is the
    last statement of the step counts. A `self.next` inside an `if`, a `try`, or followed by
    other code is invisible to it, and the step has no successor.

    ## Example
    ```python
    @step
    def start(self):
        if self.fast:
            self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.next(self.end)
    ```
    """
    if not lc.graph_ready(ctx) or ctx.flow_facts is None:
        return
    shapes = ctx.flow_facts.step_shapes
    for n in lc.nodes(ctx):
        if shapes[n.name].transition_mistake is None:  # the end step, or a tail self.next
            continue
        st = lc.step_of(n)
        rel: list[Related] = []
        if st is not None:
            for call in st.non_tail_next_calls:
                rel.append(Related("this self.next() is not the last statement", call.span))
            if not rel and st.last_statement_span is not None:
                rel.append(Related("the step ends here", st.last_statement_span))
        yield Report(
            lc.def_span(ctx, n),
            f"Step *{n.name}* is missing a self.next() transition to the next step. Add a "
            "self.next() as the last line in the function.",
            step=n.name,
            related=rel,
        )


@rule(
    "MF109",
    name="invalid-transition",
    summary="The tail self.next(...) is not one of the supported transition forms",
    mirrors="check_valid_transitions",
)
def valid_transitions(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a tail `self.next(...)` that is not linear (`self.next(self.a)`), a fan-out
    (`self.next(self.a, self.b)`), a foreach (`self.next(self.a, foreach="items")`), a
    parallel foreach (`num_parallel=`) or a switch (`self.next({...}, condition="var")`).
    Mirrors Metaflow's `check_valid_transitions`.

    ## Why is this bad?
    Metaflow cannot tell where such a step goes, so the flow cannot run.

    ## Example
    ```python
    @step
    def start(self):
        self.next(self.a, self.b, foreach="items")
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.next(self.a, foreach="items")
    ```
    """
    if not lc.steps_ready(ctx):
        return
    for n in lc.nodes(ctx):
        if n.type == "end" or not n.has_tail_next or not n.invalid_tail_next:
            continue
        st = lc.step_of(n)
        reason = st.transition.invalid_reason if st and st.transition else None
        rel = [Related(reason, lc.tail_span(ctx, n))] if reason else []
        yield Report(
            lc.tail_span(ctx, n),
            f"Step *{n.name}* specifies an invalid self.next() transition. Make sure the "
            "self.next() expression matches with one of the supported transition types:\n"
            "  • Linear: self.next(self.step_name)\n"
            "  • Fan-out: self.next(self.step1, self.step2, ...)\n"
            "  • Foreach: self.next(self.step, foreach='variable')\n"
            "  • Switch: self.next({\"key\": self.step, ...}, condition='variable')\n\n"
            "For switch statements, keys must be string literals, numbers or config "
            "expressions (self.config.key_name), not variables.",
            step=n.name,
            related=rel,
        )


@rule(
    "MF110",
    name="unknown-transition-target",
    summary="self.next(...) names a step that does not exist",
    mirrors="check_unknown_transitions",
)
def unknown_transitions(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags every `self.next(self.<name>)` target that is not a step of the flow (every
    unknown target, not only the first). Mirrors Metaflow's `check_unknown_transitions`.
    When a step's name is close, the message says which ("did you mean …?") and the quick
    fix replaces the target with it (one diagnostic per typo: MF201 no longer repeats it).

    ## Why is this bad?
    The flow cannot continue past this step: Metaflow refuses the flow.

    ## Example
    ```python
    @step
    def start(self):
        self.next(self.trian)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.next(self.train)
    ```
    """
    if not lc.graph_ready(ctx):
        return
    suggest = Suggester((n.name for n in lc.nodes(ctx)), cutoff=60.0)  # once per flow
    for n in lc.nodes(ctx):
        seen: set[str] = set()
        for t in n.out_funcs:
            if lc.known(ctx, t) or t in seen:
                continue
            seen.add(t)
            message = (
                f"Step *{n.name}* specifies a self.next() transition to an unknown step, *{t}*."
            )
            best = suggest.closest(t)
            fix = None
            if best is not None:
                message = f"{message[:-1]}: did you mean *{best}*?"
                # the edit goes where the name is written, even when the finding sits on
                # the tail line Metaflow reports (a target on a later line of the call)
                fix = Fix(
                    f"Replace with self.{best}",
                    tuple(TextEdit(sp, best) for sp in lc.target_spans(n, t)),
                )
            yield Report(lc.target_span(ctx, n, t), message, step=n.name, fix=fix)


def _cycles(ctx: RuleContext) -> list[tuple[GraphNode, str, str]]:
    """Metaflow's ``check_path`` walk, continued past the first loop.

    Returns (node whose edge closes the loop, target, path text) in the order Metaflow meets
    them (nodes by name, then out_funcs order), one entry per distinct loop. Unknown targets
    are not followed (Metaflow would crash on them)."""
    graph = ctx.graph
    assert graph is not None
    known = graph.acyclic_below
    if known is not None and all(known.values()):
        return []  # the traversal already showed no step reaches a cycle
    hot = _reach_a_loop(ctx)
    if not hot:
        return []
    found: list[tuple[GraphNode, str, str]] = []
    loops: set[frozenset[str]] = set()
    budget = lc.TRAVERSAL_BUDGET
    # Metaflow's recursion, written with an explicit stack (a 10,000-step loop would pass
    # Python's recursion limit) and one shared path with an index of where each name sits
    # (the recursion copied the whole path at every level: quadratic memory).
    for start in lc.nodes(ctx):
        if start.name not in hot:
            continue
        budget -= 1
        if budget < 0:
            break
        path: list[str] = []
        where: dict[str, int] = {}
        stack: list[tuple[GraphNode, Iterator[str]]] = [(start, iter(start.out_funcs))]
        while stack:
            node, targets = stack[-1]
            for t in targets:
                if node.type == "split-switch" and t == node.name:
                    continue
                if t in where:
                    loop = frozenset(path[where[t] :])
                    if loop not in loops:
                        loops.add(loop)
                        found.append((node, t, "->".join([*path, t])))
                elif t in hot:
                    budget -= 1
                    if budget < 0:
                        continue  # Metaflow's call would return at once
                    where[t] = len(path)
                    path.append(t)
                    child = graph.nodes[t]
                    stack.append((child, iter(child.out_funcs)))
                    break
            else:
                stack.pop()
                if stack:  # the node's name was pushed when its parent stepped into it
                    del where[path.pop()]
    return found


def _edges(ctx: RuleContext) -> dict[str, list[str]]:
    """Known out-edges, without the switch self-loops Metaflow allows."""
    graph = ctx.graph
    assert graph is not None
    return {
        name: [
            t
            for t in n.out_funcs
            if t in graph.nodes and not (n.type == "split-switch" and t == name)
        ]
        for name, n in graph.nodes.items()
    }


def _reach_a_loop(ctx: RuleContext) -> set[str]:
    """Steps from which a loop can be reached (linear time).

    Metaflow's walk enumerates every path, which is exponential in the number of consecutive
    splits; walking only from and into these steps finds the same loops in the same order,
    because a walk that cannot reach a loop never reports one."""
    edges = _edges(ctx)
    cyclic: set[str] = set()
    for comp in strongly_connected_components(edges):
        if len(comp) > 1 or comp[0] in edges[comp[0]]:
            cyclic.update(comp)
    # Everything that reaches a cyclic step.
    rev: dict[str, list[str]] = {n: [] for n in edges}
    for n, ts in edges.items():
        for t in ts:
            rev[t].append(n)
    hot = set(cyclic)
    todo = list(cyclic)
    while todo:
        for p in rev[todo.pop()]:
            if p not in hot:
                hot.add(p)
                todo.append(p)
    return hot


@rule(
    "MF111",
    name="transition-loop",
    summary="The transitions form a loop",
    mirrors="check_for_acyclicity",
)
def acyclicity(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags loops in the graph of `self.next(...)` transitions, reported where the transition
    closing the loop is written. A switch step that names itself (a recursive switch) is
    allowed. Mirrors Metaflow's `check_for_acyclicity`.

    ## Why is this bad?
    A Metaflow flow is a directed acyclic graph; apart from a switch repeating its own step,
    a run could never finish.

    ## Example
    ```python
    @step
    def a(self):
        self.next(self.b)

    @step
    def b(self):
        self.next(self.a)
    ```

    ## Use instead
    ```python
    @step
    def b(self):
        self.next(self.end)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    for n, target, path in _cycles(ctx):
        yield Report(
            lc.target_span(ctx, n, target),
            f"There is a loop in your flow: *{path}*. Break the loop by fixing self.next() "
            "transitions.",
            step=n.name,
        )


@rule(
    "MF112",
    name="unreachable-step",
    summary="A step cannot be reached from the start step",
    mirrors="check_for_orphans",
)
def orphans(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags every step that no chain of transitions from the start step reaches. Mirrors
    Metaflow's `check_for_orphans`, which reports only one (chosen by hash order).

    ## Why is this bad?
    The step never runs: either a `self.next(...)` is missing, or the step is dead code.

    ## Example
    ```python
    @step
    def start(self):
        self.next(self.end)

    @step
    def train(self):
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.next(self.train)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    graph = ctx.graph
    assert graph is not None
    if graph.start_step is None or lc.unknown_reachable(ctx, graph.start_step):
        return
    seen = {graph.start_step}
    todo = [graph.start_step]
    while todo:
        for t in graph.nodes[todo.pop()].out_funcs:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    for n in lc.nodes(ctx):
        if n.name in seen:
            continue
        yield Report(
            lc.def_span(ctx, n),
            f"Step *{n.name}* is unreachable from the entry step *{graph.start_step}*. Add "
            f"self.next({n.name}) in another step or remove *{n.name}*.",
            step=n.name,
        )
