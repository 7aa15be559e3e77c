"""The rule registry, in the manner of ruff's rule table and Metaflow's ``@linter.check``.

A rule is one function decorated with :func:`rule`, which declares once what every finding of
the rule shares: code, name, severity, ``mirrors`` (the Metaflow check it reproduces) and doc.
Its docstring is the rule's documentation (``metaflow-expert rule CODE`` prints it;
``docs/rules.md`` is generated from it) and follows ruff's shape: ``What it does`` /
``Why is this bad?`` / ``Example`` / ``Use instead``.
The function takes a :class:`RuleContext` and yields :class:`Report` values — only what varies
between findings (span, message, step, fix…); the engine turns each into a
:class:`~metaflow_expert.model.Finding` with the rule's code, severity and ``mirrors``.
A rule must not raise on odd input (the engine still guards every call).

Scopes: ``"flow"`` rules run once per flow class (``ctx.flow``/``ctx.graph``/``ctx.flow_facts``
set); ``"file"`` rules run once per file (``ctx.flow`` is None).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from metaflow_expert.model import Finding, Fix, FlowClass, FlowFile, Related, Severity, Span
from metaflow_expert.rules.facts import FileFacts, FlowFacts

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph
    from metaflow_expert.knowledge.catalog import DecoratorCatalog

Scope = Literal["flow", "file"]


class Report(NamedTuple):
    """What one finding of a rule says beyond what the rule declares.

    ``severity`` and ``mirrors`` override the rule's for this one finding; they are the
    exception (a value Metaflow rejects on one code path only, a check made in ``flow_init``
    rather than ``step_init``), so they come last and default to the rule's."""

    span: Span
    message: str
    step: str | None = None
    related: Sequence[Related] = ()
    fix: Fix | None = None
    cites: str | None = None
    severity: Severity | None = None
    mirrors: str | None = None


@dataclass
class RuleContext:
    """What a rule may look at. ``catalog`` is the decorator catalog of the indexed Metaflow,
    or None when no index is loaded: rules that need it yield nothing without it.
    ``options`` carries settings such as ``{"nested_foreach": False}``.

    ``facts`` (the file's) and ``flow_facts`` (the flow's, for flow rules) are the derived
    facts of this analysis, computed on first use and shared by every rule: rules read them
    and keep no caches of their own. The engine passes one set per analysis; a context built
    without them (a test, a benchmark) gets fresh ones."""

    file: FlowFile
    flow: FlowClass | None = None
    graph: FlowGraph | None = None
    catalog: DecoratorCatalog | None = None
    options: dict[str, object] = field(default_factory=dict)
    facts: FileFacts | None = None
    flow_facts: FlowFacts | None = None

    def __post_init__(self) -> None:
        if self.facts is None:
            self.facts = FileFacts(self.file, self.catalog)
        if self.flow_facts is None and self.flow is not None:
            self.flow_facts = FlowFacts(self.facts, self.flow, self.graph)

    @property
    def file_facts(self) -> FileFacts:
        """``facts``, never None once the context exists."""
        assert self.facts is not None
        return self.facts


Check = Callable[[RuleContext], Iterable[Report]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    mirrors: str | None
    scope: Scope
    check: Check
    doc: str
    default_enabled: bool = True

    @property
    def origin(self) -> str:
        return (
            "metaflow lint.py"
            if self.mirrors and self.mirrors.startswith("check_")
            else ("metaflow runtime" if self.mirrors else "metaflow-expert")
        )

    def finding(self, report: Report, flow: str | None) -> Finding:
        """The finding ``report`` stands for: the rule's code, severity and ``mirrors`` unless
        the report overrides them."""
        return Finding(
            code=self.code,
            message=report.message,
            span=report.span,
            severity=report.severity or self.severity,
            mirrors=report.mirrors or self.mirrors,
            flow=flow,
            step=report.step,
            related=tuple(report.related),
            fix=report.fix,
            cites=report.cites,
        )


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    *,
    name: str,
    summary: str,
    severity: Severity = Severity.ERROR,
    mirrors: str | None = None,
    scope: Scope = "flow",
    default_enabled: bool = True,
) -> Callable[[Check], Check]:
    """Register a rule. ``code`` is stable forever (``MF1xx`` Metaflow lint mirrors,
    ``MF2xx`` beyond Metaflow, ``MF3xx`` decorator arguments, ``MF0xx`` file-level)."""

    def register(fn: Check) -> Check:
        if code in REGISTRY and REGISTRY[code].check is not fn:
            raise ValueError(f"rule code {code} registered twice")
        REGISTRY[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            mirrors=mirrors,
            scope=scope,
            check=fn,
            doc=inspect.cleandoc(fn.__doc__ or summary),
            default_enabled=default_enabled,
        )
        return fn

    return register


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """Rules enabled by ``select``/``ignore`` prefixes (``"MF1"`` selects every MF1xx rule).

    An empty ``select`` means the default set; an explicit code in ``select`` enables a rule
    that is off by default (like ``MF119`` nested foreach)."""
    sel = [s.upper() for s in select if s]
    ign = [s.upper() for s in ignore if s]
    out: list[Rule] = []
    for code, r in sorted(REGISTRY.items()):
        if sel:
            chosen = any(code.startswith(s) for s in sel) or "ALL" in sel
            if chosen and not r.default_enabled and code not in sel:
                chosen = False
        else:
            chosen = r.default_enabled
        if chosen and not any(code.startswith(i) for i in ign):
            out.append(r)
    return out
