"""The facts of one analysis that several rules ask for, computed once and shared.

Why one object: rules run once per flow, twenty of them ask the same questions (which
artifacts exist before a step, which names the class provides, which decorators resolve to
the catalog), and a file may hold thousands of flows. :class:`FileFacts` holds what depends
on the file (and the catalog) and is built once per analysis; :class:`FlowFacts` is the
per-flow view, built once per linted flow. Every fact is a lazily computed, typed property
(:class:`~metaflow_expert.model.cached_property`, functools' without its 3.11 lock): computed
when a rule first asks, then shared, and freed with the analysis — no global memo keyed by
``id()``, no attribute stashed on a model object. Rules read facts; they keep no caches of
their own.

Nothing here knows Metaflow's own names: they come from the catalog of the indexed Metaflow
source, and the facts that need one are None without it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, NamedTuple

from metaflow_expert.knowledge.facts import MetaflowFacts, facts_for
from metaflow_expert.model import DecoratorUse, FlowClass, FlowFile, Span, Step, cached_property
from metaflow_expert.rules.config_defaults import ConfigDefault, static_default
from metaflow_expert.rules.dataflow import (
    NameSet,
    WriteTable,
    available_before,
    open_ends,
    passed_on,
    write_table,
)
from metaflow_expert.rules.guards import HASATTR_SELF, Guards, step_guards

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metaflow_expert.graph import FlowGraph, GraphNode
    from metaflow_expert.knowledge.catalog import DecoratorCatalog, DecoratorSpec

# Spellings that let a step define attributes no static reader can see.
#: ways to set attributes a static reader cannot follow; the first two share ``setattr``, so
#: one scan of a long text rules both out (each scan of a 3,000-line text costs ~35 µs)
_SETATTR_MARKERS = ("setattr(self", "__setattr__")
_OTHER_DYNAMIC_MARKERS = ("self.__dict__", "vars(self)")
_SELF_ATTR = re.compile(r"\bself\.([A-Za-z_]\w*)")
# ``if __name__ == "__main__":`` and the classes called after it
MAIN_LINE = re.compile(r"""^if\s+__name__\s*==\s*['"]__main__['"]\s*:""", re.MULTILINE)
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
#: a decorator default that is a literal attribute name: ``"spark_df"``
_STRING_NAME = re.compile(r"""^(['"])([A-Za-z_]\w*)\1$""")


def main_block(text: str) -> re.Match[str] | None:
    """``MAIN_LINE.search(text)``, tried only where a line starts with ``if``.

    Why: the pattern is anchored at line starts, but ``search`` still tries it at every
    character; on a 3,000-line flow that scan cost 0.4 ms, more than most rules. ``^`` under
    ``MULTILINE`` matches only at 0 and after ``\\n``, and the match begins with ``if``, so
    trying those positions in order finds the same first match."""
    pos = 0 if text.startswith("if") else text.find("\nif") + 1
    if pos == 0 and not text.startswith("if"):
        return None
    while True:
        found = MAIN_LINE.match(text, pos)
        if found is not None:
            return found
        nxt = text.find("\nif", pos)
        if nxt < 0:
            return None
        pos = nxt + 1


class Use(NamedTuple):
    """A Metaflow decorator as written (``deco``) with its catalog entry (``spec``)."""

    deco: DecoratorUse
    spec: DecoratorSpec
    kind: str  # "step" | "flow"
    step: Step | None


#: What makes a step odd, named once so every rule (and the engine's folding of follow-on
#: findings, ``lint/fold.py``) speaks of the same mistake. The argument mistakes follow
#: Metaflow's ``check_num_args`` (in its order); the transition ones ``check_static_transitions``.
StepMistake = Literal[
    "too-many-args",  # more than ``self, inputs``
    "join-and-split",  # takes ``inputs`` but transitions to several steps (split/foreach/switch)
    "inputs-not-join",  # takes ``inputs`` but is no join for another reason (end, bad transition)
    "missing-self",  # no ``self`` parameter
    "no-transition",  # a non-end step without a tail ``self.next``
    "next-not-last",  # … that calls ``self.next`` somewhere else in its body
]

#: Metaflow's node types that send the flow to several steps
_SPLIT_TYPES = frozenset({"split", "foreach", "split-switch"})


