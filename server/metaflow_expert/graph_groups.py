"""Which steps lie inside which foreach: the nesting the graph view draws as boxes.

The graph panel draws each foreach body (the steps between a foreach split and its join) as
a labelled box, and a foreach nested in another as a box inside a box. Which foreach a step
belongs to is a fact about Metaflow's DAG, so it is read here, in the pure core, from the
``split_parents`` Metaflow's own traversal computes (:mod:`metaflow_expert.graph`), instead of
being re-derived by the extension from the edges: one source of truth for "inside a foreach",
the same one the rules use (``is_inside_foreach``).

A step's *innermost* foreach is the last foreach split in its ``split_parents`` that it does
not itself close (a join's ``split_parents`` already omit the split it joins, but a misshapen
flow can leave a join inside the body it should close; the same filter as Metaflow's
``_postprocess`` keeps it out). The foreach split and its join lie outside their own box (in
the enclosing one, if any), so a box holds exactly the steps run once per item.
"""

from __future__ import annotations

from dataclasses import dataclass

from metaflow_expert.graph import FlowGraph, GraphNode


@dataclass(frozen=True, slots=True)
class ForeachGroup:
    """One foreach body. ``steps`` are its direct members in source order (steps of a nested
    foreach body belong to the nested group, whose ``parent`` is this group's ``split``)."""

    split: str
    join: str | None
    parent: str | None
    label: str
    steps: tuple[str, ...]


def innermost_foreach(graph: FlowGraph, node: GraphNode) -> str | None:
    """The foreach split whose body ``node`` lies in most deeply, or None (walking the shared
    parent chain from its innermost end: ``split_parents`` would build the whole list)."""
    chain = node.parent_chain
    while chain is not None:
        split = graph.nodes.get(chain.name)
        if split is not None and split.type == "foreach" and split.matching_join != node.name:
            return chain.name
        chain = chain.up
    return None


def _label(split: GraphNode) -> str:
    """What the box's caption says: the list iterated (``foreach items``) or the
    ``num_parallel`` of a ``@parallel`` fan-out, as written in ``self.next``."""
    if split.parallel_foreach:
        return f"parallel {split.num_parallel}" if split.num_parallel else "parallel"
    return f"foreach {split.foreach_param}" if split.foreach_param is not None else "foreach"


def foreach_groups(graph: FlowGraph) -> list[ForeachGroup]:
    """Every foreach split that has at least one step in its body, outer groups before the
    groups nested in them (source order otherwise)."""
    owner = {name: innermost_foreach(graph, node) for name, node in graph.nodes.items()}
    members: dict[str, list[str]] = {}
    for name, split in owner.items():
        if split is not None:
            members.setdefault(split, []).append(name)
    groups = [
        ForeachGroup(
            split=name,
            join=node.matching_join,
            parent=owner[name],
            label=_label(node),
            steps=tuple(members[name]),
        )
        for name, node in graph.nodes.items()
        if name in members
    ]
    # A nested split is itself a member of its parent's body, so every parent has a group.
    by_split = {g.split: g for g in groups}
    depth = {g.split: _depth(g, by_split) for g in groups}
    return sorted(groups, key=lambda g: depth[g.split])


def _depth(group: ForeachGroup, by_split: dict[str, ForeachGroup]) -> int:
    depth, parent, seen = 0, group.parent, {group.split}
    while parent is not None and parent in by_split and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = by_split[parent].parent
    return depth
