"""Metaflow's DAG, rebuilt from the flow model with ``metaflow/graph.py``'s exact semantics.

Interface (implemented by the engine work; field names mirror Metaflow's ``DAGNode`` so rules
can be compared line by line with ``metaflow/lint.py``):

- ``build_graph(flow: FlowClass, parallel_decorators=frozenset()) -> FlowGraph`` never raises.
- ``FlowGraph.nodes: dict[str, GraphNode]`` in source order; ``start_step``/``end_step``
  (names or None); ``sorted_nodes`` (traversal order); ``graph[name]``, ``name in graph``,
  ``iter(graph)`` like Metaflow's.
- ``GraphNode`` fields: name, type ("start"|"linear"|"split"|"foreach"|"split-switch"|"join"|
  "end"|None), out_funcs, in_funcs (sorted list), split_parents, split_branches (lists built
  on each read from the shared ``parent_chain``/``branch_chain``, see :class:`SplitChain`),
  matching_join, is_inside_foreach, has_tail_next, invalid_tail_next, tail_next_lineno,
  func_lineno, num_args, foreach_param, num_parallel, parallel_foreach, parallel_step,
  condition, switch_cases (dict key → step), is_start_step, is_end_step, decorators (names),
  step (the model Step).

Why a copy instead of calling Metaflow: Metaflow builds its graph from an *imported* flow class
(``dir(flow)`` + ``inspect.getsource``), which means running user code, and it cannot see a
half-typed file. The per-step facts (``DAGNode._parse``) come from the parser's
:class:`~metaflow_expert.model.Transition`; this module repeats ``_identify_start_end``,
``_traverse_graph`` and ``_postprocess`` with the same results. Differences are deliberate
and only about cost: Metaflow's traversal walks every path (exponential in consecutive
splits); ours is iterative (no recursion limit) and skips calls whose outcome is already
decided (see :func:`_traverse`), which is linear-ish on acyclic graphs. Where cycles leave
the full walk, it stops after ``MAX_VISITS`` node visits, setting ``FlowGraph.truncated``.
Split parents and branches are shared, interned chains (:class:`SplitChain`) rather than a
list per node, so memory stays linear in the nesting depth; ``split_parents`` and
``split_branches`` still read as Metaflow's lists. ``nodes`` keeps source order (Metaflow's is alphabetical, from ``dir()``); no computed field
depends on that order.

``parallel_step`` needs to know which decorators Metaflow marks ``IS_PARALLEL``; that set is
read from the Metaflow source by :mod:`metaflow_expert.knowledge.facts` and passed in by the
caller (``facts_for(catalog).parallel_decorators``), so every graph of one analysis — lint or
hover — uses the same source's set. Nothing here reads Metaflow's files.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from metaflow_expert.model import FlowClass, Step

#: Node visits after which the traversal gives up (see module docstring).
MAX_VISITS = 200_000


@dataclass(frozen=True, slots=True, eq=False)
class SplitChain:
    """A non-empty list of step names stored as its last name plus the list before it.

    Why: a step ``d`` splits deep has ``d`` split parents and ``d`` split branches, so lists
    on every node cost memory in the square of the nesting (5,000 nested splits took 450 MB).
    Chains share their prefixes: a push is one cell, every node keeps a pointer. The traversal
    interns the cells (one per name and prefix), so two equal chains of one graph are the same
    object and compare and hash by identity, in constant time."""

    name: str
    #: the chain without its last name (None: ``name`` is the only one)
    up: SplitChain | None
    depth: int

    def names(self) -> list[str]:
        """The names first to last, as Metaflow's list holds them."""
        out: list[str] = []
        c: SplitChain | None = self
        while c is not None:
            out.append(c.name)
            c = c.up
        out.reverse()
        return out


def chain_names(chain: SplitChain | None) -> list[str]:
    """The names of a chain, possibly empty, first to last."""
    return chain.names() if chain is not None else []


