"""A quoted name in a flow that Metaflow reads: ``"METAFLOW_DEFAULT_DATASTORE"``,
``os.environ["METAFLOW_RUN_ID"]``, ``"--max-workers"`` → what it is, said by its kind.

Why: those strings are the configuration a flow depends on, yet to an editor they are only
text. The index already holds each of them as an entry (``knowledge.entries``: config
variables with their default and readers, environment reads, CLI options), so a hover can name
the kind, the default and the line that defines it (completion inside ``os.environ["``, which
offers the names Metaflow reads, is decided with the rest of completion in
:mod:`explain.completions`). Pure: the entries are passed in; no LSP, no index loading.
"""

from __future__ import annotations

from metaflow_expert.explain.completions import KIND_LABELS, NAME, STRINGS
from metaflow_expert.explain.render import Link
from metaflow_expert.knowledge.entries import CLI_OPTION, CONFIG, ENV_VAR, Entry
from metaflow_expert.knowledge.entry_index import EntryIndex, option_names
from metaflow_expert.model import split_citation

#: the kinds a quoted name can be (a command name such as ``"run"`` is too common a word)
_ORDER = (CONFIG, CLI_OPTION, ENV_VAR)
_READS_SHOWN = 3


def quoted_at(line_text: str, col: int) -> tuple[str, int, int] | None:
    """(content, start col, end col) of the complete string literal holding ``col`` when its
    content is one name (``METAFLOW_X``, ``--flag``); None elsewhere."""
    for m in STRINGS.finditer(line_text):
        if m.start() < col < m.end():
            content = m.group(0)[1:-1]
            if NAME.fullmatch(content):
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
