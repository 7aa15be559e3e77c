"""Shared reasoning for the MF2xx rules: which artifacts can exist where.

Metaflow persists every ``self.x = …`` of a step and hands it to the steps that follow, so
"is ``self.x`` defined here?" is a *may* question over the graph: some path from ``start``
must assign it. The answers here are deliberately generous (any write anywhere in a step
counts, deletions are ignored) so the rules built on them only speak when a read can never
succeed. Nothing here knows Metaflow's own attribute names: those come from the catalog of
the indexed Metaflow source (:func:`flowspec_names`), and rules that need them stay silent
without one.
"""

from __future__ import annotations

import re
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from metaflow_expert.model import CallArg, Fix, FlowClass, FlowFile, Span, Step, TextEdit
from metaflow_expert.rules.file_memo import MISSING, WeakMemo, per_file, per_owner, recall, remember

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph

# Spellings that let a step define attributes no static reader can see.
_DYNAMIC_MARKERS = ("setattr(self", "self.__dict__", "vars(self)", "__setattr__")


def node_of(graph: FlowGraph | None, name: str) -> Any:
    """The graph node for step ``name`` or None (graphs of broken flows may lack nodes)."""
    if graph is None:
        return None
    try:
        nodes = graph.nodes
    except AttributeError:
        return None
    return nodes.get(name)


_PROVIDED_MEMO: WeakMemo = {}


def provided_names(flow: FlowClass, file: FlowFile | None = None) -> frozenset[str]:
    """Names reachable as ``self.<name>`` without any step assigning them: Parameters,
    IncludeFiles, Configs, class attributes, methods and steps of the flow class — and, when
    ``file`` is given, every ``self.<name>`` written outside step bodies (helper methods,
    mixins, ``__init__``), since a step may call code that sets it. Remembered per flow and
    file: five rules ask."""
    key = (id(flow), id(file))
    memo = recall(_PROVIDED_MEMO, key, flow)
    if memo is not MISSING and memo[0]() is file:
        return memo[1]  # type: ignore[no-any-return]
    names: set[str] = {p.attr for p in flow.parameters}
    names.update(flow.class_attributes)
    names.update(flow.non_step_methods)
    names.update(flow.steps)
    if file is not None:
        names |= self_names_outside_steps(file)
    result = frozenset(names)
    file_ref = _weak(file)
    if file_ref is not None:
        remember(_PROVIDED_MEMO, key, flow, (file_ref, result))
    return result


_SELF_ATTR = re.compile(r"\bself\.([A-Za-z_]\w*)")
_OUTSIDE_MEMO: WeakMemo = {}


def self_names_outside_steps(file: FlowFile) -> frozenset[str]:
    """``self.<name>`` mentioned anywhere outside the bodies of steps (generous on purpose)."""
    memo = recall(_OUTSIDE_MEMO, id(file), file)
    if memo is not MISSING:
        return memo  # type: ignore[no-any-return]
    # the lines outside every step, as runs between the (sorted, merged) step extents
    extents = sorted(
        (step.span.start_line, step.span.end_line)
        for flow in file.flows
        for step in flow.steps.values()
    )
    names: set[str] = set()
    lines = file.lines
    line = 0
    for first, last in [*extents, (len(lines), len(lines))]:
        if first > line:
            chunk = "\n".join(lines[line:first])
            if "self." in chunk:
                names.update(_SELF_ATTR.findall(chunk))
        line = max(line, last + 1)
    result = frozenset(names)
    remember(_OUTSIDE_MEMO, id(file), file, result)
    return result


def _api_members(api: Any, prefix: str) -> set[str]:
    out: set[str] = set()
    items: Iterable[tuple[Any, Any]]
    try:
        items = api.items() if isinstance(api, Mapping) else ()
    except Exception:
        return out
    for key, sym in items:
        for qual in (str(key), str(getattr(sym, "name", "") or "")):
            if qual.startswith(prefix):
                member = qual[len(prefix) :].split(".", 1)[0]
                if member:
                    out.add(member)
    return out