class StepShape(NamedTuple):
    """One step as Metaflow's graph classifies it, and the mistakes that make it odd.

    Why one record: a step that takes ``inputs`` and splits is a "split" to the graph, "not a
    join" to ``merge_artifacts`` and "both a join and a split" to ``check_num_args``; when
    each rule re-derived that from the node, the user got one error per rule for one mistake.
    Rules read this classification, and the engine folds the findings that only restate a
    mistake into the finding that states it (``lint/fold.py``)."""

    name: str
    #: ``DAGNode.type``: start, linear, join, split, foreach, split-switch, end (None: no
    #: valid transition)
    node_type: str | None
    #: takes the extra ``inputs`` argument (``num_args == 2``)
    takes_inputs: bool
    #: Metaflow treats it as a join (only then may it read ``inputs`` or merge artifacts)
    joins: bool
    #: transitions to several steps: a split, a foreach (``num_parallel`` too) or a switch
    splits: bool
    foreach: bool
    switch: bool
    #: a ``num_parallel`` foreach or a ``@parallel`` step
    parallel: bool
    #: what is wrong with its arguments, as ``check_num_args`` decides (None: nothing)
    argument_mistake: StepMistake | None
    #: what is wrong with its transition, as ``check_static_transitions`` decides
    transition_mistake: StepMistake | None

    @property
    def mistakes(self) -> tuple[StepMistake, ...]:
        return tuple(m for m in (self.argument_mistake, self.transition_mistake) if m)


def step_shape(node: GraphNode) -> StepShape:
    """The :class:`StepShape` of one graph node (see :attr:`FlowFacts.step_shapes`).

    Built positionally: every rule that walks the steps asks for every shape, and a keyword
    call costs half again as much (a named tuple per step of every flow)."""
    t = node.type
    splits = t in _SPLIT_TYPES
    num_args = node.num_args
    argument: StepMistake | None = None
    if num_args > 2:
        argument = "too-many-args"
    elif num_args == 2 and t != "join":
        argument = "join-and-split" if splits else "inputs-not-join"
    elif num_args == 0:
        argument = "missing-self"
    transition: StepMistake | None = None
    if t != "end" and not node.has_tail_next:
        transition = "next-not-last" if node.step.non_tail_next_calls else "no-transition"
    # name, node_type, takes_inputs, joins, splits, foreach, switch, parallel, mistakes
    return StepShape(
        node.name,
        t,
        num_args == 2,
        t == "join",
        splits,
        t == "foreach",
        t == "split-switch",
        node.parallel_foreach or node.parallel_step,
        argument,
        transition,
    )


class DecoratorWrites(NamedTuple):
    """Flow attributes set by a flow's decorators: per step, flow-wide (a flow decorator's:
    available in every step), whether a flow decorator sets a name its code computes
    (``unknown``: then nothing can be followed) and the steps whose decorators do
    (``unknown_steps``: only what follows them is unknown)."""

    steps: dict[str, frozenset[str]]
    flow: frozenset[str]
    unknown: bool
    unknown_steps: frozenset[str] = frozenset()


