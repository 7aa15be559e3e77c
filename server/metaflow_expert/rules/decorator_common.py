"""Shared helpers of the MF3xx decorator rules (no rules here).

Why a helper module: every MF3xx rule walks the same thing — the Metaflow decorators on a flow
and its steps, each paired with its ``DecoratorSpec`` from the catalog (resolved once per
analysis, in the facts) — and must treat values it cannot know (``**config``,
``config_expr(...)``) as *partially known*, never as errors.
"""

from __future__ import annotations

from metaflow_expert.model import DecoratorUse
from metaflow_expert.rules.facts import Use
from metaflow_expert.rules.registry import RuleContext

_FALSY_LITERALS = (None, 0, 0.0, "", False)


def metaflow_decorators(ctx: RuleContext) -> list[Use]:
    """The flow's Metaflow decorators resolved against the catalog (every MF3xx rule walks
    the same list); empty without a flow or a catalog."""
    return ctx.flow_facts.decorator_uses if ctx.flow_facts is not None else []


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


def where(use: Use) -> str:
    return f"step *{use.step.name}*" if use.step is not None else "the flow"
