"""The flow model: what a flow file says, as plain typed data.

Everything downstream (graph, rules, hovers, the Ask agent's editor context) reads these
dataclasses and never the syntax tree, so the parser can change without touching them.

Coordinates: every :class:`Span` is **0-based line, 0-based column counted in Unicode code
points** (what Python's ``str`` indexing gives). The LSP layer converts columns to the client's
position encoding; the CLI adds 1 to both for ``path:line:col``. Metaflow itself reports 1-based
lines (``func_lineno``, ``tail_next_lineno``); use :attr:`Span.line1` for those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Literal, NamedTuple, TypeVar, overload

_T = TypeVar("_T")


class cached_property(Generic[_T]):  # functools.cached_property's name: the same use
    """``functools.cached_property`` as Python 3.12 has it: the value is computed on first
    read and stored in the instance's ``__dict__``, where later reads find it.

    Why not functools': on Python 3.11 its first read of every attribute takes a lock shared
    by all instances (removed in 3.12 for the contention it caused), and an analysis computes
    about sixty of them (the per-analysis facts, each step's decorator lists): ~1% of a
    192-line analysis. Two threads reading a value not yet stored may both compute it, as in
    3.12; every user computes a pure function of immutable inputs."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value


class Span(NamedTuple):
    """A source range: 0-based lines, code-point columns, end exclusive.

    A named tuple rather than a dataclass: an analysis builds thousands (a 3,000-line flow
    ~10,000), and a tuple is built in a third of the time. Ordered and hashable as a tuple
    of its four fields."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    @property
    def line1(self) -> int:
        """1-based start line, as Metaflow prints it."""
        return self.start_line + 1

    def contains(self, line: int, col: int) -> bool:
        if (line, col) < (self.start_line, self.start_col):
            return False
        return (line, col) <= (self.end_line, self.end_col)

    @staticmethod
    def point(line: int, col: int = 0) -> Span:
        return Span(line, col, line, col)


class _NotLiteral:
    """Marker for an argument whose value is not a Python literal (a name, a call, `**cfg`)."""

    _instance: _NotLiteral | None = None

    def __new__(cls) -> _NotLiteral:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_LITERAL"

    def __bool__(self) -> bool:
        return False


NOT_LITERAL = _NotLiteral()


class CallArg(NamedTuple):
    """One argument of a call or decorator: ``name=value`` or a positional ``value``.

    ``value`` is the evaluated literal (``ast.literal_eval`` of the source) or ``NOT_LITERAL``.
    ``star`` is ``"*"``/``"**"`` for unpacked arguments (``**config``), whose content is unknown.
    """

    name: str | None
    value: object
    source: str
    span: Span
    value_span: Span
    name_span: Span | None = None
    star: str | None = None

    @property
    def is_literal(self) -> bool:
        return self.value is not NOT_LITERAL


class DecoratorUse(NamedTuple):
    """A decorator as written above a step or a flow class.

    ``name`` is the name Metaflow knows it by after resolving imports and aliases
    (``from metaflow import batch as b`` → ``b`` is ``"batch"``; ``metaflow.retry`` → ``"retry"``);
    ``written`` is the text as typed (``"b"``, ``"metaflow.retry"``). ``from_metaflow`` says whether
    the name resolves to an import from ``metaflow`` (false for user decorators and unknown names).
    ``args`` is empty and ``has_call`` false for a bare ``@batch``.
    """

    name: str
    written: str
    span: Span
    name_span: Span
    args: tuple[CallArg, ...] = ()
    has_call: bool = False
    from_metaflow: bool = False
    args_span: Span | None = None

    @property
    def has_unpacked_args(self) -> bool:
        """``@batch(**cfg)`` or ``@batch(*xs)``: arguments only known when the config is."""
        return any(a.star for a in self.args)

    def kwarg(self, name: str) -> CallArg | None:
        for a in self.args:
            if a.name == name:
                return a
        return None


class TargetRef(NamedTuple):
    """A step named in a transition: ``self.train`` → name ``"train"``, span of ``train``."""

    name: str
    span: Span


@dataclass(frozen=True)
class SwitchCase:
    """One ``key: self.step`` entry of a switch dict.

    ``key`` is the constant (as Python value) or ``"config:<cfg>.<key>"`` for ``self.cfg.key``,
    exactly as Metaflow's graph stores it; ``None`` when the key is not one Metaflow accepts.
    """

    key: object
    key_source: str
    key_span: Span
    target: TargetRef | None


TransitionKind = Literal["linear", "split", "foreach", "parallel", "switch", "invalid"]


class Transition(NamedTuple):
    """The tail ``self.next(...)`` of a step, as Metaflow's graph parser would read it.

    Only a bare ``self.next(...)`` expression statement that is the **last statement** of the
    body is a transition (Metaflow's rule); other ``self.next`` calls are recorded on the step as
    ``non_tail_next_calls``. ``kind`` mirrors ``DAGNode._parse``: a form Metaflow marks
    ``invalid_tail_next`` is ``"invalid"`` with ``invalid_reason`` saying why in plain words;
    ``targets`` are the ``out_funcs`` Metaflow would compute (for a switch, the case values in
    dict order; for an invalid call, whatever Metaflow would still have put in ``out_funcs``).
    ``line1`` is Metaflow's ``tail_next_lineno`` (1-based line of the statement's first line).
    """

    kind: TransitionKind
    span: Span
    targets: tuple[TargetRef, ...] = ()
    foreach: object = None
    foreach_span: Span | None = None
    num_parallel: object = None
    num_parallel_span: Span | None = None
    condition: object = None
    condition_span: Span | None = None
    switch_cases: tuple[SwitchCase, ...] = ()
    keywords: tuple[CallArg, ...] = ()
    args: tuple[CallArg, ...] = ()
    invalid_reason: str | None = None
    #: ``DAGNode.type`` exactly as ``_parse`` leaves it ("linear", "join", "split", "foreach",
    #: "split-switch" or None), before the graph marks start/end. It differs from ``kind`` for
    #: invalid calls (``self.next(self.a, self.b, foreach="x")`` is an invalid "foreach").
    node_type: str | None = None

    @property
    def line1(self) -> int:
        return self.span.line1

    @property
    def target_names(self) -> list[str]:
        return [t.name for t in self.targets]


ArtifactAccessKind = Literal["write", "read", "delete"]


class ArtifactAccess(NamedTuple):
    """``self.x = …`` (write), ``self.x`` in an expression (read), ``del self.x`` (delete).

    ``via`` tells how it was spelled: ``"attr"`` (``self.x``), ``"setattr"``/``"getattr"`` with a
    literal name, ``"augassign"`` (``self.x += 1`` is a read and a write), ``"input"``
    (``inputs.a.x`` or ``inp.x`` for ``inp in inputs`` in a join: a read of a branch's value).
    """

    name: str
    kind: ArtifactAccessKind
    span: Span
    via: str = "attr"


@dataclass(frozen=True)
class CallSite:
    """A call of interest inside a step body (``self.merge_artifacts(...)``, non-tail ``self.next``)."""

    name: str
    span: Span
    args: tuple[CallArg, ...] = ()


@dataclass
class Step:
    """A method carrying Metaflow's ``@step`` decorator.

    ``decorators`` are in source order, top to bottom, **including** the ``@step`` itself at
    index ``step_decorator_index``. Metaflow applies decorators bottom-up, so a built-in
    decorator must appear *above* ``@step`` (a smaller index).
    ``params`` are the parameter names of the ``def`` including ``self``; Metaflow's
    ``num_args`` is ``len(params)`` (positional parameters only).
    ``defined_in`` is the class whose body holds the ``def`` (differs from the flow for
    inherited steps).
    """

    name: str
    span: Span
    name_span: Span
    def_span: Span
    decorators: list[DecoratorUse]
    step_decorator_index: int
    params: list[str]
    params_span: Span
    body_span: Span
    defined_in: str
    docstring: str | None = None
    is_start_annotated: bool = False
    is_end_annotated: bool = False
    transition: Transition | None = None
    last_statement_span: Span | None = None
    non_tail_next_calls: list[CallSite] = field(default_factory=list)
    merge_artifacts_calls: list[CallSite] = field(default_factory=list)
    artifacts: list[ArtifactAccess] = field(default_factory=list)
    uses_input: list[Span] = field(default_factory=list)
    uses_index: list[Span] = field(default_factory=list)
    uses_inputs_param: list[Span] = field(default_factory=list)
    assigns_reserved: list[ArtifactAccess] = field(default_factory=list)
    has_syntax_error: bool = False
    #: indices into ``decorators`` of other ``@step`` decorators, above the one that counts
    #: (``step_decorator_index``, the lowest: Python applies it first)
    extra_step_decorators: tuple[int, ...] = ()

    @property
    def func_lineno(self) -> int:
        """Metaflow's ``func_lineno``: 1-based line of the ``def``."""
        return self.def_span.line1

    @property
    def num_args(self) -> int:
        return len(self.params)

    @property
    def step_decorator(self) -> DecoratorUse:
        return self.decorators[self.step_decorator_index]

    @cached_property
    def other_decorators(self) -> list[DecoratorUse]:
        """The decorators other than ``@step`` that Metaflow keeps on the step (asked per step
        by many rules: computed once; ``decorators`` is never changed after parsing).

        Why not simply :attr:`applied_decorators`: each ``@step`` Metaflow applies starts the
        step's decorator list afresh, so with a second ``@step`` above the first only the
        Metaflow decorators above the topmost one survive (MF220 reports the rest). Those
        below the lowest ``@step`` are kept: Metaflow fails on them (MF206 reports them); so
        are other decorators (a plain function wrapper is not undone)."""
        low = self.step_decorator_index
        if not self.extra_step_decorators:  # one ``@step`` (nearly every step): all the rest
            return [*self.decorators[:low], *self.decorators[low + 1 :]]
        top = min(self.extra_step_decorators)
        steps = {low, *self.extra_step_decorators}
        return [
            d
            for i, d in enumerate(self.decorators)
            if i not in steps and (i < top or i > low or not d.from_metaflow)
        ]

    @cached_property
    def applied_decorators(self) -> list[DecoratorUse]:
        """Every decorator Python applies to the step except the ``@step``s, including those
        a second ``@step`` drops: Metaflow still builds them (an unknown argument fails at
        import), it only forgets them afterwards."""
        low = self.step_decorator_index
        if not self.extra_step_decorators:  # one ``@step``: every other decorator
            return [*self.decorators[:low], *self.decorators[low + 1 :]]
        steps = {low, *self.extra_step_decorators}
        return [d for i, d in enumerate(self.decorators) if i not in steps]

    def writes(self) -> list[ArtifactAccess]:
        return [a for a in self.artifacts if a.kind == "write"]

    def reads(self) -> list[ArtifactAccess]:
        return [a for a in self.artifacts if a.kind == "read"]


ParameterKind = Literal["Parameter", "IncludeFile", "Config"]


@dataclass(frozen=True)
class ParameterDecl:
    """A class-level ``attr = Parameter("name", ...)`` (or ``IncludeFile``/``Config``)."""

    attr: str
    kind: ParameterKind
    span: Span
    attr_span: Span
    param_name: str | None
    args: tuple[CallArg, ...] = ()
    defined_in: str = ""

    def kwarg(self, name: str) -> CallArg | None:
        for a in self.args:
            if a.name == name:
                return a
        return None


class ShadowedStep(NamedTuple):
    """A step whose name the same class body defines again (``def`` or assignment) below it:
    Python keeps the last binding, so this step never reaches Metaflow."""

    step: Step
    #: the name of the later definition
    by: Span
    #: the later definition is a step too (else a method or an attribute)
    by_step: bool


@dataclass
class FlowClass:
    """A class that is (transitively, within the file) a ``FlowSpec`` subclass.

    ``steps`` maps step name → :class:`Step` over the whole class hierarchy found in the file
    (own and inherited, the most-derived definition winning, like ``dir(flow)``), in source order
    of definition. ``own_step_names`` are those defined in this class's own body.
    ``unresolved_bases`` lists bases that are neither ``FlowSpec`` nor classes in this file
    (imported from elsewhere): their steps are unknown, so graph rules should be cautious.
    ``is_leaf`` is true when no other class in the file subclasses this one.
    """

    name: str
    span: Span
    name_span: Span
    bases: list[str]
    decorators: list[DecoratorUse]
    steps: dict[str, Step]
    own_step_names: list[str]
    parameters: list[ParameterDecl]
    class_attributes: dict[str, Span]
    docstring: str | None = None
    is_leaf: bool = True
    unresolved_bases: list[str] = field(default_factory=list)
    non_step_methods: dict[str, Span] = field(default_factory=dict)
    misplaced_step_decorators: list[DecoratorUse] = field(default_factory=list)
    #: steps a later definition of the same name in the same class body replaces
    shadowed_steps: list[ShadowedStep] = field(default_factory=list)

    @property
    def line1(self) -> int:
        return self.span.line1


@dataclass(frozen=True)
class SyntaxIssue:
    """A region tree-sitter could not parse (an ERROR or MISSING node), or the place Python's
    own parser stops at when tree-sitter read the text differently.

    ``statement`` is the extent of the statement the error breaks (``None``: unknown, then
    ``span``): the engine drops only the findings that rest on it, so one syntax error costs
    its own statement, not its step."""

    span: Span
    message: str
    statement: Span | None = None

    @property
    def extent(self) -> Span:
        return self.statement if self.statement is not None else self.span


class ImportBinding(NamedTuple):
    """``local`` name bound by an import: ``from metaflow import batch as b`` → (``b``, ``metaflow``, ``batch``)."""

    local: str
    module: str
    name: str | None
    span: Span


@dataclass
class FlowFile:
    """One parsed file: its flows, its imports, and what could not be parsed."""

    path: str
    text: str
    flows: list[FlowClass]
    imports: dict[str, ImportBinding]
    syntax_issues: list[SyntaxIssue]
    lines: list[str]
    other_classes: dict[str, Span] = field(default_factory=dict)

    @property
    def has_flows(self) -> bool:
        return bool(self.flows)

    def flow(self, name: str) -> FlowClass | None:
        for f in self.flows:
            if f.name == name:
                return f
        return None


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class TextEdit:
    span: Span
    new_text: str


@dataclass(frozen=True)
class Fix:
    """A quick fix: a title and the edits that apply it (same file)."""

    title: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True)
class Related:
    """Another place that explains a finding (``path`` None means the same file)."""

    message: str
    span: Span
    path: str | None = None


def split_citation(cite: str) -> tuple[str, int] | None:
    """``"metaflow/lint.py:120"`` → ``("metaflow/lint.py", 120)``: the one reader of the
    ``path:line`` strings the catalog, the index and findings carry; None when malformed."""
    path, _, line = cite.rpartition(":")
    if not path or not line.isdigit():
        return None
    return path, int(line)


@dataclass(frozen=True)
class Finding:
    """One problem found in a file.

    ``mirrors`` names the Metaflow check it reproduces (``"check_unknown_transitions"`` for the
    lint checks, ``"decorator:retry"``-style names for decorator-time checks), or None for
    checks Metaflow does not make. ``cites`` is ``"path:line"`` into the indexed Metaflow source
    (filled in by the engine from the knowledge index when available).
    """

    code: str
    message: str
    span: Span
    severity: Severity
    mirrors: str | None = None
    flow: str | None = None
    step: str | None = None
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    cites: str | None = None

    @property
    def line1(self) -> int:
        return self.span.line1

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.span.start_line, self.span.start_col, self.code, self.message)