def flowspec_names(catalog: Any) -> frozenset[str] | None:
    """Attribute names ``FlowSpec`` itself defines (``next``, ``input``, ``merge_artifacts``…),
    read from the catalog of the indexed Metaflow source; None when there is no catalog.

    Uses ``catalog.reserved_names`` (public ``FlowSpec`` members, ``_NON_PARAMETERS`` and the
    reserved step names of ``lint.py``) plus the ``FlowSpec.*`` entries of ``catalog.api``."""
    if catalog is None:
        return None
    return per_owner(catalog, "flowspec_names", _flowspec_names)


def _flowspec_names(catalog: Any) -> frozenset[str] | None:
    names: set[str] = set()
    for attr in ("flowspec_members", "reserved_names"):
        members = getattr(catalog, attr, None)
        if members:
            names.update(str(m) for m in members)
    names |= _api_members(getattr(catalog, "api", None), "FlowSpec.")
    return frozenset(names) if names else None


_GUARD = re.compile(r"""\bhasattr\(\s*self\s*,\s*['"]([A-Za-z_]\w*)['"]""")


def guarded_names(file: FlowFile) -> frozenset[str]:
    """Names the file tests with ``hasattr(self, "x")``: reads of them are guarded on purpose."""
    return per_file(file, "guarded_names", _guarded_names)


def _guarded_names(file: FlowFile) -> frozenset[str]:
    if "hasattr(" not in file.text:
        return frozenset()
    return frozenset(_GUARD.findall(file.text))


def has_dynamic_attributes(file: FlowFile) -> bool:
    """True when the file sets attributes in ways a static reader cannot follow."""
    return per_file(file, "dynamic_attributes", _has_dynamic_attributes)


def _has_dynamic_attributes(file: FlowFile) -> bool:
    return any(marker in file.text for marker in _DYNAMIC_MARKERS)


def step_writes(step: Step) -> frozenset[str]:
    """Names the step assigns. Several rules ask for every step, so the answer is kept on
    the step itself (a private attribute, checked against the number of accesses): cheaper
    than a weakly-held memo entry per step, and freed with the step."""
    memo = step.__dict__.get(_WRITES_ATTR)
    if memo is not None and memo[0] == len(step.artifacts):
        return memo[1]  # type: ignore[no-any-return]
    names = frozenset(a.name for a in step.artifacts if a.kind == "write")
    step.__dict__[_WRITES_ATTR] = (len(step.artifacts), names)
    return names


_WRITES_ATTR = "_metaflow_expert_writes"


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


_BEFORE_MEMO: WeakMemo = {}


def available_before(
    flow: FlowClass, graph: FlowGraph | None, *, through_joins: bool = True
) -> dict[str, NameSet] | None:
    """For each step reachable from start: artifacts some path from start may have assigned
    before the step runs. None when the graph is unusable (no start, no nodes, truncated).

    With ``through_joins`` (the generous default) a join passes on everything its branches
    had; without it a join passes on only what it assigns or merges, as Metaflow does (a
    join step starts empty; only Parameters, which callers add, flow through).
    Memoised per (flow, graph): every artifact rule asks. The sets are read-only."""
    key = (id(flow), id(graph), through_joins)
    memo = recall(_BEFORE_MEMO, key, flow)
    if memo is not MISSING and memo[0]() is graph:
        return memo[1]  # type: ignore[no-any-return]
    result = _available_before(flow, graph, through_joins)
    graph_ref = _weak(graph)
    if graph_ref is not None:
        remember(_BEFORE_MEMO, key, flow, (graph_ref, result))
    return result


def _weak(obj: object) -> Callable[[], object] | None:
    """A weak reference to ``obj`` (``None`` itself is fine); None when it cannot have one."""
    if obj is None:
        return lambda: None
    try:
        return weakref.ref(obj)
    except TypeError:
        return None


