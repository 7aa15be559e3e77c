"""MF222: a key read from a ``Config`` that the Config's static default does not have.

Why statically: a ``Config`` is a dict read once, before the run; ``self.config.learning_rate``
on a config without that key raises ``AttributeError`` only when the step runs (on a remote
worker, after the steps before it). When the Config's default is known from the file alone —
``default="params.json"`` (a JSON file beside the flow) or a literal ``default_value`` (a dict,
or a JSON string) — the keys it has are known, and a misspelt one can be named with a
suggestion.

A ``ConfigValue`` reads keys as attributes (nested dicts too) or by subscript, and raises for
a key it lacks. Which Configs have a known default: :mod:`~metaflow_expert.rules.config_defaults`
(a ``parser``, ``plain=True`` or a computed default: skipped, unknown rather than wrong). Run
with ``--config`` the keys may differ, so this is a warning.

Where keys are read: ``self.<cfg>.a.b`` / ``self.<cfg>["a"]`` in steps (switch keys included),
``<cfg>.a`` in a step decorator's arguments (the class attribute), and the expressions of
``config_expr("<name>.a")`` in decorator arguments, which Metaflow evaluates with each Config
bound to its *name*.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from metaflow_expert.model import CallArg, Fix, Severity, Span, TextEdit
from metaflow_expert.parsing.attribute_chain import ChainKey, read_chain
from metaflow_expert.rules.config_defaults import ConfigDefault
from metaflow_expert.rules.registry import Report, RuleContext, rule
from metaflow_expert.rules.suggest import closest

_CONFIG_EXPR = re.compile(r"""\bconfig_expr\(\s*[rRuU]?(['"])([^'"\\\n]*)\1\s*\)""")
_STRING = re.compile(r"""(['"])(?:\\.|(?!\1)[^\\\n])*\1""")


class KeyRead(NamedTuple):
    """Keys read from one Config at one place: the chain, with offsets into ``source``, the
    text that starts at ``line``/``col`` of the file (it may span lines)."""

    config: ConfigDefault
    keys: list[ChainKey]
    source: str
    line: int
    col: int

    def span(self, key: ChainKey) -> Span:
        before = self.source[: key.start]
        breaks = before.count("\n")
        line = self.line + breaks
        col = self.col + key.start if not breaks else key.start - before.rfind("\n") - 1
        return Span(line, col, line, col + (key.end - key.start))


def _masked(source: str) -> str:
    """``source`` with the content of its string literals blanked (same length)."""
    return _STRING.sub(
        lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[0], source
    )


def _uses(name: str, text: str) -> Iterator[int]:
    """Where ``name`` ends in ``text``, wherever it is used as a name (not ``x.name``)."""
    for found in re.finditer(rf"(?<![\w.]){re.escape(name)}\b", text):
        yield found.end()


def _decorator_reads(
    arg: CallArg,
    by_attr: dict[str, ConfigDefault] | None,
    by_name: dict[str, ConfigDefault],
) -> Iterator[KeyRead]:
    """Keys read in one decorator argument: in ``config_expr("…")`` expressions, which
    name Configs by their *name* (``config_expr("str(cfg.a)")``, ``config_expr("cfg").a``),
    for every decorator; ``<cfg>.a`` when ``by_attr`` is given (a step decorator, inside the
    class body where the Config attribute is in scope)."""
    source = arg.source  # the value's text as written, starting at ``value_span``
    line, col = arg.value_span.start_line, arg.value_span.start_col
    for found in _CONFIG_EXPR.finditer(source):
        expr, base = found.group(2), found.start(2)
        for name, cfg in by_name.items():
            if expr == name:  # config_expr("cfg").a.b: the chain follows the call
                keys = read_chain(source, found.end())
                if keys:
                    yield KeyRead(cfg, keys, source, line, col)
                continue
            for end in _uses(name, expr):
                keys = [
                    k._replace(start=k.start + base, end=k.end + base)
                    for k in read_chain(expr, end)
                ]
                if keys:
                    yield KeyRead(cfg, keys, source, line, col)
    if by_attr:
        masked = _masked(source)
        for attr, cfg in by_attr.items():
            for end in _uses(attr, masked):
                keys = read_chain(source, end)
                if keys:
                    yield KeyRead(cfg, keys, source, line, col)


def _unknown(read: KeyRead) -> tuple[ChainKey, list[str]] | None:
    """The first key of ``read`` its Config's default lacks, with the keys it could have
    been; None when every key is there (or the chain leaves the dicts)."""
    node: object = read.config.value
    for key in read.keys:
        if not isinstance(node, dict):
            return None  # a list or a scalar: indexing it is not a key lookup
        if key.key not in node:
            return key, [k for k in node if isinstance(k, str)]
        node = node[key.key]
    return None


def tested_for(text: str, key: str) -> bool:
    """The file tests whether a config has ``key`` (``"key" in self.config``,
    ``hasattr(…, "key")``, ``.get("key")``): the key is optional on purpose, and a default
    without it is no mistake. Asked only for a key about to be reported."""
    quoted = rf"""['"]{re.escape(key)}['"]"""
    return (
        re.search(rf"{quoted}\s*(?:not\s+)?in\b|(?:hasattr\([^)\n]*,|\.get\()\s*{quoted}", text)
        is not None
    )


@rule(
    "MF222",
    name="unknown-config-key",
    summary="a key read from a `Config` that its static default (file or `default_value`) lacks",
    severity=Severity.WARNING,
)
def unknown_config_key(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    When a `Config` has a default known from the file alone — `default="params.json"` (read
    from beside the flow file) or a literal `default_value` — checks the keys read from it:
    `self.config.x`, `self.config["x"]`, nested `self.config.a.b`, `config.x` in a step
    decorator's arguments and `config_expr("config.x")`, and suggests the closest key.
    Configs with a `parser=`, `plain=True` or a default that is not a JSON object are skipped,
    and so are keys the file tests for (`"x" in self.config`, `.get("x")`, `hasattr`).

    ## Why is this bad?
    A `ConfigValue` raises `AttributeError` (or `KeyError`) for a key it does not have, and
    only when the step runs, possibly on a remote worker after the steps before it.

    ## Example
    ```python
    config = Config("config", default_value={"learning_rate": 0.1})

    @step
    def train(self):
        fit(lr=self.config.learnig_rate)
    ```

    ## Use instead
    ```python
    @step
    def train(self):
        fit(lr=self.config.learning_rate)
    ```
    """
    flow = ctx.flow
    if flow is None or ctx.flow_facts is None:
        return
    known = ctx.flow_facts.config_defaults
    if not known:
        return
    by_attr = {d.decl.attr: d for d in known}
    by_name = {d.decl.param_name: d for d in known if d.decl.param_name}
    lines = ctx.file.lines
    reads: list[tuple[KeyRead, str | None]] = []
    for step in flow.steps.values():
        for acc in step.artifacts:
            cfg = by_attr.get(acc.name)
            if cfg is None or acc.kind != "read" or acc.via != "attr":
                continue
            span = acc.span
            if span.end_line >= len(lines):
                continue
            text = lines[span.end_line]
            keys = read_chain(text, span.end_col)
            if keys:
                reads.append((KeyRead(cfg, keys, text, span.end_line, 0), step.name))
        for deco in step.other_decorators:
            for arg in deco.args:
                reads.extend((r, step.name) for r in _decorator_reads(arg, by_attr, by_name))
    for deco in flow.decorators:
        for arg in deco.args:
            reads.extend((r, None) for r in _decorator_reads(arg, None, by_name))
    seen: set[Span] = set()
    for read, step_name in reads:
        miss = _unknown(read)
        if miss is None:
            continue
        key, choices = miss
        span = read.span(key)
        if span in seen or tested_for(ctx.file.text, key.key):
            continue
        seen.add(span)
        cfg = read.config
        best = closest(key.key, choices)
        if best:
            hint = f"; did you mean *{best}*?"
        else:
            shown = ", ".join(f"*{c}*" for c in sorted(choices)[:8])
            hint = f" (it has {shown}{', …' if len(choices) > 8 else ''})." if choices else "."
        # an attribute can only be replaced by a name Python reads as one
        fixable = best is not None and (key.subscript or best.isidentifier())
        yield Report(
            span=span,
            message=f"Config *{cfg.decl.param_name or cfg.decl.attr}* has no key *{key.key}* "
            f"in {cfg.origin}{hint}",
            step=step_name,
            fix=Fix(f"Replace with '{best}'", (TextEdit(span, best),))
            if fixable and best
            else None,
        )
