"""Which artifacts can exist before each step: the dataflow the MF2xx artifact rules share.

Metaflow persists every ``self.x = …`` of a step and hands it to the steps that follow, so
"is ``self.x`` defined here?" is a *may* question over the graph: some path from ``start``
must assign it. The answers are deliberately generous (any write anywhere in a step counts,
deletions are ignored) so the rules built on them only speak when a read can never succeed.
This module computes; the per-analysis :class:`~metaflow_expert.rules.facts.FlowFacts`
asks once and keeps the result for every rule.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, NamedTuple

from metaflow_expert.model import CallArg, FlowClass, Step

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph, GraphNode


class NameSet(AbstractSet[str]):
    """An immutable set of artifact names stored as bits over a shared name table.

    Why: along a chain of N steps the sets passed on grow step by step, and copying them
    made :func:`available_before` quadratic in set elements; OR-ing ints is ~100x cheaper.
    Behaves as a read-only set (``in``, iteration in first-seen order, ``|``, ``-``, ``==``
    with plain sets); combining it with other sets gives a plain ``set``."""

    __slots__ = ("_index", "_mask", "_names")

    def __init__(self, mask: int, index: dict[str, int], names: list[str]) -> None:
        self._mask = mask
        self._index = index
        self._names = names

    def __contains__(self, name: object) -> bool:
        i = self._index.get(name) if isinstance(name, str) else None
        return i is not None and (self._mask >> i) & 1 == 1

    def __iter__(self) -> Iterator[str]:
        m, names = self._mask, self._names
        while m:
            low = m & -m
            yield names[low.bit_length() - 1]
            m ^= low

    def __len__(self) -> int:
        return self._mask.bit_count()

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> set[Any]:
        return set(it)

    def __repr__(self) -> str:
        return f"NameSet({set(self)!r})"


class WriteTable(NamedTuple):
    """One name table for a flow and each step's writes as a bit mask over it, shared by the
    loose and the strict dataflow."""

    positions: dict[str, int]
    names: list[str]
    masks: dict[str, int]


def write_table(writes: Mapping[str, AbstractSet[str]]) -> WriteTable:
    """The table of ``writes`` (step name → names it assigns)."""
    index: dict[str, int] = {}
    names: list[str] = []
    masks: dict[str, int] = {}
    for step_name, written in writes.items():
        m = 0
        for n in written:
            i = index.get(n)
            if i is None:
                i = index[n] = len(names)
                names.append(n)
            m |= 1 << i
        masks[step_name] = m
    return WriteTable(index, names, masks)


def open_ends(flow: FlowClass, graph: FlowGraph) -> frozenset[str]:
    """Steps whose way on is broken: a ``self.next`` target that is not a step, a transition
    that is missing or malformed (other than on the end step), or a syntax error in the step.

    Why: such a step was meant to lead *somewhere*, and while the user types (or after one
    typo) the dataflow must not lose every step after it. :func:`available_before` lets what
    an open end passes on reach any step, so one broken edge costs only the precision of
    what depends on it, never the checks of the rest of the flow."""
    nodes = graph.nodes

    def is_open(name: str, node: GraphNode) -> bool:
        step = flow.steps.get(name)
        if step is not None and step.has_syntax_error:
            return True
        if any(t not in nodes for t in node.out_funcs):
            return True
        return node.type != "end" and (not node.has_tail_next or node.invalid_tail_next)

    return frozenset(name for name, node in nodes.items() if is_open(name, node))


def available_before(
    flow: FlowClass,
    graph: FlowGraph | None,
    table: WriteTable,
    *,
    through_joins: bool,
    broken: AbstractSet[str] = frozenset(),
) -> dict[str, NameSet] | None:
    """For each step reachable from start: artifacts some path from start may have assigned
    before the step runs. None when the graph is unusable (no start, no nodes, truncated).

    With ``through_joins`` (the generous reading) a join passes on everything its branches
    had; without it a join passes on only what it assigns or merges, as Metaflow does (a
    join step starts empty; only Parameters, which callers add, flow through).

    ``broken`` (see :func:`open_ends`): steps whose edges are unknown; what such a step
    passes on may reach *any* step, so the steps after a typo are still checked (and count
    as reachable), against everything the broken step could have handed them. With no
    broken step this is exactly the plain walk over ``out_funcs``."""
    if graph is None or graph.truncated:
        return None  # truncated: in_funcs are incomplete, nothing certain can be said
    nodes = graph.nodes
    start = graph.start_step
    if not nodes or start is None or start not in nodes:
        return None
    steps = flow.steps
    index, names, writes = table
    before: dict[str, int] = {name: 0 for name in nodes}
    done: dict[str, int] = {}  # step → size of the set it last passed on
    work = deque([start])
    queued = {start}
    anywhere: int | None = None  # what the broken steps reached pass on: it may reach any step
    fanned: int | None = None  # ``anywhere`` as last handed to every step
    while work or anywhere != fanned:
        if not work:
            # one fan-out per growth of ``anywhere``, once the plain walk is quiet: linear
            # in the steps per growth, and nothing at all for a flow without broken steps
            assert anywhere is not None
            fanned = anywhere
            for succ, target in before.items():
                grew = anywhere & ~target != 0
                if grew:
                    before[succ] = target | anywhere
                if (grew or succ not in done) and succ not in queued:
                    work.append(succ)
                    queued.add(succ)
            continue
        name = work.popleft()
        queued.discard(name)
        step = steps.get(name)
        if step is None:
            passed = before[name]
        else:
            w = writes.get(name, 0)
            if through_joins or nodes[name].type != "join":
                passed = before[name] | w
            else:
                passed = _merged_mask(step, before[name], index) | w
        size = passed.bit_count()
        if done.get(name) == size:
            continue  # sets only grow: same size means nothing new to pass on
        done[name] = size
        if name in broken:
            anywhere = passed if anywhere is None else anywhere | passed
        for succ in nodes[name].out_funcs:
            if succ not in before:
                continue  # unknown transition target
            target = before[succ]
            grew = passed & ~target != 0
            if grew:
                before[succ] = target | passed
            if (grew or succ not in done) and succ not in queued:
                work.append(succ)
                queued.add(succ)
    # only steps reachable from start (or from a broken step)
    return {name: NameSet(before[name], index, names) for name in done}


def passed_on(
    flow: FlowClass,
    graph: FlowGraph,
    table: WriteTable,
    before: Mapping[str, NameSet],
) -> dict[str, NameSet]:
    """Step → what it hands to the steps after it, in Metaflow's (strict)
    reading: what came in plus its writes, and for a join only what it assigns or merges.
    ``before`` is :func:`available_before`'s strict answer."""
    index, names, writes = table
    out: dict[str, NameSet] = {}
    for name, came in before.items():
        step = flow.steps.get(name)
        node = graph.nodes.get(name)
        if step is None or node is None:
            continue
        incoming = came._mask
        if node.type == "join":
            incoming = _merged_mask(step, incoming, index)
        out[name] = NameSet(incoming | writes.get(name, 0), index, names)
    return out