@dataclass(slots=True)
class GraphNode:
    name: str
    type: str | None
    out_funcs: list[str]
    step: Step
    in_funcs: list[str] = field(default_factory=list)
    #: Metaflow's ``split_parents``, shared with the other nodes (``split_parents`` lists it)
    parent_chain: SplitChain | None = None
    #: Metaflow's ``split_branches``, shared likewise
    branch_chain: SplitChain | None = None
    matching_join: str | None = None
    is_inside_foreach: bool = False
    has_tail_next: bool = False
    invalid_tail_next: bool = False
    tail_next_lineno: int = 0
    func_lineno: int = 0
    num_args: int = 0
    foreach_param: object = None
    num_parallel: object = 0
    parallel_foreach: bool = False
    parallel_step: bool = False
    condition: str | None = None
    switch_cases: dict[object, str] = field(default_factory=dict)
    is_start_step: bool = False
    is_end_step: bool = False
    decorators: list[str] = field(default_factory=list)
    doc: str = ""

    @property
    def split_parents(self) -> list[str]:
        """Metaflow's ``split_parents``: the open splits above this step, outermost first.
        A new list on each read (O(depth)); rules that only compare or peek use the chain."""
        return chain_names(self.parent_chain)

    @property
    def split_branches(self) -> list[str]:
        """Metaflow's ``split_branches``: the branch taken below each open split."""
        return chain_names(self.branch_chain)


@dataclass
class FlowGraph:
    name: str
    nodes: dict[str, GraphNode]
    start_step: str | None = None
    end_step: str | None = None
    sorted_nodes: list[str] = field(default_factory=list)
    doc: str = ""
    #: the traversal hit ``MAX_VISITS``; traversal-derived fields may be incomplete
    truncated: bool = False
    #: step → no cycle (a switch's self-loop included) is reachable from it, when the
    #: traversal needed to know (None: not computed); the loop rule reads it to skip its own
    #: walk on a graph with no cycle at all
    acyclic_below: dict[str, bool] | None = None

    def __getitem__(self, name: str) -> GraphNode:
        return self.nodes[name]

    def __contains__(self, name: object) -> bool:
        return name in self.nodes

    def __iter__(self) -> Iterator[GraphNode]:
        return iter(self.nodes.values())


def build_graph(flow: FlowClass, parallel_decorators: Collection[str] = frozenset()) -> FlowGraph:
    """Metaflow's ``FlowGraph(flow)`` for a parsed flow. Never raises.

    ``parallel_decorators``: names of step decorators Metaflow marks ``IS_PARALLEL`` (the
    caller's ``facts_for(catalog).parallel_decorators``); none by default."""
    graph = FlowGraph(flow.name, {}, doc=flow.docstring or "")
    for name, step in flow.steps.items():
        graph.nodes[name] = _node(name, step, parallel_decorators)
    _identify_start_end(graph)
    _traverse(graph)
    _postprocess(graph)
    return graph


def _node(name: str, step: Step, parallel: Collection[str]) -> GraphNode:
    t = step.transition
    decos = [d.name for d in step.other_decorators if d.from_metaflow]
    node = GraphNode(
        name=name,
        type=t.node_type if t is not None else None,
        out_funcs=t.target_names if t is not None else [],  # a new list on each read
        step=step,
        func_lineno=step.func_lineno,
        num_args=step.num_args,
        is_start_step=step.is_start_annotated,
        is_end_step=step.is_end_annotated,
        decorators=decos,
        # most steps carry no Metaflow decorator: no generator to build for them
        parallel_step=bool(decos) and any(d in parallel for d in decos),
        doc=step.docstring or "",
    )
    if t is None:
        return node
    node.has_tail_next = True
    node.tail_next_lineno = t.line1
    node.invalid_tail_next = t.kind == "invalid"
    node.parallel_foreach = t.node_type == "foreach" and t.num_parallel_span is not None
    if t.kind == "foreach":
        node.foreach_param = t.foreach
    elif t.kind == "parallel":
        node.num_parallel = t.num_parallel
    elif t.kind == "switch":
        node.condition = t.condition if isinstance(t.condition, str) else None
        cases: dict[object, str] = {}
        for c in t.switch_cases:
            if c.target is not None:
                cases[c.key] = c.target.name
        node.switch_cases = cases
    return node


