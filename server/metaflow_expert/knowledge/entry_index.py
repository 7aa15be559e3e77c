"""The entries of one Metaflow source, for lookups and search.

This is the API other parts use to answer from entries (offline Ask, ``explain-error``,
hovers); see ``docs/knowledge.md``:

- :meth:`EntryIndex.match_message` — a pasted message or traceback → the raising lines, best
  first, each with ``exact`` (every literal part of the template is in the paste);
- :meth:`EntryIndex.lookup` — ``--max-workers``, ``max_workers``, ``METAFLOW_DEFAULT_DATASTORE``,
  ``DEFAULT_DATASTORE``, an env var → its entries;
- :attr:`EntryIndex.precedence` — which source of a config value wins, cited in ``from_conf``;
- :meth:`EntryIndex.search_docs` / :func:`entry_hit` — how entries enter the ranked search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from metaflow_expert.knowledge import phrase
from metaflow_expert.knowledge.entries import (
    CLI_COMMAND,
    CLI_OPTION,
    CONFIG,
    ENTRY_KINDS,
    ENV_VAR,
    ERROR_MESSAGE,
    Entry,
)
from metaflow_expert.knowledge.search import (
    CLI_ALIAS,
    W_CODE,
    W_DOC,
    W_NAME,
    W_PATH,
    W_QUAL,
    SearchDoc,
    SearchHit,
    add_words,
)

# search priors: an entry is one line, a symbol a whole definition; a message's words are
# common English, so it ranks by BM25 only when the question really quotes it
_PRIORS = {ERROR_MESSAGE: 0.8, CLI_OPTION: 1.1, CLI_COMMAND: 1.1, CONFIG: 1.3, ENV_VAR: 0.9}
# words that say what an entry is, so "which env var / cli option / config" finds the kind
_KIND_WORDS = {
    ERROR_MESSAGE: "error message exception raise",
    CLI_OPTION: "cli command line option flag",
    CLI_COMMAND: "cli command line subcommand",
    CONFIG: "config configuration setting environment variable",
    ENV_VAR: "environment variable env var",
}


_RARE = 80


class MessageMatch(NamedTuple):
    """A message entry a paste matches: ``exact`` when every literal part of its template
    occurs in the paste, in order; ``score`` orders matches (exact ones are > 1)."""

    entry: Entry
    score: float
    exact: bool


def entry_symbol(e: Entry) -> str:
    """The name a hit on ``e`` shows; its cited line contains it (config: the Python name on
    the ``from_conf`` line; otherwise the text itself, a long one cut with ``…`` so that no
    cut-off word passes for an identifier)."""
    if e.kind == CONFIG and e.name != "from_conf":
        return e.name
    return e.text if len(e.text) <= 120 else e.text[:119] + "…"


def entry_snippet(e: Entry) -> str:
    """One line that states the entry's facts: what, default, help, where it is read."""
    if e.kind == ERROR_MESSAGE:
        s = f"{e.name}: {e.text}" if e.name else e.text
        if e.condition:
            s += f" — when {e.condition}"
        return s + (f" (in {e.context})" if e.context else "")
    if e.kind == CLI_OPTION:
        s = f"{e.text} {e.metavar}" if e.metavar else e.text
        s = f"{s} (command {e.name})" if e.name else s
        s += f" default {e.default}" if e.default else ""
        return s + (f": {e.help}" if e.help else "")
    if e.kind == CLI_COMMAND:
        return e.text + (f": {e.help}" if e.help else "")
    if e.kind == CONFIG:
        if e.name == "from_conf":
            return e.text
        s = f"{e.text} (config {e.name}) default {e.default}"
        return s + (f"; read in {', '.join(e.read_at[:3])}" if e.read_at else "")
    return e.text + (f" default {e.default}" if e.default else "") + f" (read in {e.context})"


def entry_hit(e: Entry, score: float) -> SearchHit:
    return SearchHit(
        e.path, e.line, e.end_line, entry_symbol(e), entry_snippet(e), round(score, 4), e.kind
    )


def option_names(e: Entry) -> set[str]:
    """Every spelling of a CLI option entry (``"--tag / -t"``, ``"--with/--no-with"``)."""
    return {n.strip() for part in e.text.split(" / ") for n in part.split("/")}