def _literal_names(value: object) -> set[str]:
    if isinstance(value, (list, tuple, set)):
        return {v for v in value if isinstance(v, str)}
    return set()


def merge_filters(args: tuple[CallArg, ...]) -> tuple[set[str] | None, set[str] | None, bool]:
    """``(include, exclude, known)`` of a ``merge_artifacts(inputs, exclude, include)`` call;
    ``known`` is false when a filter is not a literal (then nothing can be said)."""
    include: set[str] | None = None
    exclude: set[str] | None = None
    positional = [a for a in args if a.name is None]
    named = {a.name: a for a in args if a.name}
    slots = {"exclude": named.get("exclude"), "include": named.get("include")}
    if len(positional) > 1 and slots["exclude"] is None:
        slots["exclude"] = positional[1]
    if len(positional) > 2 and slots["include"] is None:
        slots["include"] = positional[2]
    for key, arg in slots.items():
        if arg is None or (arg.is_literal and arg.value is None):
            continue
        if not arg.is_literal:
            return None, None, False
        if key == "include":
            include = _literal_names(arg.value) or None
        else:
            exclude = _literal_names(arg.value)
    return include, exclude, True


def _merged_mask(step: Step, incoming: int, index: dict[str, int]) -> int:
    """What a join's ``merge_artifacts`` calls take over from ``incoming`` (a mask over
    ``index``); generous: a call whose filters are not literals takes everything."""
    out = 0
    for call in step.merge_artifacts_calls:
        include, exclude, known = merge_filters(call.args)
        if not known or any(a.star for a in call.args):
            return incoming
        if include is not None:
            out |= incoming & _mask(include, index)
        else:
            out |= incoming & ~_mask(exclude or (), index)
    return out


def _mask(of: Iterable[str], index: dict[str, int]) -> int:
    m = 0
    for n in of:
        i = index.get(n)
        if i is not None:
            m |= 1 << i
    return m


def switch_fan_in(graph: FlowGraph, step: str) -> str | None:
    """The switch some of ``step``'s incoming edges come from (directly, through a chain of
    one-way steps, or from ``step`` itself in a recursion), else None.

    Why: several steps leading to a step makes it look like a join, but only one case of a
    switch runs, so a step where a switch's cases meet (or a switch that loops on itself)
    is a plain step: it takes no ``inputs`` and has nothing to merge. Advice about joins
    must not be given there."""
    nodes = graph.nodes
    node = nodes.get(step)
    if node is None:
        return None
    for head in node.in_funcs:
        cur: str | None = head
        seen: set[str] = set()
        while cur is not None and cur not in seen and cur in nodes:
            seen.add(cur)
            here = nodes[cur]
            if here.type == "split-switch":
                return cur
            if here.type != "linear" or len(here.in_funcs) != 1:
                break
            cur = here.in_funcs[0]
    return None
