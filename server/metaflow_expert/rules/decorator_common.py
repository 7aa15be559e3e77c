"""Shared helpers of the MF3xx decorator rules (no rules here).

Why a helper module: every MF3xx rule walks the same thing — the Metaflow decorators on a flow
and its steps, each paired with its ``DecoratorSpec`` from the catalog — and must treat values
it cannot know (``**config``, ``config_expr(...)``) as *partially known*, never as errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from metaflow_expert.model import CallArg, DecoratorUse, FlowClass, Step
from metaflow_expert.rules.file_memo import MISSING, WeakMemo, recall, remember

_FALSY_LITERALS = (None, 0, 0.0, "", False)


class Use(NamedTuple):
    """A Metaflow decorator as written (``deco``) with its catalog entry (``spec``)."""

    deco: DecoratorUse
    spec: Any
    kind: str  # "step" | "flow"
    step: Step | None


def metaflow_decorators(flow: FlowClass | None, catalog: Any) -> Iterator[Use]:
    """Flow decorators, then each step's decorators (except ``@step``), that resolve to a
    name imported from metaflow and known to the catalog.

    Memoised per (flow, catalog): every MF3xx rule walks the same list (a 3,000-line flow
    asked ~20 times per step)."""
    if flow is None or catalog is None:
        return iter(())
    key = (id(flow), id(catalog))
    size = (len(flow.decorators), len(flow.steps))
    memo = recall(_USES_MEMO, key, flow)
    if memo is not MISSING and memo[0] is catalog and memo[1] == size:
        return iter(memo[2])
    uses = list(_metaflow_decorators(flow, catalog))
    remember(_USES_MEMO, key, flow, (catalog, size, uses))  # weak in the flow (file_memo)
    return iter(uses)


_USES_MEMO: WeakMemo = {}


def _metaflow_decorators(flow: FlowClass, catalog: Any) -> Iterator[Use]:
    for deco in flow.decorators:
        if deco.from_metaflow:
            spec = _lookup(catalog, deco.name, "flow")
            if spec is not None:
                yield Use(deco, spec, "flow", None)
    for step in flow.steps.values():
        for deco in step.other_decorators:
            if deco.from_metaflow:
                spec = _lookup(catalog, deco.name, "step")
                if spec is not None:
                    yield Use(deco, spec, "step", step)


def _lookup(catalog: Any, name: str, kind: str) -> Any:
    try:
        return catalog.lookup(name, kind)
    except Exception:
        return None


def given(deco: DecoratorUse, name: str) -> bool | None:
    """Is argument ``name`` given a truthy value? True/False when known; None when unknown
    (a non-literal value, or ``**config`` that may supply it)."""
    arg = deco.kwarg(name)
    if arg is None:
        return None if deco.has_unpacked_args else False
    if not arg.is_literal:
        return None
    value = arg.value
    if isinstance(value, (list, tuple, dict, set)):
        return bool(value)
    if isinstance(value, str):
        try:  # Metaflow's int("0") for a duration is still zero
            return float(value) != 0
        except ValueError:
            return bool(value)
    return value not in _FALSY_LITERALS


def literal(arg: CallArg | None) -> Any:
    """The literal value of an argument, or ``NOT_LITERAL``-ish None-safe sentinel."""
    return arg.value if arg is not None and arg.is_literal else _Unknown


class _Unknown:
    """Marker for "value not statically known"."""


UNKNOWN = _Unknown


def cite_of(spec: Any, method: str) -> str | None:
    """``path:line`` of one of the decorator class's own methods, or of the class."""
    line = (getattr(spec, "methods", {}) or {}).get(method)
    if line:
        return f"{spec.path}:{line}"
    return getattr(spec, "cite", None)


def where(use: Use) -> str:
    return f"step *{use.step.name}*" if use.step is not None else "the flow"
