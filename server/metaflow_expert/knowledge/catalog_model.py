"""The decorator catalog's records: decorators, their arguments, the API entry points, limits.

Why a module of its own: the builder (:mod:`catalog_build`) produces these records and the
loader (:mod:`catalog`) caches them. With the records here, the dependencies run one way:
the loader imports the builder (only on a cache miss), both import the records, and the
builder never needs the loader. The records are plain data; their
``to_dict``/``from_dict`` round trip is the on-disk cache format, checked field by field
(:mod:`jsonshape`) so a cache of another layout is rejected, never half-read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property

from metaflow_expert.knowledge import jsonshape as js
from metaflow_expert.knowledge.facts import CatalogNames, MetaflowFacts, catalog_names
from metaflow_expert.knowledge.jsonshape import JSON
from metaflow_expert.knowledge.run_model import RunFacts


@dataclass
class ArgSpec:
    """One accepted decorator argument: a key of the class's ``defaults`` dict.

    ``effective_src``/``effective_cite``: what Metaflow applies when the user leaves a
    ``None`` default unset, when the class hands another class-level dict to a call (``@batch``
    passes ``self.resource_defaults`` to ``compute_resource_attributes``: ``cpu`` is
    ``None`` in ``defaults`` but becomes ``"1"``); ``applied_cite`` is that call."""

    name: str
    default_src: str
    doc: str
    line: int
    type: str = ""
    path: str = ""
    effective_src: str = ""
    effective_cite: str = ""
    applied_cite: str = ""

    @property
    def shown_default(self) -> str:
        """The default a user gets: the effective one when Metaflow substitutes it."""
        return self.effective_src or self.default_src


@dataclass
class CurrentAttr:
    """An attribute a decorator adds to ``current`` (from its "MF Add To Current" block)."""

    name: str
    type: str
    doc: str
    line: int = 0
    path: str = ""


@dataclass
class DecoratorSpec:
    """A registered step or flow decorator. ``path``/``line`` point at the ``class`` line;
    ``defaults_path``/``defaults_line`` at the ``defaults =`` assignment (maybe in a base class);
    ``constants`` are the module-level literal constants of the decorator's file
    (name → (value source, line)), e.g. name-validation limits."""

    name: str
    kind: str
    class_name: str
    path: str
    line: int
    defaults_line: int
    args: list[ArgSpec]
    allow_multiple: bool
    doc: str
    current_attrs: list[CurrentAttr] = field(default_factory=list)
    origin: str = "metaflow"
    defaults_path: str = ""
    allow_multiple_cite: str = ""
    end_line: int = 0
    constants: dict[str, tuple[str, int]] = field(default_factory=dict)
    registry_cite: str = ""
    methods: dict[str, int] = field(default_factory=dict)
    conversions: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    conflicts: list[tuple[list[str], int]] = field(default_factory=list)
    checks: dict[str, list[tuple[list[str], str]]] = field(default_factory=dict)
    # flow attributes the decorator's code sets, read at build time (see
    # :mod:`attributes`): literal names (``setattr(flow, "obtb", …)``, ``flow.obtb = …``) and
    # the arguments whose value names one (``@catch(var="x")``: ``setattr(flow,
    # self.attributes["var"], …)``); ``sets_unknown`` when it sets a name it computes otherwise
    sets_attrs: list[str] = field(default_factory=list)
    var_args: list[str] = field(default_factory=list)
    sets_unknown: bool = False

    def arg(self, name: str) -> ArgSpec | None:
        return next((a for a in self.args if a.name == name), None)

    @property
    def arg_names(self) -> list[str]:
        return [a.name for a in self.args]

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class ApiSymbol:
    """A public API entry point, located in the source."""

    name: str
    qualname: str
    path: str
    line: int
    end_line: int
    signature: str
    doc: str
    kind: str = ""

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Limit:
    """A numeric limit Metaflow enforces, derived from its source: ``value`` and where."""

    value: int
    cite: str
    expr: str


@dataclass
class DecoratorCatalog:
    """Everything rules, hovers and completions need to know about decorators and the API."""

    version: str
    root: str
    step: dict[str, DecoratorSpec]
    flow: dict[str, DecoratorSpec]
    api: dict[str, ApiSymbol]
    lint_checks: dict[str, tuple[str, int]]
    # what the graph and the rules read from this source (parallel decorators, lint.py
    # constants, Parameter's reserved names), read once at build time and cached with it;
    # required, so a catalog can never silently lack them
    facts: MetaflowFacts
    # attribute names FlowSpec defines (see :func:`flowspec_members_of`)
    flowspec_members: frozenset[str]
    reserved_names: dict[str, str] = field(default_factory=dict)
    limits: dict[str, Limit] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    framework: dict[str, str] = field(default_factory=dict)
    toplevel_names: list[str] = field(default_factory=list)
    toplevel_plugins: dict[str, str] = field(default_factory=dict)
    # decorators registered but switched off (an extension's ``TOGGLE_STEP_DECORATOR =
    # ["-batch"]``), name → ``path:line`` of the toggle: importing one fails
    disabled: dict[str, str] = field(default_factory=dict)
    # what a run needs (settings, decorator requirements, CLI flags): :mod:`run_build`
    run: RunFacts = field(default_factory=RunFacts)

    @cached_property
    def derived_names(self) -> CatalogNames:
        """Name sets derived from this catalog alone, which rules ask for on every analysis:
        computed on first use and kept with the catalog (it never changes once built)."""
        return catalog_names(self)

    def lookup(self, name: str, kind: str | None = None) -> DecoratorSpec | None:
        if kind in (None, "step") and name in self.step:
            return self.step[name]
        if kind in (None, "flow") and name in self.flow:
            return self.flow[name]
        return None

    def all(self) -> list[DecoratorSpec]:
        return list(self.step.values()) + list(self.flow.values())

    def names(self, kind: str | None = None) -> list[str]:
        return [d.name for d in self.all() if kind in (None, d.kind)]

    def to_dict(self) -> JSON:
        """Plain data (JSON- and ``marshal``-serialisable); sets become sorted lists."""
        d = asdict(self)
        d["facts"] = _facts_to_dict(self.facts)
        d["flowspec_members"] = sorted(self.flowspec_members)
        return d

    @classmethod
    def from_dict(cls, d: JSON) -> DecoratorCatalog:
        """The inverse of :meth:`to_dict`; raises ``KeyError``/``TypeError``/``ValueError`` on
        data of another layout (the cache loader then rebuilds)."""
        return cls(
            version=js.text(d["version"]),
            root=js.text(d["root"]),
            step={k: _spec_from(v) for k, v in js.obj(d["step"]).items()},
            flow={k: _spec_from(v) for k, v in js.obj(d["flow"]).items()},
            api={k: _api_from(v) for k, v in js.obj(d["api"]).items()},
            lint_checks={k: js.cite(v) for k, v in js.obj(d["lint_checks"]).items()},
            reserved_names=js.text_map(d["reserved_names"]),
            limits={k: _limit_from(v) for k, v in js.obj(d["limits"]).items()},
            hidden=js.texts(d["hidden"]),
            framework=js.text_map(d["framework"]),
            toplevel_names=js.texts(d["toplevel_names"]),
            toplevel_plugins=js.text_map(d["toplevel_plugins"]),
            disabled=js.text_map(d["disabled"]),
            facts=_facts_from(d["facts"]),
            flowspec_members=frozenset(js.texts(d["flowspec_members"])),
            run=RunFacts.from_dict(d["run"]),
        )


def flowspec_members_of(
    reserved_names: Mapping[str, str], api: Mapping[str, ApiSymbol]
) -> frozenset[str]:
    """Attribute names ``FlowSpec`` defines: the reserved names (public members,
    ``_NON_PARAMETERS``, lint.py's reserved step names) plus the member each ``FlowSpec.*``
    entry point names (by key or by its own name)."""
    prefix = "FlowSpec."
    names = set(reserved_names)
    for key, sym in api.items():
        for qual in (key, sym.name):
            if qual.startswith(prefix):
                member = qual[len(prefix) :].split(".", 1)[0]
                if member:
                    names.add(member)
    return frozenset(names)


def _arg_from(x: object) -> ArgSpec:
    a = js.obj(x)
    return ArgSpec(
        name=js.text(a["name"]),
        default_src=js.text(a["default_src"]),
        doc=js.text(a["doc"]),
        line=js.integer(a["line"]),
        type=js.text(a["type"]),
        path=js.text(a["path"]),
        effective_src=js.text(a["effective_src"]),
        effective_cite=js.text(a["effective_cite"]),
        applied_cite=js.text(a["applied_cite"]),
    )


def _current_from(x: object) -> CurrentAttr:
    c = js.obj(x)
    return CurrentAttr(
        name=js.text(c["name"]),
        type=js.text(c["type"]),
        doc=js.text(c["doc"]),
        line=js.integer(c["line"]),
        path=js.text(c["path"]),
    )


def _names_and(x: object) -> tuple[list[str], object]:
    names, rest = js.pair(x)
    return js.texts(names), rest


def _spec_from(x: object) -> DecoratorSpec:
    s = js.obj(x)
    conflicts = [_names_and(c) for c in js.arr(s["conflicts"])]
    return DecoratorSpec(
        name=js.text(s["name"]),
        kind=js.text(s["kind"]),
        class_name=js.text(s["class_name"]),
        path=js.text(s["path"]),
        line=js.integer(s["line"]),
        defaults_line=js.integer(s["defaults_line"]),
        args=[_arg_from(a) for a in js.arr(s["args"])],
        allow_multiple=js.flag(s["allow_multiple"]),
        doc=js.text(s["doc"]),
        current_attrs=[_current_from(c) for c in js.arr(s["current_attrs"])],
        origin=js.text(s["origin"]),
        defaults_path=js.text(s["defaults_path"]),
        allow_multiple_cite=js.text(s["allow_multiple_cite"]),
        end_line=js.integer(s["end_line"]),
        constants={k: js.cite(v) for k, v in js.obj(s["constants"]).items()},
        registry_cite=js.text(s["registry_cite"]),
        methods={k: js.integer(v) for k, v in js.obj(s["methods"]).items()},
        conversions={
            k: [js.cite(c) for c in js.arr(v)] for k, v in js.obj(s["conversions"]).items()
        },
        conflicts=[(names, js.integer(line)) for names, line in conflicts],
        checks={
            k: [(names, js.text(msg)) for names, msg in map(_names_and, js.arr(v))]
            for k, v in js.obj(s["checks"]).items()
        },
        sets_attrs=js.texts(s["sets_attrs"]),
        var_args=js.texts(s["var_args"]),
        sets_unknown=js.flag(s["sets_unknown"]),
    )


def _api_from(x: object) -> ApiSymbol:
    a = js.obj(x)
    return ApiSymbol(
        name=js.text(a["name"]),
        qualname=js.text(a["qualname"]),
        path=js.text(a["path"]),
        line=js.integer(a["line"]),
        end_line=js.integer(a["end_line"]),
        signature=js.text(a["signature"]),
        doc=js.text(a["doc"]),
        kind=js.text(a["kind"]),
    )


def _limit_from(x: object) -> Limit:
    lim = js.obj(x)
    return Limit(
        value=js.integer(lim["value"]), cite=js.text(lim["cite"]), expr=js.text(lim["expr"])
    )


def _opt_names(x: object) -> frozenset[str] | None:
    return None if x is None else frozenset(js.texts(x))


def _facts_to_dict(f: MetaflowFacts) -> JSON:
    return {
        "root": f.root,
        "parallel_decorators": sorted(f.parallel_decorators),
        "reserved_step_names": (
            None if f.reserved_step_names is None else sorted(f.reserved_step_names)
        ),
        "step_name_pattern": f.step_name_pattern,
        "reserved_parameter_names": sorted(f.reserved_parameter_names),
        "reserved_parameter_cite": f.reserved_parameter_cite,
    }


def _facts_from(x: object) -> MetaflowFacts:
    f = js.obj(x)
    return MetaflowFacts(
        root=js.text(f["root"]),
        parallel_decorators=frozenset(js.texts(f["parallel_decorators"])),
        reserved_step_names=_opt_names(f["reserved_step_names"]),
        step_name_pattern=js.opt_text(f["step_name_pattern"]),
        reserved_parameter_names=frozenset(js.texts(f["reserved_parameter_names"])),
        reserved_parameter_cite=js.opt_text(f["reserved_parameter_cite"]),
    )
