"""MF113–MF115, MF119, MF120: the split/join checks of ``metaflow/lint.py``.

The balance check replays Metaflow's walk (a stack of open splits pushed at split/foreach
steps, popped at joins) over every path, reporting every problem (one per step) instead of the
first. Where Metaflow's own walk would crash (an unknown target, a foreach straight into its
join, a branch that was never inside the split, a loop that recurses forever) the walk does
not follow that edge, or the finding is left to the rule that names the real mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from metaflow_expert.graph import ChainInterner, SplitChain
from metaflow_expert.model import Related
from metaflow_expert.rules import lint_common as lc
from metaflow_expert.rules.registry import Report, RuleContext, rule

if TYPE_CHECKING:
    from metaflow_expert.graph import GraphNode


@dataclass(frozen=True)
class _Open:
    """A split not yet joined: the split step and the branches it opened."""

    split: str
    roots: tuple[str, ...]


def _all_equal(values: list[SplitChain | None]) -> bool:
    """Chains of one graph are interned: equal lists of names are the same chain object."""
    return all(v == values[0] for v in values[1:])


def _balance(ctx: RuleContext) -> Iterator[Report]:
    graph = ctx.graph
    assert graph is not None
    end = graph.end_step
    out: dict[str, Report] = {}
    stopped = [False]
    # The open splits are a chain of split step names (a split's roots are its out_funcs):
    # interned, so the memo key hashes in constant time and deep nesting stays linear.
    chains = ChainInterner()
    visited: set[tuple[str, SplitChain | None]] = set()
    # Metaflow's walk follows loops too (it has no cycle guard) and reports what it meets on
    # the second time around; the (step, open splits) memo ends a loop that keeps the stack
    # as it is, this depth ends one that keeps opening splits.
    max_depth = len(graph.nodes) + 1
    budget = [lc.TRAVERSAL_BUDGET]

    # a split carrying a decorator the catalog cannot resolve may be another kind of split
    # (``@condition`` makes a switch of it): what is left open there is not judged
    opaque = ctx.flow_facts.unresolved_steps if ctx.flow_facts is not None else frozenset()

    def report(
        n: GraphNode, msg: str, related: list[Related] | None = None, split: str | None = None
    ) -> None:
        # One finding per step: other paths into the same step repeat the same mistake.
        stopped[0] = True
        if n.name not in out and split not in opaque:
            out[n.name] = Report(lc.def_span(ctx, n), msg, step=n.name, related=related or ())

    def split_related(o: _Open, text: str) -> list[Related]:
        sn = graph.nodes.get(o.split)
        return [Related(text, lc.tail_span(ctx, sn))] if sn is not None else []

    def opened(stack: SplitChain) -> _Open:
        """The innermost open split."""
        return _Open(stack.name, tuple(graph.nodes[stack.name].out_funcs))

    def join_check(n: GraphNode, stack: SplitChain | None) -> tuple[SplitChain | None, bool]:
        """The stack after join ``n`` and whether the join matched its split."""
        if stack is None:
            report(
                n,
                f"Step *{n.name}* seems like a join step (it takes an extra input argument) "
                "but it is not preceded by a split. Ensure that there is a matching split for "
                "every join.",
            )
            return stack, False
        top = opened(stack)
        branches: list[str] = []
        for src in n.in_funcs:
            sb = graph.nodes[src].branch_chain
            if sb is not None:
                branches.append(sb.name)  # the last of its split_branches
            elif src == top.split:
                # A foreach straight into its join: Metaflow's check crashes here; MF115
                # (check_empty_foreaches) names the real mistake.
                return stack.up, False
            else:
                branches.append(src)
        resolved = set(branches)
        if len(resolved) != len(top.roots) or resolved ^ set(top.roots):
            report(
                n,
                f"Step *{n.name}* seems like a join step (it takes an extra input argument) "
                f"but an incorrect number of steps (*{', '.join(sorted(resolved))}*) lead to "
                f"it. This join was expecting {len(top.roots)} incoming paths, starting from "
                f"split step(s) *{', '.join(top.roots)}*.",
                split_related(top, f"the split at {top.split}"),
                split=top.split,
            )
            return stack.up, False
        return stack.up, True

    def parents(src: str) -> SplitChain | None:
        """``split_parents`` (less the last for a join), as a chain: O(1) to compare."""
        p = graph.nodes[src]
        chain = p.parent_chain
        return chain.up if p.type == "join" and chain is not None else chain

    def visit(n: GraphNode, stack: SplitChain | None) -> tuple[bool, SplitChain | None]:
        """One call of Metaflow's recursive walk on ``n``: its checks, then whether the walk
        goes further from here and the open splits its successors get."""
        # What happens below a step depends only on the step and the open splits, so each
        # pair is walked once (Metaflow re-walks every path: exponential in the splits).
        key = (n.name, stack)
        if key in visited:
            return False, None
        visited.add(key)
        budget[0] -= 1
        if budget[0] < 0:
            return False, None
        new: SplitChain | None
        if n.type in ("split", "foreach"):
            new = chains.push(stack, n.name)
        elif n.type == "end":
            new = stack
            if stack is not None:
                top = opened(stack)
                report(
                    n,
                    f"The terminal step *{end}* was reached before a split started at step(s) "
                    f"*{', '.join(top.roots)}* were joined. Add a join step before *{end}*.",
                    split_related(top, f"the split at {top.split} is not joined"),
                    split=top.split,
                )
        elif n.type == "join":
            new, matched = join_check(n, stack)
            if matched and not _all_equal([parents(s) for s in n.in_funcs]):
                report(
                    n,
                    f"Step *{n.name}* joins steps from unrelated splits. Ensure that there is "
                    "a matching join for every split.",
                )
        else:
            new = stack
        if stopped[0]:
            # Metaflow stops at the first problem; past it, this path would only repeat it.
            stopped[0] = False
            return False, None
        return True, new

    # Metaflow's walk is recursive (depth-first, successors in order); an explicit stack
    # visits the same steps in the same order without Python's recursion limit (a chain of
    # a few thousand steps crashed the rule).
    todo: list[tuple[GraphNode, SplitChain | None]] = []
    if graph.start_step is not None:
        todo.append((graph.nodes[graph.start_step], None))
    while todo:
        n, stack = todo.pop()
        go_on, new = visit(n, stack)
        if not go_on:
            continue
        depth = new.depth if new is not None else 0
        children: list[tuple[GraphNode, SplitChain | None]] = []
        for t in n.out_funcs:
            if n.type == "split-switch" and t == n.name:
                continue
            if t not in graph.nodes:
                continue  # an unknown step: Metaflow's walk crashes on it; MF110 names it
            if depth > max_depth:
                continue  # a loop through an unjoined split: Metaflow recurses forever
            children.append((graph.nodes[t], new))
        todo.extend(reversed(children))
    yield from out.values()


@rule(
    "MF113",
    name="split-join-balance",
    summary="Splits and joins do not match",
    mirrors="check_split_join_balance",
)
def split_join_balance(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Replays Metaflow's split/join walk and flags: the end step reached while a split is still
    open; a join reached by the wrong set of branches; a join with no split before it; a join
    of branches from unrelated splits. Mirrors Metaflow's `check_split_join_balance`.
    A split whose step carries a decorator the Metaflow in use does not register (MF302) is
    not judged: the decorator may make it another kind of split (`@condition` makes a switch
    of it in later Metaflow versions).

    ## Why is this bad?
    Every fan-out (`self.next(self.a, self.b)`) and every foreach needs exactly one join step
    that receives all of its branches; otherwise Metaflow cannot collect the branches'
    artifacts and refuses the flow.

    ## Example
    ```python
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    graph = ctx.graph
    assert graph is not None
    if graph.start_step is None or graph.end_step is None:
        return
    yield from _balance(ctx)


@rule(
    "MF114",
    name="switch-too-few-cases",
    summary="A switch transition has fewer than two cases",
    mirrors="check_switch_splits",
)
def switch_splits(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a switch (`self.next({...}, condition="var")`) with fewer than two distinct cases,
    without a condition, or without cases. Mirrors Metaflow's `check_switch_splits`.

    ## Why is this bad?
    A switch with one case is a linear transition in disguise (duplicate keys collapse, so
    `{"a": self.x, "a": self.y}` has one case); Metaflow refuses it.

    ## Example
    ```python
    self.next({"fast": self.fast}, condition="mode")
    ```

    ## Use instead
    ```python
    self.next({"fast": self.fast, "slow": self.slow}, condition="mode")
    ```
    """
    if not lc.graph_ready(ctx):
        return
    for n in lc.nodes(ctx):
        if n.type != "split-switch":
            continue
        rel = [Related("the switch", lc.tail_span(ctx, n))]
        if len(n.out_funcs) < 2:
            msg = (
                f"Step *{n.name}* is a switch split but defines {len(n.out_funcs)} transitions. "
                "Switch splits must define at least 2 transitions."
            )
        elif not n.condition:
            msg = f"Step *{n.name}* is a switch split but has no condition variable."
        elif not n.switch_cases:
            msg = f"Step *{n.name}* is a switch split but has no switch cases defined."
        else:
            continue
        yield Report(lc.def_span(ctx, n), msg, step=n.name, related=rel)


