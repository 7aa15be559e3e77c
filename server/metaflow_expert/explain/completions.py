"""What to offer at a cursor while the user types: pure logic over the line text, the (possibly
half-parsed) flow model and the decorator catalog.

Why text-first: while typing, the code is broken (``@bat``, ``self.next(self.``), so the
context is read from the text before the cursor; the model only supplies names (steps,
artifacts, parameters) and the catalog the Metaflow names, defaults and docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from metaflow_expert.explain.cursor import dotted_prefix, flow_at, step_at, word_at
from metaflow_expert.knowledge.entries import (
    CLI_COMMAND,
    CLI_OPTION,
    CONFIG,
    ENV_VAR,
    ERROR_MESSAGE,
    Entry,
)
from metaflow_expert.model import FlowClass, FlowFile, Step

if TYPE_CHECKING:  # only passed in: completions must not pay for importing the catalog
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.knowledge.entry_index import EntryIndex

ItemKind = Literal["decorator", "argument", "step", "artifact", "attribute", "function", "variable"]


@dataclass(frozen=True)
class Item:
    label: str
    kind: ItemKind
    detail: str = ""
    doc: str = ""
    insert: str | None = None
    sort: str = ""
    preselect: bool = False


# Every pattern here runs in linear time on any line (a 1 MB hex digest included): the ones
# that look at the END of the text are matched, anchored, on the reversed text, because an
# unanchored ``search(r"(\w+)...$")`` retries from every character of a long word (quadratic:
# 20 s on a 40 KB digest). tests/explain/test_completion_regex_linear.py holds each to it.
_DECO_HEAD = re.compile(r"^\s*@([\w.]*)$")
#: ``name = "abc`` at the end of the text, reversed: ``cba" = eman``
_STRING_KW_REVERSED = re.compile(r"\w*[\"']\s*=\s*\w")
#: an unterminated ``"abc`` at the end, reversed
_OPEN_STRING_REVERSED = re.compile(r"\w*[\"']")
#: ``@name.attr   `` at the end, reversed
_DECO_BEFORE_PAREN_REVERSED = re.compile(r"\s*([\w.]+)@")
#: each ``keyword=`` written (``(?<!\w)``: one attempt per word, not one per character)
_KEYWORDS_WRITTEN = re.compile(r"(?<!\w)(\w+)\s*=")
_TRANSITION_OPEN = re.compile(r"\bself\s*\.\s*next\s*\(")


_CONDITION_WRITTEN = re.compile(r"(?<!\w)condition\s*=")


STRINGS = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
#: a name Metaflow reads, as a string holds it: ``METAFLOW_X``, ``--flag``
NAME = re.compile(r"-{0,2}[A-Za-z_][\w-]*")
#: the text just before an environment key being typed (matched on a bounded tail only)
_ENV_OPEN = re.compile(r"(?:environ\s*\[|environ\s*\.\s*get\s*\(|getenv\s*\()\s*$")
#: what each index entry kind is called where a user reads it (hover, completion ``detail``)
KIND_LABELS = {
    CONFIG: "config variable",
    ENV_VAR: "environment variable",
    CLI_OPTION: "cli option",
    CLI_COMMAND: "cli command",
    ERROR_MESSAGE: "error message",
}


def open_call(text_before: str) -> int | None:
    """Index of the innermost unclosed ``(`` in ``text_before`` (complete strings ignored)."""
    i = open_bracket(text_before)
    return i if i is not None and text_before[i] == "(" else None


def open_bracket(text_before: str) -> int | None:
    """Index of the innermost unclosed bracket of any kind (complete strings ignored)."""
    blanked = STRINGS.sub(lambda m: "_" * len(m.group(0)), text_before)
    depth = 0
    for i in range(len(blanked) - 1, -1, -1):
        ch = blanked[i]
        if ch in ")]}":
            depth += 1
        elif ch in "([{":
            if depth == 0:
                return i
            depth -= 1
    return None


def context_text(file: FlowFile, line: int, col: int, max_lines: int = 15) -> str:
    start = max(0, line - max_lines)
    lines = [ln.rstrip("\r\n") for ln in file.lines[start:line]]
    current = file.lines[line].rstrip("\r\n")[:col] if line < len(file.lines) else ""
    return "\n".join([*lines, current])


def _strip_open_string(text: str) -> str:
    """Drop an unterminated string at the end (``foreach="ite`` → ``foreach=``)."""
    m = _OPEN_STRING_REVERSED.match(text[::-1])
    return text[: len(text) - m.end()] if m else text


def _ends_with_string_keyword(text: str) -> bool:
    """``text`` ends with ``name = "abc`` (an artifact name being typed into a keyword)."""
    return _STRING_KW_REVERSED.match(text[::-1]) is not None


def decorator_before(head: str) -> str | None:
    """The decorator name written just before a ``(`` (``@resources  (`` → ``resources``)."""
    m = _DECO_BEFORE_PAREN_REVERSED.match(head[::-1])
    return m.group(1)[::-1] if m else None


def _artifact_names(flow: FlowClass | None) -> list[str]:
    if flow is None:
        return []
    seen: dict[str, None] = {}
    for step in flow.steps.values():
        for acc in step.artifacts:
            if acc.kind == "write":
                seen.setdefault(acc.name, None)
    return list(seen)


def _decorator_items(catalog: DecoratorCatalog | None, kind: str, typed: str) -> list[Item]:
    items: list[Item] = []
    if catalog is None:
        return items
    specs = catalog.flow if kind == "flow" else catalog.step
    for name, spec in sorted(specs.items()):
        first = (spec.doc or "").strip().split("\n\n")[0]
        items.append(Item(name, "decorator", f"{kind} decorator · {spec.path}:{spec.line}", first))
    if kind == "step":
        step_sym = catalog.api.get("step")
        if step_sym is not None:
            items.insert(
                0,
                Item(
                    step_sym.name,
                    "decorator",
                    f"step decorator · {step_sym.signature}",
                    (step_sym.doc or "").split("\n\n")[0],
                    sort="0",
                ),
            )
    return items


def _step_items(
    flow: FlowClass | None, here: Step | None, call_text: str, in_switch_dict: bool
) -> list[Item]:
    """Step names for ``self.next(self.``, the ones this step may go to first.

    Why ranked and not filtered: Metaflow rejects a transition into ``start`` and a step going
    to itself (except a switch, whose case may loop back), so those are listed last, never
    first; the first legal target is preselected so Enter takes the likely answer.
    A switch is recognised from the half-typed call (a case dict, ``condition=`` written) or,
    failing that, from the step's parsed transition.
    """
    if flow is None:
        return []
    is_switch = (
        in_switch_dict
        or bool(_CONDITION_WRITTEN.search(call_text))
        or (here is not None and here.transition is not None and here.transition.kind == "switch")
    )
    legal: list[Item] = []
    illegal: list[Item] = []
    for name, s in flow.steps.items():
        doc = (s.docstring or "").strip()
        if name == "start" or (here is not None and name == here.name and not is_switch):
            why = "start has no incoming" if name == "start" else "a step cannot go to itself"
            illegal.append(Item(name, "step", f"step ({why})", doc, sort=f"9{name}"))
        else:
            legal.append(Item(name, "step", "step", doc, sort=f"0{name}", preselect=not legal))
    return legal + illegal


def _arg_items(
    catalog: DecoratorCatalog | None, deco: str, flow_level: bool, written: set[str]
) -> list[Item]:
    if catalog is None:
        return []
    spec = catalog.lookup(deco, "flow" if flow_level else "step") or catalog.lookup(deco)
    if spec is None:
        return []
    out = []
    for i, a in enumerate(spec.args):
        if a.name in written:
            continue
        out.append(
            Item(
                a.name,
                "argument",
                f"{'flow' if flow_level else 'step'} decorator argument · default {a.shown_default}",
                a.doc,
                insert=f"{a.name}=",
                sort=f"{i:03d}",
            )
        )
    return out


def _current_items(catalog: DecoratorCatalog | None, head: str) -> list[Item]:
    if catalog is None:
        return []
    out: list[Item] = []
    prefix = head + "."
    for key, sym in sorted(catalog.api.items()):
        if key.startswith(prefix):
            what = f"{sym.kind} of {head}" if sym.kind else f"attribute of {head}"
            shown = f"{what} · {sym.signature}" if sym.signature else what
            out.append(Item(key[len(prefix) :], "attribute", shown, sym.doc))
    base = catalog.api.get(head)
    if base is not None and base.kind == "variable":
        names = {i.label for i in out}
        for spec in catalog.all():
            for c in spec.current_attrs:
                if c.name not in names:
                    names.add(c.name)
                    added = f"attribute of {head} added by @{spec.name}"
                    shown = f"{added} · {c.type}" if c.type else added
                    out.append(Item(c.name, "attribute", shown, c.doc))
    return out


def detail(e: Entry) -> str:
    """A completion item's ``detail``: the kind first, then the default and where it is."""
    parts = [KIND_LABELS[e.kind]]
    if e.default:
        flat = " ".join(e.default.split())
        parts.append("default " + (flat if len(flat) <= 40 else flat[:39] + "…"))
    parts.append(e.cite)
    return " · ".join(parts)


def env_key_items(before: str, entries: EntryIndex | None) -> list[Item] | None:
    """Completion inside ``os.environ["…``, ``os.environ.get("…`` or ``os.getenv("…``: the
    config variables and environment variables Metaflow reads (index entries); None when the
    cursor is not in such a key (so other completion applies)."""
    if entries is None:
        return None
    i = len(before)
    while i > 0 and (before[i - 1].isalnum() or before[i - 1] == "_"):
        i -= 1
    if i == 0 or before[i - 1] not in "\"'" or not _ENV_OPEN.search(before[max(0, i - 41) : i - 1]):
        return None
    items: dict[str, Item] = {}
    for kind, sort in ((CONFIG, "0"), (ENV_VAR, "1")):
        for e in entries.of_kind(kind):
            if e.kind == CONFIG and e.name == "from_conf":
                continue
            if e.text not in items and NAME.fullmatch(e.text):
                items[e.text] = Item(e.text, "variable", detail(e), e.help, sort=sort + e.text)
    return list(items.values())


def complete(
    file: FlowFile,
    line: int,
    col: int,
    catalog: DecoratorCatalog | None,
    entries: EntryIndex | None = None,
) -> list[Item]:
    """Completion items at (line, code-point col). Never raises on odd text. ``entries`` (the
    index's, None while it loads) supply the names Metaflow reads inside ``os.environ["``."""
    if not (0 <= line < len(file.lines)):
        return []
    text = file.lines[line].rstrip("\r\n")
    before = text[:col]
    # 0. an environment key: the names Metaflow reads, whatever else the line holds
    env_keys = env_key_items(before, entries)
    if env_keys is not None:
        return env_keys
    flow = flow_at(file, line)
    # 1. decorator names after '@'
    m = _DECO_HEAD.match(before)
    if m:
        indent = len(before) - len(before.lstrip())
        at_class_level = flow is None or indent <= flow.span.start_col
        return _decorator_items(catalog, "flow" if at_class_level else "step", m.group(1))
    ctx = context_text(file, line, col)
    # 2. a string keyword inside the transition call: artifact names (foreach=, condition=)
    if _ends_with_string_keyword(ctx):
        paren = open_call(_strip_open_string(ctx))
        if paren is not None and _TRANSITION_OPEN.search(ctx[max(0, paren - 40) : paren + 1]):
            return [Item(n, "artifact", "artifact") for n in _artifact_names(flow)]
    # 3. 'self.' inside the transition call: step names
    _word, ws, _ = word_at(before + " ", len(before))
    prefix = dotted_prefix(before, ws)
    if prefix == ["self"]:
        head = ctx[: len(ctx) - (col - ws) - len("self.")]
        opener = open_bracket(head)
        in_switch_dict = opener is not None and head[opener] == "{"
        paren = open_call(head[:opener]) if in_switch_dict else open_call(head)
        if paren is not None and _TRANSITION_OPEN.search(ctx[max(0, paren - 40) : paren + 1]):
            _flow, here = step_at(file, line)
            return _step_items(flow, here, ctx[paren:], in_switch_dict)
        names = _artifact_names(flow)
        params = [p.attr for p in flow.parameters] if flow else []
        return [
            Item(n, "artifact", "parameter" if n in params else "artifact")
            for n in dict.fromkeys(params + names)
        ]
    # 4. '<name>.' for a name imported from metaflow (current.)
    if len(prefix) == 1:
        b = file.imports.get(prefix[0])
        if b is not None and (b.module == "metaflow" or b.module.startswith("metaflow.")):
            return _current_items(catalog, b.name or prefix[0])
    # 5. inside a decorator's parentheses: its arguments
    paren = open_call(ctx)
    if paren is not None:
        head = ctx[:paren]
        written_name = decorator_before(head)
        if written_name is not None:
            written = set(_KEYWORDS_WRITTEN.findall(ctx[paren:]))
            name = written_name.split(".")[-1]
            b = file.imports.get(name)
            if b is not None and b.name:
                name = b.name
            line_start = head.rfind("\n") + 1
            indent = len(head[line_start:]) - len(head[line_start:].lstrip())
            flow_level = flow is None or indent <= flow.span.start_col
            return _arg_items(catalog, name, flow_level, written)
    return []
