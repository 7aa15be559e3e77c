"""Signature help: which call the cursor is inside and which argument it is on, for the calls
a flow author writes most: a decorator's parentheses, ``self.next(...)`` and
``Parameter(...)`` / ``Config(...)``.

Why from the catalog and never a hand-written table: the arguments, their defaults and their
docs are read from the installed Metaflow (a decorator's ``defaults`` dict, the API symbols'
real signatures), so signature help cannot drift from the version the user runs. Why
text-first, like completions: while typing, the call is unfinished and not in the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from metaflow_expert.explain.completions import (
    STRINGS,
    context_text,
    decorator_before,
    open_call,
)
from metaflow_expert.explain.cursor import flow_at
from metaflow_expert.model import FlowFile

if TYPE_CHECKING:  # only passed in, like completions
    from metaflow_expert.knowledge.catalog import DecoratorCatalog


@dataclass(frozen=True)
class Param:
    #: the exact text of this parameter inside ``Signature.label`` (clients highlight it)
    label: str
    doc: str = ""


@dataclass(frozen=True)
class Signature:
    label: str
    params: tuple[Param, ...]
    #: index into ``params`` of the argument under the cursor, None when none applies
    active: int | None
    doc: str = ""


#: the name just before ``(`` (reversed text, anchored: linear on any line)
_NAME_BEFORE_PAREN_REVERSED = re.compile(r"\s*([\w.]+)")
_KEYWORD_AT_START = re.compile(r"\s*(\w+)\s*=(?!=)")
#: a bare word being typed (``mem`` on the way to ``memory=``)
_WORD_ONLY = re.compile(r"\s*(\w+)\s*$")
_NEXT_CALL = re.compile(r"\bself\s*\.\s*next\s*$")
#: Metaflow's ``FlowSpec.next`` reads these keywords from ``**kwargs`` (each ``None`` unless
#: given); its signature says only ``**kwargs``, so they are spelled out here by name.
_NEXT_KEYWORDS = ("foreach", "condition", "num_parallel")


def _split_top_level(text: str) -> list[str]:
    """``text`` split on commas outside brackets (strings already blanked by the caller)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _cursor_argument(call_text: str) -> tuple[int, str | None, str]:
    """(positional index of the argument being typed, its keyword if one is written, the bare
    word typed so far otherwise)."""
    blanked = STRINGS.sub(lambda m: "_" * len(m.group(0)), call_text)
    parts = _split_top_level(blanked)
    m = _KEYWORD_AT_START.match(parts[-1])
    w = _WORD_ONLY.match(parts[-1]) if m is None else None
    return len(parts) - 1, (m.group(1) if m else None), (w.group(1) if w else "")


def _params_of(signature: str) -> list[str]:
    """Parameter texts of an API symbol's signature string, ``self`` dropped."""
    open_at, close_at = signature.find("("), signature.rfind(")")
    if open_at < 0 or close_at < open_at:
        return []
    inner = signature[open_at + 1 : close_at]
    parts = [p.strip() for p in _split_top_level(inner)]
    return [p for p in parts if p and p != "self"]


def _active(
    names: list[str], index: int, keyword: str | None, positional: bool, typed: str = ""
) -> int | None:
    if keyword is not None:
        return names.index(keyword) if keyword in names else None
    if not positional:
        # keyword-only (a decorator): the first argument the half-typed word can become
        return next((i for i, n in enumerate(names) if typed and n.startswith(typed)), None)
    return min(index, len(names) - 1) if names else None


def _decorator(
    catalog: DecoratorCatalog, name: str, flow_level: bool, call_text: str
) -> Signature | None:
    spec = catalog.lookup(name, "flow" if flow_level else "step") or catalog.lookup(name)
    if spec is None:
        return None
    texts = [f"{a.name}={a.shown_default}" for a in spec.args]
    index, keyword, typed = _cursor_argument(call_text)
    first = (spec.doc or "").strip().split("\n\n")[0]
    return Signature(
        f"@{spec.name}({', '.join(texts)})",
        tuple(Param(t, a.doc) for t, a in zip(texts, spec.args, strict=True)),
        _active([a.name for a in spec.args], index, keyword, positional=False, typed=typed),
        f"{first}\n\nDefaults from `{spec.defaults_path or spec.path}:{spec.defaults_line}`",
    )


def _next(catalog: DecoratorCatalog | None, call_text: str) -> Signature:
    texts = ["*steps", *(f"{k}=None" for k in _NEXT_KEYWORDS)]
    _index, keyword, _typed = _cursor_argument(call_text)
    sym = catalog.api.get("FlowSpec.next") if catalog is not None else None
    doc = (sym.doc or "").strip().split("\n\n")[0] if sym is not None else ""
    active = _active(list(_NEXT_KEYWORDS), 0, keyword, positional=False)
    return Signature(
        f"self.next({', '.join(texts)})",
        tuple(Param(t) for t in texts),
        active + 1 if active is not None else (0 if keyword is None else None),
        doc if sym is None else f"{doc}\n\n`{sym.cite}`",
    )


def _api_call(catalog: DecoratorCatalog, api_name: str, call_text: str) -> Signature | None:
    sym = catalog.api.get(api_name)
    if sym is None:
        return None
    texts = _params_of(sym.signature)
    names = [re.split(r"[:=]", t, maxsplit=1)[0].strip() for t in texts]
    index, keyword, _typed = _cursor_argument(call_text)
    positional = [n for n in names if not n.startswith("*")]
    active = _active(positional, index, keyword, positional=True)
    return Signature(
        f"{api_name}({', '.join(texts)})",
        tuple(Param(t) for t in texts),
        active,
        f"{(sym.doc or '').strip().split(chr(10) * 2)[0]}\n\n`{sym.cite}`",
    )


def signature_at(
    file: FlowFile, line: int, col: int, catalog: DecoratorCatalog | None
) -> Signature | None:
    """The signature of the call whose parentheses hold (line, code-point col), if it is one
    we know. Never raises on odd text."""
    if not (0 <= line < len(file.lines)):
        return None
    ctx = context_text(file, line, col)
    paren = open_call(ctx)
    if paren is None:
        return None
    head, call_text = ctx[:paren], ctx[paren + 1 :]
    if _NEXT_CALL.search(head[-200:]):
        return _next(catalog, call_text)
    if catalog is None:
        return None
    flow = flow_at(file, line)
    written = decorator_before(head)
    if written is not None:
        name = written.split(".")[-1]
        b = file.imports.get(name)
        if b is not None and b.name:
            name = b.name
        line_start = head.rfind("\n") + 1
        indent = len(head[line_start:]) - len(head[line_start:].lstrip())
        return _decorator(catalog, name, flow is None or indent <= flow.span.start_col, call_text)
    m = _NAME_BEFORE_PAREN_REVERSED.match(head[::-1])
    if m is None:
        return None
    local = m.group(1)[::-1].split(".")[-1]
    b = file.imports.get(local)
    if b is None or not (b.module == "metaflow" or b.module.startswith("metaflow.")):
        return None
    api_name = b.name or local
    return _api_call(catalog, api_name, call_text) if api_name in ("Parameter", "Config") else None