@rule(
    "MF115",
    name="empty-foreach",
    summary="A foreach goes straight into a join step",
    mirrors="check_empty_foreaches",
)
def empty_foreaches(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a foreach (`self.next(self.x, foreach="items")`) whose target is a join step.
    Mirrors Metaflow's `check_empty_foreaches`.

    ## Why is this bad?
    A foreach runs its target once per item; with the join as target there is no step to run
    per item. (Metaflow's split/join check crashes on this shape; this rule names it.)

    ## Example
    ```python
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.join, foreach="items")

    @step
    def join(self, inputs):
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.join)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    for n in lc.nodes(ctx):
        if n.type != "foreach":
            continue
        joins = [t for t in n.out_funcs if lc.known(ctx, t) and lc.node(ctx, t).type == "join"]
        if joins:
            yield Report(
                lc.def_span(ctx, n),
                f"Step *{n.name}* is a foreach split that has no children: it is followed "
                f"immediately by a join step, *{joins[0]}*. Add at least one step between the "
                "split and the join.",
                step=n.name,
                related=lc.related_target(n, joins[0], "the join step"),
            )


@rule(
    "MF119",
    name="nested-foreach",
    summary="A foreach is nested inside another foreach",
    mirrors="check_nested_foreach",
    default_enabled=False,
)
def nested_foreach(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a foreach split nested inside another foreach. Mirrors Metaflow's
    `check_nested_foreach`, which Metaflow only runs when a deployment target asks for it
    (some schedulers cannot run nested foreaches); off unless selected.

    ## Why is this bad?
    Nested foreaches run fine locally but some orchestrators refuse them.

    ## Example
    ```python
    @step
    def per_model(self):
        self.next(self.per_fold, foreach="folds")  # inside a foreach over models
    ```

    ## Use instead
    Flatten the two loops into one foreach over (model, fold) pairs.
    """
    if not lc.graph_walkable(ctx):
        return
    for n in lc.nodes(ctx):
        if n.type != "foreach":
            continue
        outer = [
            p for p in n.split_parents if lc.known(ctx, p) and lc.node(ctx, p).type == "foreach"
        ]
        if outer:
            yield Report(
                lc.def_span(ctx, n),
                f"Nested foreaches are not allowed: Step *{n.name}* is a foreach split that is "
                "nested under another foreach split.",
                step=n.name,
                related=lc.related_def(ctx, outer[-1], "the outer foreach"),
            )


@rule(
    "MF120",
    name="switch-into-join",
    summary="A switch case leads directly to a join step",
    mirrors="check_ambiguous_joins",
)
def ambiguous_joins(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a join step that a switch (`self.next({...}, condition=...)`) transitions to
    directly. Mirrors Metaflow's `check_ambiguous_joins`.

    ## Why is this bad?
    Only one case of a switch runs, so the join cannot tell which branches to wait for.

    ## Example
    ```python
    @step
    def route(self):
        self.next({"a": self.work, "b": self.join}, condition="mode")
    ```

    ## Use instead
    ```python
    @step
    def route(self):
        self.next({"a": self.work, "b": self.skip}, condition="mode")

    @step
    def skip(self):
        self.next(self.join)
    ```
    """
    if not lc.graph_walkable(ctx):
        return
    for n in lc.nodes(ctx):
        if n.type != "join":
            continue
        bad = [p for p in n.in_funcs if lc.known(ctx, p) and lc.node(ctx, p).type == "split-switch"]
        if not bad:
            continue
        rel: list[Related] = []
        for p in bad:
            rel += lc.related_target(lc.node(ctx, p), n.name, f"switch case in {p}")
        parents = ", ".join(f"*{p}*" for p in bad)
        yield Report(
            lc.def_span(ctx, n),
            "A conditional path cannot lead directly to a join step.\n"
            f"In your conditional step(s) {parents}, one or more of "
            f"the possible paths transition directly to the join step *{n.name}*.\n"
            "As a workaround, please introduce an intermediate, unconditional step on that "
            "specific path before joining.",
            step=n.name,
            related=rel,
        )