class EntryIndex:
    """Entries of one source; built from :func:`entries.build_entries` or the cache rows."""

    def __init__(self, entries: Iterable[Entry], precedence: Entry | None = None) -> None:
        self.all = list(entries)
        self.precedence = precedence
        self._messages: list[Entry] | None = None
        self._templates: list[str] = []
        self._word_ids: dict[str, list[int]] = {}
        self._by_name: dict[str, list[Entry]] | None = None
        self._by_kind: dict[str, list[Entry]] | None = None

    def __len__(self) -> int:
        return len(self.all)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ENTRY_KINDS, 0)
        for e in self.all:
            out[e.kind] += 1
        return out

    def of_kind(self, kind: str) -> list[Entry]:
        """Entries of ``kind`` in index order (grouped once: hovers and completion ask per
        request, and error messages are most of ``all``)."""
        if self._by_kind is None:
            table: dict[str, list[Entry]] = {}
            for e in self.all:
                table.setdefault(e.kind, []).append(e)
            self._by_kind = table
        return list(self._by_kind.get(kind, ()))

    # -- lookups -------------------------------------------------------------------------------
    def lookup(self, name: str) -> list[Entry]:
        """Entries named ``name`` (case-insensitive): an option with or without dashes and with
        ``_`` or ``-``, a config by ``METAFLOW_KEY`` or Python name, an env var, a command."""
        if self._by_name is None:
            table: dict[str, list[Entry]] = {}
            for e in self.all:
                if e.kind == ERROR_MESSAGE:
                    continue
                keys = option_names(e) if e.kind == CLI_OPTION else {e.text}
                if e.kind == CONFIG and e.name != "from_conf":
                    keys.add(e.name)
                for k in keys:
                    table.setdefault(_name_key(k), []).append(e)
            self._by_name = table
        return list(self._by_name.get(_name_key(name), ()))

    # -- pasted messages -----------------------------------------------------------------------
    def match_message(self, pasted: str, k: int = 5, cutoff: float = 0.6) -> list[MessageMatch]:
        """Message entries a pasted message or traceback matches, best first (never raises)."""
        from rapidfuzz import fuzz, process

        if self._messages is None:
            self._messages = [e for e in self.all if e.kind == ERROR_MESSAGE]
            self._templates = [phrase.normalize(e.text, template=True) for e in self._messages]
            for i, t in enumerate(self._templates):
                for w in set(t.split()):
                    self._word_ids.setdefault(w, []).append(i)
        best: dict[int, tuple[float, bool]] = {}
        for piece in phrase.pasted_lines(pasted or ""):
            found = process.extract(
                piece,
                self._candidates(piece),
                scorer=fuzz.partial_ratio,
                limit=40,
                score_cutoff=55,
            )
            for _t, ratio, i in found:
                s, exact = phrase.score(self._templates[i], piece, ratio)
                if s > best.get(i, (0.0, False))[0]:
                    best[i] = (s, exact)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        return [
            MessageMatch(self._messages[i], round(s, 4), exact)
            for i, (s, exact) in ranked[:k]
            if s >= cutoff
        ]

    def _candidates(self, piece: str) -> dict[int, str]:
        """Templates sharing a distinctive word with the paste (a word in at most
        ``_RARE`` templates); all of them when the paste has none. The fuzzy score is then
        computed on tens of templates, not thousands: same best matches, a fraction of the
        time, since a template sharing no distinctive word cannot cover the paste."""
        ids: set[int] = set()
        for w in set(piece.split()):
            got = self._word_ids.get(w)
            if got is not None and len(got) <= _RARE:
                ids.update(got)
        if not ids:
            return dict(enumerate(self._templates))
        return {i: self._templates[i] for i in ids}

    # -- search --------------------------------------------------------------------------------
    def search_docs(self) -> list[SearchDoc]:
        out: list[SearchDoc] = []
        for e in [*self.all, *([self.precedence] if self.precedence else [])]:
            words: dict[str, float] = {}
            add_words(words, _KIND_WORDS[e.kind], W_QUAL)
            if e.kind == ERROR_MESSAGE:
                add_words(words, e.text, W_DOC * 2)
                add_words(words, f"{e.name} {e.context}", W_QUAL)
                ident = ""
            elif e.kind == CONFIG:
                add_words(words, f"{e.text} {e.name}", W_NAME)
                add_words(words, e.default, W_CODE)
                add_words(words, e.help, W_DOC)
                add_words(words, " ".join(e.read_at), W_PATH * 0.3)
                ident = e.name
            elif e.kind in (CLI_OPTION, CLI_COMMAND):
                add_words(words, e.text, W_NAME)
                add_words(words, option_identifiers(e.text), W_NAME)
                add_words(words, f"{e.name} {e.context}", W_QUAL)
                add_words(words, e.help, W_DOC)
                add_words(words, e.default, W_CODE)
                ident = option_identifiers(e.text).split(" ")[0]
            else:
                add_words(words, e.text, W_NAME)
                add_words(words, e.context, W_QUAL)
                ident = e.text
            add_words(words, e.path, W_PATH * 0.5)
            out.append(
                SearchDoc(
                    e.path,
                    e.line,
                    e.end_line,
                    entry_symbol(e),
                    e.kind,
                    entry_snippet(e)[:300],
                    False,
                    words,
                    ident,
                    _PRIORS[e.kind],
                    cli_aliases(e),
                )
            )
        return out


_DASHED = re.compile(r"(?<![\w-])--?([A-Za-z][\w]*(?:-[\w]+)+)")


def cli_aliases(e: Entry) -> tuple[str, ...]:
    """The keys :func:`search.cli_names` gives a command line naming this option/command."""
    if e.kind == CLI_OPTION:
        names = [n.strip() for part in e.text.split(" / ") for n in part.split("/")]
        return tuple(CLI_ALIAS + n.lower() for n in names if n.startswith("-"))
    if e.kind == CLI_COMMAND:
        return (CLI_ALIAS + e.text.lower(),)
    return ()


def option_identifiers(text: str) -> str:
    """``--origin-run-id`` → ``origin_run_id``: a dashed option as one identifier, so the
    whole name (rarer than its words) finds the option; the query side does the same."""
    return " ".join(m.group(1).replace("-", "_") for m in _DASHED.finditer(text))


def _name_key(name: str) -> str:
    return name.strip().strip("`'\"").lstrip("-").replace("-", "_").lower()
