"""The decorator catalog: every Metaflow decorator, its arguments, defaults and docs, from source.

Why: Metaflow generates ``from metaflow import retry`` at import time from the registry in
``metaflow/plugins/__init__.py`` (``STEP_DECORATORS_DESC``/``FLOW_DECORATORS_DESC``), so neither
an editor nor a linter can follow those names. We read the same registry (and extensions'
``mfextinit_*.py`` descriptors), open each class with ``ast``, and record what Metaflow's own
``Decorator.__init__`` checks against: the ``defaults`` dict (the accepted arguments),
``allow_multiple`` (inherited, e.g. from ``Decorator``) and the docstring. Nothing about
Metaflow is typed here except the *names of the public entry points* listed in ``API_ENTRY_POINTS``;
where they live, their signatures and docs come from the source.

The catalog is plain data (JSON-serialisable via :meth:`DecoratorCatalog.to_dict`) and cached
on disk, because the lint CLI loads it on every run. This module holds the data and the cached
loader; :mod:`catalog_build` reads the source, :mod:`numpydoc` the docstrings and
:mod:`validation` what each decorator's code checks.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from metaflow_expert.knowledge import cache
from metaflow_expert.knowledge.source import MetaflowSource, locate_source

# The user-facing surface: names of public entry points (where they live is looked up).
API_ENTRY_POINTS: tuple[str, ...] = (
    "FlowSpec",
    "FlowSpec.next",
    "FlowSpec.merge_artifacts",
    "FlowSpec.input",
    "FlowSpec.index",
    "FlowSpec.foreach_stack",
    "step",
    "Parameter",
    "JSONType",
    "IncludeFile",
    "Config",
    "config_expr",
    "current",
    "Runner",
    "NBRunner",
    "Deployer",
    "NBDeployer",
    "Flow",
    "Run",
    "Step",
    "Task",
    "DataArtifact",
    "Metaflow",
    "namespace",
    "get_namespace",
    "default_namespace",
    "S3",
    "UserStepDecorator",
    "StepMutator",
    "FlowMutator",
    "user_step_decorator",
)
# The registry lists and the file that holds them (relative to the ``metaflow`` package).
_REGISTRY_LISTS = {
    "step": "STEP_DECORATORS_DESC",
    "flow": "FLOW_DECORATORS_DESC",
    "toplevel": "TL_PLUGINS_DESC",
}


@dataclass
class ArgSpec:
    """One accepted decorator argument: a key of the class's ``defaults`` dict."""

    name: str
    default_src: str
    doc: str
    line: int
    type: str = ""
    path: str = ""


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
    reserved_names: dict[str, str] = field(default_factory=dict)
    limits: dict[str, Limit] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    framework: dict[str, str] = field(default_factory=dict)
    toplevel_names: list[str] = field(default_factory=list)
    toplevel_plugins: dict[str, str] = field(default_factory=dict)
    # step decorators whose class sets IS_PARALLEL (read from the source at build time so the
    # lint path does not rescan every plugin file on each run); None when unknown
    parallel_step_decorators: list[str] | None = None

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DecoratorCatalog:
        def spec(x: dict[str, Any]) -> DecoratorSpec:
            x = dict(x)
            x["args"] = [ArgSpec(**a) for a in x["args"]]
            x["current_attrs"] = [CurrentAttr(**c) for c in x["current_attrs"]]
            x["constants"] = {k: (v[0], v[1]) for k, v in x["constants"].items()}
            x["conversions"] = {k: [(c[0], c[1]) for c in v] for k, v in x["conversions"].items()}
            x["conflicts"] = [(list(c[0]), c[1]) for c in x["conflicts"]]
            x["checks"] = {k: [(list(c[0]), c[1]) for c in v] for k, v in x["checks"].items()}
            return DecoratorSpec(**x)

        return cls(
            version=d["version"],
            root=d["root"],
            step={k: spec(v) for k, v in d["step"].items()},
            flow={k: spec(v) for k, v in d["flow"].items()},
            api={k: ApiSymbol(**v) for k, v in d["api"].items()},
            lint_checks={k: (v[0], v[1]) for k, v in d["lint_checks"].items()},
            reserved_names=dict(d["reserved_names"]),
            limits={k: Limit(**v) for k, v in d["limits"].items()},
            hidden=list(d["hidden"]),
            framework=dict(d["framework"]),
            toplevel_names=list(d["toplevel_names"]),
            parallel_step_decorators=(
                None
                if d.get("parallel_step_decorators") is None
                else list(d["parallel_step_decorators"])
            ),
            toplevel_plugins=dict(d["toplevel_plugins"]),
        )


def build_catalog(source: MetaflowSource) -> tuple[DecoratorCatalog, dict[str, tuple[int, int]]]:
    """Build the catalog from source (no cache); also return the stamps of every file read."""
    from metaflow_expert.knowledge.catalog_build import build_catalog as build

    return build(source)


_MEMO: dict[tuple[str, ...], tuple[DecoratorCatalog, dict[str, Any]]] = {}


def _ext_descriptors(source: MetaflowSource) -> list[str]:
    """Extension descriptor files present now (a new one must invalidate the cache)."""
    return sorted(
        str(f) for root in source.extension_roots for f in root.glob("*/plugins/mfextinit_*.py")
    )


def load_catalog(
    source: MetaflowSource | None = None, *, cache_dir: str | os.PathLike[str] | None = None
) -> DecoratorCatalog:
    """The catalog of ``source`` (default: :func:`locate_source`), from memory or the disk
    cache when the files it was built from are unchanged. Raises ``SourceNotFound`` only when
    no source is given and none can be found."""
    source = source or locate_source()
    ext = [str(p) for p in source.extension_roots]
    key = (str(source.root), source.version, str(cache_dir), *ext)
    descriptors = _ext_descriptors(source)
    memo = _MEMO.get(key)
    if (
        memo is not None
        and memo[1]["ext_files"] == descriptors
        and cache.stamps_valid(memo[1]["stamps"], source.absolute)
    ):
        return memo[0]
    path = cache.cache_file("catalog", source.version, source.root, cache_dir)
    data = cache.load(path)
    if (
        data is not None
        and data.get("ext") == ext
        and data.get("ext_files") == descriptors
        and cache.stamps_valid(data["stamps"], source.absolute)
    ):
        try:
            cat = DecoratorCatalog.from_dict(data["catalog"])
        except (KeyError, TypeError, ValueError, IndexError):
            cat = None  # a cache from another layout: rebuild below
        if cat is not None:
            _MEMO[key] = (cat, data)
            return cat
    cat, stamps = build_catalog(source)
    payload = {
        "catalog": cat.to_dict(),
        "stamps": {k: list(v) for k, v in stamps.items()},
        "ext": ext,
        "ext_files": descriptors,
    }
    cache.save(path, payload)
    _MEMO[key] = (cat, payload)
    return cat
