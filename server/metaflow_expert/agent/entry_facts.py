"""The direct fact an offline answer leads with, read from the index's entries.

Why: a user asking "step-functions create --max-workers default value" wants ``100`` and the
line that says so, not four passages that mention workers. The entries (CLI options with their
defaults, ``METAFLOW_*`` config variables with theirs, environment reads, message templates)
already hold the fact and its ``path:line``; this module picks the ones the question names and
states them, each with a citation checked against the indexed lines.

Only what the question *names* is stated: an option written ``--like-this``, a command written
after ``flow.py``, a ``METAFLOW_*`` or ``UPPER_CASE`` name, a pasted message (see
:mod:`explain_error`). A question in plain words gets no fact here and falls back to passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from metaflow_expert.agent.explain_error import explain, render
from metaflow_expert.agent.types import Citation
from metaflow_expert.knowledge.entries import CLI_COMMAND, CLI_OPTION, CONFIG, ENV_VAR
from metaflow_expert.knowledge.phrase import is_message_like

if TYPE_CHECKING:
    from metaflow_expert.knowledge.entries import Entry
    from metaflow_expert.knowledge.index import KnowledgeIndex

_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]")
# ``max-num-splits`` written without its dashes (taken only when it is an option)
_BARE_OPTION = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w-])")
_UPPER = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_COMMAND = re.compile(r"\.py\s+((?:--?[\w-]+\s+)*)([a-z][a-z0-9-]+)(?:\s+([a-z][a-z0-9-]+))?")
AUTO_ENVVAR_FILE = "metaflow/cli.py"
MAX_PER_NAME = 3
MAX_NAMES = 3
#: an exact message hit counts as "the question quotes it" when it covers this much of it
QUOTED_SCORE = 1.5


@dataclass
class Facts:
    """Markdown paragraphs (best first) and their citations. ``named`` is true when the
    question quotes a message of the source word for word (so it is about Metaflow, whatever
    names of the user's it holds); ``resolved`` lists the options and variables it names that
    exist (the missing-feature check need not look them up again, but still reads the rest)."""

    blocks: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    named: bool = False
    error: bool = False
    resolved: list[str] = field(default_factory=list)
    #: the entry kinds the facts state (:data:`entries.ENTRY_KINDS`): passages of another
    #: kind say something the facts do not
    kinds: set[str] = field(default_factory=set)


def direct_facts(question: str, index: KnowledgeIndex) -> Facts:
    """The facts the question names. A pasted message wins when it is quoted nearly whole, or
    when the text reads like a message and names no option or variable that exists (a
    "step-functions create --max-workers default" is about the option, not an ``echo`` that
    happens to contain those words)."""
    named = Facts()
    _options(question, index, named)
    _config(question, index, named)
    error = Facts()
    _error(question, index, error, strong_only=bool(named.resolved))
    if error.error:
        return error
    _commands(question, index, named)
    return named


def _cite(index: KnowledgeIndex, e: Entry, word: str) -> Citation:
    ok = index.check_citation(e.path, e.line, None, word or None)
    return Citation(e.path, e.line, None, ok)


def _error(question: str, index: KnowledgeIndex, out: Facts, *, strong_only: bool) -> None:
    ex = explain(question, index)
    if not ex.found:
        return
    strong = ex.causes[0].exact and ex.causes[0].score >= QUOTED_SCORE
    if not (strong or (is_message_like(question) and not strong_only)):
        return
    out.blocks.append(render(ex, index.version))
    out.citations += ex.citations
    out.error = True
    # only a message found word for word proves the paste is Metaflow's (its other names are
    # the user's own); a near match still goes through the missing-feature check
    out.named = any(c.exact for c in ex.causes)


def _place(e: Entry) -> str:
    """Which command a CLI entry belongs to, in the user's words (``step-functions create``)."""
    parts = e.path.removesuffix(".py").split("/")
    plugin = next(
        (
            p
            for p in reversed(parts[:-1])
            if p not in ("metaflow", "plugins", "aws", "cli_components")
        ),
        "",
    )
    cmd = e.name if e.kind == CLI_OPTION else e.text
    if plugin and plugin not in cmd:
        return f"{plugin.replace('_', '-')} {cmd}".strip()
    return cmd


def _relevance(e: Entry, low: str) -> int:
    """How well a CLI entry's command fits the question: its plugin and command named."""
    score = 0
    for p in e.path.removesuffix(".py").split("/")[1:]:
        for variant in (p, p.replace("_", "-"), p.replace("_", " ")):
            if len(p) > 3 and variant in low:
                score += 2
                break
    cmd = (e.name or "").replace("_", "-")
    if cmd and re.search(rf"\b{re.escape(cmd)}\b", low):
        score += 1
    if ".py " in low and e.path.startswith(("metaflow/cli_components/", "metaflow/cli.py")):
        score += 1  # ``python flow.py …``: the flow's own CLI, not the ``metaflow`` command
    if "common_run_options" in (e.name, e.context) and re.search(r"\b(run|resume)\b", low):
        score += 2
    if e.path == "metaflow/cli.py" and not re.search(
        r"\b(step-functions|argo|airflow|batch|kubernetes)\b", low
    ):
        score += 1
    return score


def _options(question: str, index: KnowledgeIndex, out: Facts) -> None:
    low = question.lower()
    written = _OPTION.findall(question)
    written += ["--" + w for w in _BARE_OPTION.findall(question) if "--" + w not in written]
    for opt in list(dict.fromkeys(written))[:MAX_NAMES]:
        found = [e for e in index.entries.lookup(opt) if e.kind == CLI_OPTION]
        if not found:
            continue
        ranked = sorted(found, key=lambda e: -_relevance(e, low))
        top = _relevance(ranked[0], low)
        chosen = [e for e in ranked if _relevance(e, low) == top][:MAX_PER_NAME]
        lines = []
        for e in chosen:
            cite = _cite(index, e, opt.lstrip("-").split("-")[0])
            if not cite.verified:
                continue  # a fact is stated only where its line says so
            out.citations.append(cite)
            default = f"default `{e.default}`" if e.default else "no default"
            help_ = f" — {e.help}" if e.help else ""
            lines.append(f"- `{e.text}` of `{_place(e)}` ({cite.label()}): {default}{help_}")
        if lines:
            out.blocks.append(f"**`{opt}`** (CLI option):\n" + "\n".join(lines))
            out.resolved.append(opt)
            out.kinds.add(CLI_OPTION)


def _config(question: str, index: KnowledgeIndex, out: Facts) -> None:
    shown_precedence = False
    for name in list(dict.fromkeys(_UPPER.findall(question)))[:MAX_NAMES]:
        found = [e for e in index.entries.lookup(name) if e.kind in (CONFIG, ENV_VAR)]
        configs = [e for e in found if e.kind == CONFIG and e.name != "from_conf"]
        reads = [e for e in found if e.kind == ENV_VAR]
        lines = []
        for e in configs[:MAX_PER_NAME]:
            cite = _cite(index, e, e.name)
            if not cite.verified:
                continue
            out.citations.append(cite)
            read = f"; read in {', '.join(e.read_at[:3])}" if e.read_at else ""
            lines.append(
                f"- `{e.text}` is the config `{e.name}` ({cite.label()}): default `{e.default}`{read}"
            )
        if not configs:
            for e in reads[:MAX_PER_NAME]:
                cite = _cite(index, e, e.text)
                if not cite.verified:
                    continue
                out.citations.append(cite)
                default = f", default `{e.default}`" if e.default else ""
                where = f" in `{e.context}`" if e.context else ""
                lines.append(f"- `{e.text}` is read{where} ({cite.label()}){default}")
        if not lines:
            lines = _auto_envvar(name, index, out)
        if not lines:
            continue
        out.resolved.append(name)
        # the config module's own spelling (``DEFAULT_DATASTORE`` for
        # ``METAFLOW_DEFAULT_DATASTORE``) names the same variable
        out.resolved += [e.name for e in configs if e.name != name]
        out.kinds |= {CONFIG, ENV_VAR}  # a ``METAFLOW_*`` name is both
        pre = index.entries.precedence
        if configs and pre is not None and not shown_precedence:
            cite = _cite(index, pre, "environ")
            out.citations.append(cite)
            order = pre.text.split(":", 1)[-1].strip()
            lines.append(f"- Which value wins (`from_conf`, {cite.label()}): {order}")
            shown_precedence = True
        out.blocks.append(f"**`{name}`**:\n" + "\n".join(lines))


#: ``start(auto_envvar_prefix="METAFLOW", …)``: the prefix click puts before a command's options
_AUTO_ENVVAR = re.compile(r"""auto_envvar_prefix\s*=\s*["'](\w+)["']""")


def _auto_envvar(name: str, index: KnowledgeIndex, out: Facts) -> list[str]:
    """``METAFLOW_RUN_MAX_WORKERS``: not a config variable, but click reads it for ``run
    --max-workers`` because the CLI starts with ``auto_envvar_prefix="METAFLOW"`` (the prefix
    is read from that line, the command and option from the index's CLI entries).
    ``out.resolved`` also gets the name without the prefix (``RUN_MAX_WORKERS``), the way a
    user looking for a config constant writes it."""
    lines = index.lines(AUTO_ENVVAR_FILE) or []
    at, prefix = next(
        ((n, m.group(1) + "_") for n, ln in enumerate(lines, 1) if (m := _AUTO_ENVVAR.search(ln))),
        (0, ""),
    )
    if not at or not name.startswith(prefix):
        return []
    parts = name[len(prefix) :].lower().split("_")
    for k in range(1, len(parts)):
        command = "-".join(parts[:k])
        if not any(e.kind == CLI_COMMAND for e in index.entries.lookup(command)):
            continue
        opt = "--" + "-".join(parts[k:])
        found = [e for e in index.entries.lookup(opt) if e.kind == CLI_OPTION]
        found = [e for e in found if e.path.startswith("metaflow/cli")]
        if not found:
            continue
        # click names the variable after the parameter (``tags``), which the option of this
        # command declares, either its own or one of a shared options decorator (``run`` and
        # ``resume`` take theirs from ``common_run_options``, which the entry's context names)
        e = next(
            (e for e in found if e.name == command),
            next((e for e in found if e.context), found[0]),
        )
        opt = e.text.split(" / ")[0] if e.text.startswith("--") else opt
        ecite = _cite(index, e, opt.lstrip("-").split("-")[0])
        acite = Citation(
            AUTO_ENVVAR_FILE,
            at,
            None,
            index.check_citation(AUTO_ENVVAR_FILE, at, None, "auto_envvar_prefix"),
        )
        out.citations += [ecite, acite]
        out.resolved.append(name[len(prefix) :])
        default = f" (default `{e.default}`)" if e.default else ""
        return [
            f"- `{name}` is not a config variable: click reads it as `{command} {opt}`{default} "
            f'({ecite.label()}), because the CLI starts with `auto_envvar_prefix="{prefix[:-1]}"` '
            f"({acite.label()}): `{prefix}<COMMAND>_<OPTION>`."
        ]
    return []


def _commands(question: str, index: KnowledgeIndex, out: Facts) -> None:
    """A command written after ``flow.py`` (``python flow.py dump …``): its definition and help.
    Not ``named``: a made-up command must still be reported as missing."""
    m = _COMMAND.search(question)
    if not m or out.blocks:
        return
    low = question.lower()
    for word in (m.group(2), m.group(3)):
        if not word:
            continue
        found = [e for e in index.entries.lookup(word) if e.kind == CLI_COMMAND]
        if not found:
            continue
        e = max(found, key=lambda e: _relevance(e, low))
        cite = _cite(index, e, e.text)
        if not cite.verified:
            cite = _cite(index, e, e.name)
        if not cite.verified:
            return
        out.citations.append(cite)
        help_ = f": {e.help}" if e.help else ""
        out.blocks.append(f"**`{_place(e)}`** (CLI command, {cite.label()}){help_}")
        out.kinds.add(CLI_COMMAND)
        return