def _available_before(
    flow: FlowClass, graph: FlowGraph | None, through_joins: bool
) -> dict[str, NameSet] | None:
    if graph is None or getattr(graph, "start_step", None) is None:
        return None
    if getattr(graph, "truncated", False):
        return None  # in_funcs are incomplete: nothing certain can be said
    nodes = getattr(graph, "nodes", None)
    if not nodes:
        return None
    start = graph.start_step
    if start is None or start not in nodes:
        return None
    steps = flow.steps
    index, names, writes = _write_masks(flow)
    before: dict[str, int] = {name: 0 for name in nodes}
    done: dict[str, int] = {}  # step → size of the set it last passed on
    work = deque([start])
    queued = {start}
    while work:
        name = work.popleft()
        queued.discard(name)
        step = steps.get(name)
        if step is None:
            passed = before[name]
        else:
            w = writes[name]
            if through_joins or getattr(nodes[name], "type", None) != "join":
                passed = before[name] | w
            else:
                passed = _merged_mask(step, before[name], index) | w
        size = passed.bit_count()
        if done.get(name) == size:
            continue  # sets only grow: same size means nothing new to pass on
        done[name] = size
        for succ in getattr(nodes[name], "out_funcs", ()) or ():
            if succ not in before:
                continue  # unknown transition target
            target = before[succ]
            grew = passed & ~target != 0
            if grew:
                before[succ] = target | passed
            if (grew or succ not in done) and succ not in queued:
                work.append(succ)
                queued.add(succ)
    # only steps reachable from start
    return {name: NameSet(before[name], index, names) for name in done}


_TABLE_MEMO: WeakMemo = {}


def _write_masks(flow: FlowClass) -> tuple[dict[str, int], list[str], dict[str, int]]:
    """One name table for the flow and each step's writes as a mask over it, shared by the
    loose and strict dataflow (both are asked for on every analysis)."""
    memo = recall(_TABLE_MEMO, id(flow), flow)
    if memo is not MISSING:
        return memo  # type: ignore[no-any-return]
    index: dict[str, int] = {}
    names: list[str] = []
    writes: dict[str, int] = {}
    for step_name, step in flow.steps.items():
        m = 0
        for n in step_writes(step):
            i = index.get(n)
            if i is None:
                i = index[n] = len(names)
                names.append(n)
            m |= 1 << i
        writes[step_name] = m
    table = (index, names, writes)
    remember(_TABLE_MEMO, id(flow), flow, table)
    return table


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


def reachable(graph: FlowGraph | None) -> set[str]:
    """Steps reachable from start (Metaflow only fills ``in_funcs`` for those)."""
    if graph is None:
        return set()
    start = getattr(graph, "start_step", None)
    nodes = getattr(graph, "nodes", None) or {}
    if start is None or start not in nodes:
        return set()
    seen = {start}
    todo = [start]
    while todo:
        node = nodes[todo.pop()]
        for out in getattr(node, "out_funcs", ()) or ():
            if out in nodes and out not in seen:
                seen.add(out)
                todo.append(out)
    return seen


def closest(name: str, choices: Iterable[str], cutoff: float = 70.0) -> str | None:
    """The choice most similar to ``name`` (rapidfuzz ratio ≥ ``cutoff``), or None."""
    pool = [c for c in choices if c != name]
    if not pool:
        return None
    from rapidfuzz import fuzz, process

    hit = process.extractOne(name, pool, scorer=fuzz.ratio, score_cutoff=cutoff)
    return hit[0] if hit else None


def string_fix(file: FlowFile, span: Span | None, new: str, title: str) -> Fix | None:
    """A fix replacing the one-line string literal at ``span`` by ``new``, keeping its quotes."""
    if span is None or span.start_line != span.end_line or span.start_line >= len(file.lines):
        return None
    literal = file.lines[span.start_line][span.start_col : span.end_col]
    quote = literal[-1:] if literal[-1:] in ("'", '"') else None
    if quote is None or not literal.lstrip("rRuU").startswith(quote):
        return None
    return Fix(title, (TextEdit(span, f"{quote}{new}{quote}"),))