def _identify_start_end(g: FlowGraph) -> None:
    def resolve(attr: str, fallback: str) -> str | None:
        annotated = [n for n, node in g.nodes.items() if getattr(node, attr)]
        if len(annotated) == 1:
            return annotated[0]
        if not annotated:
            return fallback if fallback in g.nodes else None
        return None

    # The fallback names are Metaflow's conventional step names, the ones `_resolve` uses.
    g.start_step = resolve("is_start_step", "start")
    g.end_step = resolve("is_end_step", "end")
    if len(g.nodes) == 1:
        (only,) = g.nodes
        g.start_step = g.end_step = only
    if g.start_step and g.start_step == g.end_step:
        g.nodes[g.start_step].type = "end"
        return
    if g.start_step:
        node = g.nodes[g.start_step]
        if node.type in (None, "linear"):
            node.type = "start"
    if g.end_step:
        g.nodes[g.end_step].type = "end"


_Chain = SplitChain | None


class ChainInterner:
    """Hands out one :class:`SplitChain` cell per (name, prefix): equal chains are one object.

    The graph's traversal uses one per graph; the split/join rule's replay of Metaflow's walk
    uses one for its own stack of open splits (same shape, same reason)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, _Chain], SplitChain] = {}

    def push(self, chain: _Chain, name: str) -> SplitChain:
        """``chain + [name]``."""
        key = (name, chain)
        cell = self.cells.get(key)
        if cell is None:
            depth = chain.depth + 1 if chain is not None else 1
            cell = self.cells[key] = SplitChain(name, chain, depth)
        return cell


@dataclass(slots=True)
class _Frame:
    """One call of Metaflow's ``traverse``: what the node writes, what its children get."""

    node: GraphNode
    #: the ``split_parents`` this call received (with the node, the memo key)
    parents_in: _Chain
    #: whether the node assigns its own split_parents/split_branches, and what
    writes: bool
    own_parents: _Chain
    own_branches: _Chain
    #: the split whose ``matching_join`` this node (a join) assigns
    closes: str | None
    split_parents: _Chain
    split_branches: _Chain
    add_split_branch: bool
    #: next index into ``node.out_funcs``, walked last to first (see ``_traverse``)
    index: int


def _up(chain: _Chain) -> _Chain:
    """``chain[:-1]``."""
    return chain.up if chain is not None else None


def _enter(node: GraphNode, parents: _Chain, branches: _Chain, cells: ChainInterner) -> _Frame:
    """The body of Metaflow's ``traverse`` before its loop over ``out_funcs``, as data."""
    t = node.type
    last = len(node.out_funcs) - 1
    if t in ("split", "foreach"):
        pushed = cells.push(parents, node.name)
        return _Frame(node, parents, True, parents, branches, None, pushed, branches, True, last)
    if t == "join":
        if parents is None:  # Metaflow ignores joins without splits
            return _Frame(node, parents, False, None, None, None, parents, branches, False, last)
        popped = _up(branches)
        return _Frame(
            node, parents, True, parents, popped, parents.name, parents.up, popped, False, last
        )
    # split-switch pushes nothing; linear, start and end nodes just record
    return _Frame(node, parents, True, parents, branches, None, parents, branches, False, last)