class FileFacts:
    """Facts about the whole file (and the catalog), shared by every flow's rules."""

    def __init__(
        self,
        file: FlowFile,
        catalog: DecoratorCatalog | None,
        source: MetaflowFacts | None = None,
    ) -> None:
        self.file = file
        self.catalog = catalog
        #: what Metaflow's own source says (reserved names, step-name pattern…): the
        #: catalog's, else the interpreter's Metaflow (``knowledge.facts.facts_for``)
        self.source = source if source is not None else facts_for(catalog)
        #: files besides the flow that rules read (a Config's default file, resolved, read
        #: or not: creating it changes the answer too); the analysis reports them so the
        #: editor re-analyses the flow when one of them changes
        self.side_files: set[str] = set()

    @cached_property
    def flows_by_name(self) -> dict[str, FlowClass]:
        """``file.flow(name)`` as a dict (the first flow of a name wins, like ``file.flow``)."""
        out: dict[str, FlowClass] = {}
        for flow in self.file.flows:
            out.setdefault(flow.name, flow)
        return out

    @cached_property
    def guarded_names(self) -> frozenset[str]:
        """Names tested with ``hasattr(self, "x")`` outside every step body (a helper method
        or mixin a step may call to test for the artifact): reads of them anywhere are
        guarded on purpose. A test inside a step guards that step only
        (:attr:`Guards.tested <metaflow_expert.rules.guards.Guards.tested>`)."""
        if "hasattr(" not in self.file.text:
            return frozenset()
        return frozenset(
            name
            for chunk in self._outside_steps
            if "hasattr(" in chunk
            for name in HASATTR_SELF.findall(chunk)
        )

    @cached_property
    def run_classes(self) -> frozenset[str] | None:
        """Names called in the file's ``if __name__ == "__main__":`` block (the flow that
        ``python file.py`` runs is among them); None when the file has no such block."""
        text = self.file.text
        if "__main__" not in text:
            return None
        found = main_block(text)
        if found is None:
            return None
        return frozenset(_CALL.findall(text, found.end()))

    @cached_property
    def _step_guards(self) -> dict[Span, Guards]:
        return {}

    def guards(self, step: Step) -> Guards:
        """Lines of ``step`` where reads are guarded (``try``/``except AttributeError``) or
        writes are made by some tasks of a gang only (see :mod:`~metaflow_expert.rules.guards`);
        parsed on first use, so only the steps a rule is about to report on pay for it."""
        memo = self._step_guards
        found = memo.get(step.def_span)
        if found is None:
            found = memo[step.def_span] = step_guards(self.file, step)
        return found

    @cached_property
    def has_dynamic_attributes(self) -> bool:
        """True when the file sets attributes in ways a static reader cannot follow."""
        text = self.file.text
        if "setattr" in text and any(marker in text for marker in _SETATTR_MARKERS):
            return True
        return any(marker in text for marker in _OTHER_DYNAMIC_MARKERS)

    @cached_property
    def _outside_steps(self) -> list[str]:
        """The file's text outside every step, as the runs of lines between the (sorted,
        merged) step extents."""
        extents = sorted(
            (step.span.start_line, step.span.end_line)
            for flow in self.file.flows
            for step in flow.steps.values()
        )
        lines = self.file.lines
        chunks: list[str] = []
        line = 0
        for first, last in [*extents, (len(lines), len(lines))]:
            if first > line:
                chunks.append("\n".join(lines[line:first]))
            line = max(line, last + 1)
        return chunks

    @cached_property
    def self_names_outside_steps(self) -> frozenset[str]:
        """``self.<name>`` mentioned anywhere outside the bodies of steps (generous on
        purpose: a step may call a helper method or mixin that sets it)."""
        names: set[str] = set()
        for chunk in self._outside_steps:
            if "self." in chunk:
                names.update(_SELF_ATTR.findall(chunk))
        return frozenset(names)

    @property
    def flowspec_names(self) -> frozenset[str] | None:
        """Attribute names ``FlowSpec`` itself defines (``next``, ``input``,
        ``merge_artifacts``…) per the catalog; None without a catalog (or when it knows none)."""
        catalog = self.catalog
        return (catalog.flowspec_members or None) if catalog is not None else None

    @property
    def current_providers(self) -> Mapping[str, tuple[frozenset[str], frozenset[str]]]:
        """``current.<attribute>`` → (step decorators, flow decorators) that add it, per the
        catalog; attributes ``current`` always has are left out. Empty without a catalog.
        Memoized per catalog (``DecoratorCatalog.derived_names``): it depends on nothing else."""
        catalog = self.catalog
        return catalog.derived_names.current_providers if catalog is not None else {}

    @property
    def importable_names(self) -> frozenset[str] | None:
        """Every name ``from metaflow import …`` binds in the catalog's Metaflow (its
        registered decorators, hidden ones included, top-level names and plugins, API entry
        points); None without a catalog. A decorator switched off by an extension is not one.
        Memoized per catalog (``DecoratorCatalog.derived_names``)."""
        catalog = self.catalog
        return catalog.derived_names.importable if catalog is not None else None

    def is_unresolved(self, deco: DecoratorUse) -> bool:
        """``deco`` names Metaflow (an import from it, or ``@metaflow.x``) but the catalog's
        Metaflow registers no such name: it may come from an extension installed elsewhere.
        False without a catalog (nothing can be decided)."""
        cat = self.catalog
        if cat is None or not deco.from_metaflow or "." in deco.name:
            return False
        if deco.name in cat.step or deco.name in cat.flow:
            return False  # registered (most decorators): the full name set is not needed
        known = self.importable_names
        return known is not None and deco.name not in known

    def is_opaque(self, deco: DecoratorUse, kind: str) -> bool:
        """``deco`` comes from Metaflow but the catalog has no decorator spec for it: an
        unresolved name, or a name an extension adds to ``metaflow`` as a plain function
        (``from metaflow import gpu_profile``): what it does to the step is unknown. False
        without a catalog."""
        cat = self.catalog
        return (
            cat is not None
            and deco.from_metaflow
            and cat.lookup(deco.name, kind) is None
            and deco.name not in cat.hidden
            and "." not in deco.name
        )

    @cached_property
    def _decorator_uses(self) -> dict[int, list[Use]]:
        catalog = self.catalog
        if catalog is None:
            return {}
        # keyed by identity: the file holds its flows for as long as these facts live
        return {id(flow): _resolve_decorators(flow, catalog) for flow in self.file.flows}

    def decorator_uses(self, flow: FlowClass) -> list[Use]:
        """Flow decorators, then each step's decorators (except ``@step``), that resolve to a
        name imported from metaflow and known to the catalog; empty without a catalog.

        For any flow of this file: every MF3xx rule walks the same list, and MF303 asks for
        the base classes' too."""
        return self._decorator_uses.get(id(flow), [])


