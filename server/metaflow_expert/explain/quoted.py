"""A quoted name in a flow that Metaflow reads: ``"METAFLOW_DEFAULT_DATASTORE"``,
``os.environ["METAFLOW_RUN_ID"]``, ``"--max-workers"`` → what it is, said by its kind.

Why: those strings are the configuration a flow depends on, yet to an editor they are only
text. The index already holds each of them as an entry (``knowledge.entries``: config
variables with their default and readers, environment reads, CLI options), so a hover can name
the kind, the default and the line that defines it, and completion inside ``os.environ["``
can offer the names Metaflow reads. Pure: the entries are passed in; no LSP, no index loading.
"""

from __future__ import annotations

import re

from metaflow_expert.explain.completions import STRINGS, Item
from metaflow_expert.explain.render import Link
from metaflow_expert.knowledge.entries import (
    CLI_COMMAND,
    CLI_OPTION,
    CONFIG,
    ENV_VAR,
    ERROR_MESSAGE,
    Entry,
)
from metaflow_expert.knowledge.entry_index import EntryIndex, option_names
from metaflow_expert.model import split_citation

#: what each entry kind is called where a user reads it (hover, completion ``detail``)
KIND_LABELS = {
    CONFIG: "config variable",
    ENV_VAR: "environment variable",
    CLI_OPTION: "cli option",
    CLI_COMMAND: "cli command",
    ERROR_MESSAGE: "error message",
}
#: the kinds a quoted name can be (a command name such as ``"run"`` is too common a word)
_ORDER = (CONFIG, CLI_OPTION, ENV_VAR)
_NAME = re.compile(r"-{0,2}[A-Za-z_][\w-]*")
#: the text just before an environment key being typed (matched on a bounded tail only)
_ENV_OPEN = re.compile(r"(?:environ\s*\[|environ\s*\.\s*get\s*\(|getenv\s*\()\s*$")
_READS_SHOWN = 3


def quoted_at(line_text: str, col: int) -> tuple[str, int, int] | None:
    """(content, start col, end col) of the complete string literal holding ``col`` when its
    content is one name (``METAFLOW_X``, ``--flag``); None elsewhere."""
    for m in STRINGS.finditer(line_text):
        if m.start() < col < m.end():
            content = m.group(0)[1:-1]
            if _NAME.fullmatch(content):
                return content, m.start() + 1, m.end() - 1
            return None
        if m.start() >= col:
            break
    return None


def _written_as(e: Entry, text: str) -> bool:
    """The entry is named exactly so (``"USER"`` is not ``METAFLOW_USER``; ``"retry"`` is
    not ``--retry``): a config or env var by its full name, an option by a dashed name."""
    if e.kind in (CONFIG, ENV_VAR):
        return e.text == text
    if e.kind == CLI_OPTION:
        return text.startswith("-") and text in option_names(e)
    return False


def named(entries: EntryIndex, text: str) -> list[Entry]:
    """The entries ``text`` names, config variables first, then options, then env reads."""
    got = [e for e in entries.lookup(text) if e.kind in _ORDER and _written_as(e, text)]
    return sorted(got, key=lambda e: _ORDER.index(e.kind))


def _code(text: str) -> str:
    flat = " ".join(text.split())
    return f"`{flat if len(flat) <= 80 else flat[:79] + '…'}`"


def hover_markdown(entries: EntryIndex, text: str, link: Link) -> str | None:
    """Markdown for a quoted name, its first line ``**`NAME`** — <kind> · default … · cite``;
    None when no entry has that name."""
    got = named(entries, text)
    if not got:
        return None
    first = got[0]
    label = KIND_LABELS[first.kind]
    reads = [e for e in got if e.kind == ENV_VAR]
    if first.kind == CONFIG:
        head = f"**`{text}`** — {label} · default {_code(first.default)} · "
        out = [head + link(first.path, first.line)]
        out.append(f"Python name `{first.name}`; set it in the environment or a Metaflow config.")
        if first.read_at:
            cites = [split_citation(c) for c in first.read_at[:_READS_SHOWN]]
            more = len(first.read_at) - _READS_SHOWN
            out.append(
                "Imported in "
                + ", ".join(link(*where) for where in cites if where is not None)
                + (f" and {more} more" if more > 0 else "")
            )
        rule = entries.precedence
        if rule is not None:
            order = rule.text.split(": ", 1)[-1]
            out.append(f"Which source wins: {order} ({link(rule.path, rule.line)})")
    elif first.kind == CLI_OPTION:
        options = [e for e in got if e.kind == CLI_OPTION]
        lines = []
        for e in options[:4]:
            what = f"of `{e.name}`" if e.name else ""
            default = f" · default {_code(e.default)}" if e.default else ""
            lines.append(f"- {label} {what}{default} · {link(e.path, e.line)}")
        out = [f"**`{text}`** — {label}" + (f": {_code(first.help)}" if first.help else "")]
        out.append(
            "\n".join(lines) + (f"\n- and {len(options) - 4} more" if len(options) > 4 else "")
        )
        reads = []
    else:
        default = next((e.default for e in got if e.default), "")
        shown = f" · default {_code(default)}" if default else ""
        out = [f"**`{text}`** — {label}{shown} · {link(first.path, first.line)}"]
        reads = got[1:]
    if reads:
        more = len(reads) - _READS_SHOWN
        out.append(
            "Read by Metaflow at "
            + ", ".join(link(e.path, e.line) for e in reads[:_READS_SHOWN])
            + (f" and {more} more" if more > 0 else "")
        )
    return "\n\n".join(out)


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
    config variables and environment variables Metaflow reads; None when the cursor is not
    in such a key (so other completion applies)."""
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
            if e.text not in items and _NAME.fullmatch(e.text):
                items[e.text] = Item(e.text, "variable", detail(e), e.help, sort=sort + e.text)
    return list(items.values())