def _traverse(g: FlowGraph) -> None:
    """Metaflow's ``_traverse_graph``, with the same results in linear-ish time.

    Metaflow walks every path from start (exponential on chains of splits) and each visit
    overwrites a node's fields, so a field ends as its *last* visit set it, and
    ``sorted_nodes`` is the order of last visits. This walk produces the same call sequence
    *reversed* (children last to first, a node's own writes after its children) and lets
    the *first* write win: the same final values. Reversed, a repeated call is a no-op, and a
    call can be skipped when (a) nothing it reaches lies on a cycle, so Metaflow's ``seen``
    list cannot change what it does, and (b) the same node was already called with the same
    ``split_parents``: which nodes write, their split_parents and every ``matching_join``
    depend only on those; ``split_branches`` differ, but those nodes have been written
    already. Cycles keep the full walk, capped at ``MAX_VISITS``."""
    nodes = g.nodes
    in_funcs: dict[str, set[str]] = {n: set() for n in nodes}
    if g.start_step and g.start_step in nodes:
        memo_ok: dict[str, bool] | None = None  # computed on the first repeated call
        cells = ChainInterner()
        done: set[tuple[str, _Chain]] = set()
        written: set[str] = set()
        joined: set[str] = set()
        rev_order: dict[str, None] = {}  # first occurrence in the reversed call sequence
        # ``seen`` is the list Metaflow passes down: the path below the start node.
        on_path: dict[str, int] = {}
        stack = [_enter(nodes[g.start_step], None, None, cells)]
        path_names: list[str | None] = [None]
        visits = 1
        while stack:
            top = stack[-1]
            if top.index < 0:
                stack.pop()
                name = path_names.pop()
                if name is not None:
                    on_path[name] -= 1
                node = top.node
                rev_order.setdefault(node.name, None)
                if top.writes and node.name not in written:
                    written.add(node.name)
                    node.parent_chain = top.own_parents
                    node.branch_chain = top.own_branches
                if top.closes is not None and top.closes not in joined:
                    joined.add(top.closes)
                    nodes[top.closes].matching_join = node.name
                done.add((node.name, top.parents_in))
                continue
            n = top.node.out_funcs[top.index]
            top.index -= 1
            if on_path.get(n) or n not in nodes:
                continue
            if (n, top.split_parents) in done:
                if memo_ok is None:
                    memo_ok = g.acyclic_below = _acyclic_below(nodes)
                if memo_ok.get(n):
                    in_funcs[n].add(top.node.name)
                    continue
            if visits >= MAX_VISITS:
                g.truncated = True
                break
            visits += 1
            in_funcs[n].add(top.node.name)
            branches = top.split_branches
            if top.add_split_branch:
                branches = cells.push(branches, n)
            stack.append(_enter(nodes[n], top.split_parents, branches, cells))
            path_names.append(n)
            on_path[n] = on_path.get(n, 0) + 1
        g.sorted_nodes = list(reversed(rev_order))
    for name, node in nodes.items():
        node.in_funcs = sorted(in_funcs[name])


def _acyclic_below(nodes: dict[str, GraphNode]) -> dict[str, bool]:
    """For each node: True when no cycle (self-loops included) is reachable from it.

    The components come out successors first, so one pass over them decides."""
    succ = {v: [o for o in node.out_funcs if o in nodes] for v, node in nodes.items()}
    result: dict[str, bool] = {}
    for comp in strongly_connected_components(succ):
        members = set(comp)
        cyclic = len(comp) > 1 or comp[0] in succ[comp[0]]
        ok = not cyclic and all(
            result.get(o, False) for m in comp for o in succ[m] if o not in members
        )
        for m in comp:
            result[m] = ok
    return result


def strongly_connected_components(successors: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of the graph ``successors`` (every successor
    must be a key), successors' components first (reverse topological order).

    Why one routine: the graph's traversal asks which nodes reach no cycle, and the loop
    rule asks which steps reach one; both are questions about components. Iterative, so a
    chain of 10,000 steps does not hit Python's recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    comp_stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in successors:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                comp_stack.append(v)
                on_stack.add(v)
            outs = successors[v]
            if i < len(outs):
                work.append((v, i + 1))
                w = outs[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if work:  # propagate low to the caller (the frame below, if it called v)
                parent = work[-1][0]
                if parent != v:
                    low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp: list[str] = []
                while True:
                    w = comp_stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comp.reverse()  # the component's root first
                out.append(comp)
    return out


def _postprocess(g: FlowGraph) -> None:
    """Metaflow's ``is_inside_foreach``: some foreach among the split parents is not closed by
    this very step. Counted per shared chain cell, so deep nesting stays linear."""
    nodes = g.nodes
    closed_here: dict[str, set[str]] = {}  # join → the foreaches it is the matching_join of
    for name, node in nodes.items():
        if node.type == "foreach" and node.matching_join is not None:
            closed_here.setdefault(node.matching_join, set()).add(name)
    foreach_count: dict[SplitChain, int] = {}

    def count(chain: _Chain) -> int:
        pending: list[SplitChain] = []
        while chain is not None and chain not in foreach_count:
            pending.append(chain)
            chain = chain.up
        total = foreach_count[chain] if chain is not None else 0
        for cell in reversed(pending):
            cell_node = nodes.get(cell.name)
            total += cell_node is not None and cell_node.type == "foreach"
            foreach_count[cell] = total
        return total

    for node in nodes.values():
        if not count(node.parent_chain):
            continue
        mine = closed_here.get(node.name)
        if not mine:
            node.is_inside_foreach = True
            continue
        chain = node.parent_chain
        while chain is not None:
            parent = nodes.get(chain.name)
            if parent is not None and parent.type == "foreach" and chain.name not in mine:
                node.is_inside_foreach = True
                break
            chain = chain.up