def _resolve_decorators(flow: FlowClass, catalog: DecoratorCatalog) -> list[Use]:
    out: list[Use] = []
    for deco in flow.decorators:
        if deco.from_metaflow:
            spec = catalog.lookup(deco.name, "flow")
            if spec is not None:
                out.append(Use(deco, spec, "flow", None))
    for step in flow.steps.values():
        for deco in step.applied_decorators:  # built even if a second @step drops it
            if deco.from_metaflow:
                spec = catalog.lookup(deco.name, "step")
                if spec is not None:
                    out.append(Use(deco, spec, "step", step))
    return out


class FlowFacts:
    """Facts about one flow (and its graph) in the file of ``file_facts``."""

    def __init__(self, file_facts: FileFacts, flow: FlowClass, graph: FlowGraph | None) -> None:
        self.file = file_facts
        self.flow = flow
        self.graph = graph

    @cached_property
    def split_of_join(self) -> dict[str, str]:
        """join → the first split (in node order) whose ``matching_join`` it is: one pass over
        the nodes, shared by the rules that word their advice by the split a join closes."""
        out: dict[str, str] = {}
        for n, nd in self.graph.nodes.items() if self.graph is not None else ():
            if nd.matching_join is not None:
                out.setdefault(nd.matching_join, n)
        return out

    @cached_property
    def config_defaults(self) -> list[ConfigDefault]:
        """The flow's Configs whose default the file decides (a JSON file beside the flow, a
        literal): read here, once per analysis, so the facts own the I/O and record the files
        read in ``FileFacts.side_files``; empty (and nothing read) without a ``Config``."""
        params = self.flow.parameters
        if not any(p.kind == "Config" for p in params):
            return []
        path, side = self.file.file.path, self.file.side_files
        return [d for p in params if (d := static_default(p, path, side)) is not None]

    @cached_property
    def sorted_nodes(self) -> list[GraphNode]:
        """The graph's nodes in Metaflow's iteration order (``dir(flow)``: sorted by name);
        callers must not change the list."""
        graph = self.graph
        if graph is None:
            return []
        return [graph.nodes[name] for name in sorted(graph.nodes)]

    @cached_property
    def step_shapes(self) -> dict[str, StepShape]:
        """Step name → its :class:`StepShape` (join, split, foreach, switch, parallel, and
        the mistake that made it odd): the one classification the rules share. Empty
        without a graph."""
        graph = self.graph
        if graph is None:
            return {}
        return {name: step_shape(node) for name, node in graph.nodes.items()}

    @cached_property
    def has_broken_step(self) -> bool:
        """Some step has a syntax error (every whole-graph rule asks: one scan of the steps
        per analysis, not one per rule)."""
        return any(st.has_syntax_error for st in self.flow.steps.values())

    @cached_property
    def unresolved_steps(self) -> frozenset[str]:
        """Steps carrying a Metaflow decorator the catalog has no spec for
        (:meth:`FileFacts.is_opaque`: MF302 warns when the name is unknown); every step when
        one is on the flow. No other rule reasons about these steps' parallelism, artifacts or
        ``current`` attributes, since the decorator may change any of them. Empty without a
        catalog."""
        facts = self.file
        flow = self.flow
        if facts.catalog is None:
            return frozenset()
        if any(facts.is_opaque(d, "flow") for d in flow.decorators):
            return frozenset(flow.steps)
        return frozenset(
            name
            for name, step in flow.steps.items()
            if any(facts.is_opaque(d, "step") for d in step.other_decorators)
        )

    @cached_property
    def decorator_writes(self) -> DecoratorWrites:
        """The flow attributes the flow's Metaflow decorators set (read from their code by the
        catalog: ``DecoratorSpec.sets_attrs``, and the value of each ``var_args`` argument,
        like ``@catch(var="failed")``)."""
        steps: dict[str, set[str]] = {}
        flow_wide: set[str] = set()
        unknown = False
        unknown_steps: set[str] = set()
        for use in self.decorator_uses:
            if use.step is not None and use.deco not in use.step.other_decorators:
                continue  # dropped by a second @step: it never runs
            spec = use.spec
            names = set(spec.sets_attrs)
            computed = spec.sets_unknown
            for arg_name in spec.var_args:
                arg = use.deco.kwarg(arg_name)
                if arg is None:
                    computed = computed or use.deco.has_unpacked_args
                    # not given: the decorator's ``defaults`` value names the attribute
                    spec_arg = spec.arg(arg_name)
                    named = _STRING_NAME.match(spec_arg.default_src) if spec_arg else None
                    if named is not None:
                        names.add(named.group(2))
                elif arg.is_literal and isinstance(arg.value, str):
                    names.add(arg.value)
                elif not (arg.is_literal and not arg.value):  # a computed name
                    computed = True
            if use.step is None:
                flow_wide |= names
                unknown = unknown or computed
            else:
                steps.setdefault(use.step.name, set()).update(names)
                if computed:
                    unknown_steps.add(use.step.name)
        return DecoratorWrites(
            {k: frozenset(v) for k, v in steps.items()},
            frozenset(flow_wide),
            unknown,
            frozenset(unknown_steps),
        )

    @cached_property
    def writes(self) -> dict[str, frozenset[str]]:
        """Step name → the names the step assigns, and those its decorators set."""
        by_deco = self.decorator_writes.steps
        out = {
            name: frozenset(a.name for a in step.artifacts if a.kind == "write")
            for name, step in self.flow.steps.items()
        }
        for name, extra in by_deco.items():
            if name in out:
                out[name] = out[name] | extra
        return out

    @cached_property
    def _write_table(self) -> WriteTable:
        return write_table(self.writes)

    @cached_property
    def broken_steps(self) -> frozenset[str]:
        """Steps whose way on is unknown (a typo in ``self.next``, no transition yet, a
        syntax error): see :func:`~metaflow_expert.rules.dataflow.open_ends`."""
        graph = self.graph
        return open_ends(self.flow, graph) if graph is not None else frozenset()

    @cached_property
    def available_before(self) -> dict[str, NameSet] | None:
        """Step → artifacts some path from start may have assigned before it runs, passing
        everything through joins (the generous reading); only steps reachable from start
        (or from a broken step, whose successors are unknown). Steps in :attr:`opaque_reach`
        are left out too: what reaches them is unknown, and every rule asks whether a step is
        here before judging its reads. None when the graph is unusable. See
        :func:`~metaflow_expert.rules.dataflow.available_before`."""
        return self._known(
            available_before(
                self.flow,
                self.graph,
                self._write_table,
                through_joins=True,
                broken=self.broken_steps,
            )
        )

    @cached_property
    def available_before_strict(self) -> dict[str, NameSet] | None:
        """Like :attr:`available_before`, but a join passes on only what it assigns or
        merges, as Metaflow does."""
        return self._known(
            available_before(
                self.flow,
                self.graph,
                self._write_table,
                through_joins=False,
                broken=self.broken_steps,
            )
        )

    def _known(self, before: dict[str, NameSet] | None) -> dict[str, NameSet] | None:
        """``before`` without the steps whose incoming artifacts are unknown."""
        opaque = self.opaque_reach
        if before is None or not opaque:
            return before
        return {name: names for name, names in before.items() if name not in opaque}

    @cached_property
    def passed_on_strict(self) -> dict[str, NameSet] | None:
        """Step → what it hands on in Metaflow's reading (a join: only what it assigns or
        merges); what a nested join excluded does not reach the join after it."""
        strict = self.available_before_strict
        if strict is None or self.graph is None:
            return None
        return passed_on(self.flow, self.graph, self._write_table, strict)

    @cached_property
    def opaque_reach(self) -> frozenset[str]:
        """Steps at or after a step in :attr:`unresolved_steps`, or one whose decorator sets
        attributes named by computed values (``DecoratorWrites.unknown_steps``): the
        decorator may set any artifact, so what reaches these steps is unknown (not
        missing). Every step when such a step leads into a broken one (what a broken step
        hands on may reach any step). Steps before it, or on other branches, keep their
        checks."""
        graph = self.graph
        opaque = self.unresolved_steps | self.decorator_writes.unknown_steps
        if not opaque or graph is None:
            return frozenset(opaque)
        nodes = graph.nodes
        seen = set(opaque)
        todo = list(opaque)
        while todo:
            node = nodes.get(todo.pop())
            if node is None:
                continue
            for out in node.out_funcs:
                if out in nodes and out not in seen:
                    seen.add(out)
                    todo.append(out)
        if seen & self.broken_steps:
            return frozenset(self.flow.steps) | frozenset(nodes)
        return frozenset(seen)

    @cached_property
    def completed_elsewhere(self) -> bool:
        """The class is a base that a subclass in another module completes, so its graph is
        not a flow of its own.

        Metaflow builds and checks only the graph of the flow ``python file.py`` runs. A
        module with no ``if __name__ == "__main__":`` block runs nothing; a class there that
        lacks a start or an end step, and either lacks start or sends a transition to a step
        it does not define, is a library base (``class BaseC(BaseB): ... self.next(self.end)``
        with ``end`` added by the subclass). A new flow being typed gets its errors as soon as
        it has both start and end, or is named in a ``__main__`` block.

        Only the rules about the whole graph (``lint_common.graph_ready``) leave it alone: the
        dataflow rules keep judging the steps it has, since a flow being typed looks the same
        and its artifact typos must still show (a missing step is an open end to them)."""
        if self.file.run_classes is not None or self.graph is None:
            return False
        nodes = self.graph.nodes
        if not nodes:
            return False  # no steps at all: MF102 decides (a base without steps)
        has_start = "start" in nodes or any(n.is_start_step for n in nodes.values())
        has_end = "end" in nodes or any(n.is_end_step for n in nodes.values())
        if has_start and has_end:
            return False
        return not has_start or any(t not in nodes for n in nodes.values() for t in n.out_funcs)

    @cached_property
    def reachable(self) -> frozenset[str]:
        """Steps reachable from start (Metaflow only fills ``in_funcs`` for those)."""
        graph = self.graph
        if graph is None:
            return frozenset()
        nodes = graph.nodes
        start = graph.start_step
        if start is None or start not in nodes:
            return frozenset()
        seen = {start}
        todo = [start]
        while todo:
            for out in nodes[todo.pop()].out_funcs:
                if out in nodes and out not in seen:
                    seen.add(out)
                    todo.append(out)
        return frozenset(seen)

    @cached_property
    def provided_names(self) -> frozenset[str]:
        """Names reachable as ``self.<name>`` without any step assigning them: Parameters,
        IncludeFiles, Configs, class attributes, methods and steps of the flow class, and
        every ``self.<name>`` written outside step bodies (helper methods, mixins,
        ``__init__``), since a step may call code that sets it."""
        flow = self.flow
        names: set[str] = {p.attr for p in flow.parameters}
        names.update(flow.class_attributes)
        names.update(flow.non_step_methods)
        names.update(flow.steps)
        names |= self.file.self_names_outside_steps
        names |= self.decorator_writes.flow  # a flow decorator's attributes: everywhere
        return frozenset(names)

    @cached_property
    def followable(self) -> bool:
        """Whether the flow's attributes can be followed statically: no base class from
        another module, no ``setattr``-style assignments in the file, no user decorator (a
        user flow decorator or mutator may add parameters, a step decorator artifacts), no
        Metaflow flow decorator that sets attributes whose names its code computes (what they
        set is unknown, not missing). A step decorator the catalog cannot resolve, or one
        that sets computed names, costs only the steps at and after it
        (:attr:`opaque_reach`, left out of :attr:`available_before`)."""
        flow = self.flow
        if flow.unresolved_bases or self.file.has_dynamic_attributes:
            return False
        if self.decorator_writes.unknown:
            return False
        if any(not d.from_metaflow for d in flow.decorators):
            return False
        return all(d.from_metaflow for step in flow.steps.values() for d in step.other_decorators)

    @property
    def decorator_uses(self) -> list[Use]:
        """The flow's Metaflow decorators resolved against the catalog (see
        :meth:`FileFacts.decorator_uses`)."""
        return self.file.decorator_uses(self.flow)
