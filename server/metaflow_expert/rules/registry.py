"""The rule registry, in the manner of ruff's rule table and Metaflow's ``@linter.check``.

A rule is one function decorated with :func:`rule`. Its docstring is the rule's documentation
(``metaflow-expert rule CODE`` prints it; ``docs/rules.md`` is generated from it) and follows
ruff's shape: ``What it does`` / ``Why is this bad?`` / ``Example`` / ``Use instead``.
The function takes a :class:`RuleContext` and yields :class:`~metaflow_expert.model.Finding`
objects; it must not raise on odd input (the engine still guards every call).

Scopes: ``"flow"`` rules run once per flow class (``ctx.flow``/``ctx.graph`` set);
``"file"`` rules run once per file (``ctx.flow`` is None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from metaflow_expert.model import FlowClass, FlowFile, Severity

if TYPE_CHECKING:
    from metaflow_expert.graph import FlowGraph

Scope = Literal["flow", "file"]


@dataclass
class RuleContext:
    """What a rule may look at. ``catalog`` is the decorator catalog of the indexed Metaflow
    (``metaflow_expert.knowledge.catalog.DecoratorCatalog``) or None when no index is loaded:
    rules that need it yield nothing without it. ``options`` carries settings such as
    ``{"nested_foreach": False}``."""

    file: FlowFile
    flow: FlowClass | None = None
    graph: FlowGraph | None = None
    catalog: Any = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    mirrors: str | None
    scope: Scope
    check: Callable[[RuleContext], Iterable[Any]]
    doc: str
    default_enabled: bool = True

    @property
    def origin(self) -> str:
        return (
            "metaflow lint.py"
            if self.mirrors and self.mirrors.startswith("check_")
            else ("metaflow runtime" if self.mirrors else "metaflow-expert")
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
) -> Callable[[Callable[[RuleContext], Iterable[Any]]], Callable[[RuleContext], Iterable[Any]]]:
    """Register a rule. ``code`` is stable forever (``MF1xx`` Metaflow lint mirrors,
    ``MF2xx`` beyond Metaflow, ``MF3xx`` decorator arguments, ``MF0xx`` file-level)."""

    def register(
        fn: Callable[[RuleContext], Iterable[Any]],
    ) -> Callable[[RuleContext], Iterable[Any]]:
        if code in REGISTRY and REGISTRY[code].check is not fn:
            raise ValueError(f"rule code {code} registered twice")
        import inspect

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
    out = []
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
