"""The answer without a model: best-ranked doc sections and source passages, with citations.

Used when there is no API key, when asked (``--offline``) and as the fallback when the API is
unreachable. It leads with the direct fact when the question names one (:mod:`entry_facts`:
an option's default, a ``METAFLOW_*`` variable's default and which setting wins, the raising
line of a pasted error; a named decorator's arguments and defaults), then shows the best two
files of its ranking (the search's passages fused with whole files) and only those other
passages that score close to the best one, so a one-passage answer is not padded with three
weaker ones, yet a best hit that is a fluke on two words does not hide the next answer. The
summary is extractive (first sentences of the matching docstrings and doc sections), so
everything shown is text from the indexed source. When the question names something the
indexed source lacks (see :mod:`relevance`) the answer says plainly that it is
not found in the indexed Metaflow version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from metaflow_expert.agent.entry_facts import Facts, direct_facts
from metaflow_expert.agent.files import PathRefused
from metaflow_expert.agent.relevance import entities, missing_reasons
from metaflow_expert.agent.tools import Toolbox
from metaflow_expert.agent.types import Answer, Citation
from metaflow_expert.agent.verify import check_one

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex

SHOW_PASSAGES = 3
PASSAGES_AFTER_FACTS = 2
#: a passage is shown only when its score is at least this share of the best one's
KEEP_RATIO = 0.6
#: how many of the ranking's best files are shown even below that share
MIN_SHOWN = 2
#: an entity weight from a decorator written ``@name`` (a plain word naming it weighs less)
WRITTEN_WEIGHT = 2.0
EXCERPT_LINES = 12
SEARCH_K = 20
#: the constant of reciprocal rank fusion (the customary 60: no rank list dominates by its
#: first places alone)
RRF_K = 60
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`@(])")


@dataclass(frozen=True)
class Passage:
    path: str
    line: int
    end_line: int
    symbol: str
    score: float
    kind: str = ""
    snippet: str = ""
    #: the part of ``score`` owed to the question naming the passage's decorator or API symbol
    boost: float = 0.0
    #: the file's place in the whole-file ranking (0: the best file; -1: not ranked)
    file_rank: int = -1


def rank_passages(question: str, index: KnowledgeIndex, extra_terms: str = "") -> list[Passage]:
    """Search hits re-ranked by file, with the files of named decorators/API symbols first.

    One passage per file (its best hit), scores relative to the top hit, plus the entity
    weight: a question naming ``@retry`` is about ``RetryDecorator`` whatever BM25 says.

    The other files are ordered by reciprocal rank fusion of two rankings: the passages' (a
    file ranks by its best passage) and the whole files' (:meth:`KnowledgeIndex.file_ranking`).
    Why both: the best passage may be a fluke on two of the question's words (a card class
    ``PythonCode`` for "from my own python code"), while the file that implements what is
    asked holds the question's words across its functions ("gzip" in one, "compress" in
    another) without one passage gathering them all. A file both rankings put high is the
    answer more often than the top of either alone. Scores stay the passages' own (the
    closeness bar of :func:`prune` compares them); only the order is fused.
    """
    query = f"{question} {extra_terms}".strip()
    hits = list(index.search(query, k=SEARCH_K))
    by_file = {path: i for i, path in enumerate(index.file_ranking(query))}
    top = float(hits[0].score) if hits and hits[0].score else 1.0
    best: dict[str, Passage] = {}
    for h in hits:
        score = h.score / top
        path = h.path
        if path not in best or best[path].score < score:
            line = h.line or 1
            best[path] = Passage(path, line, h.end_line or line, h.symbol, score, h.kind, h.snippet)
    for ent in entities(f"{question} {extra_terms}", index):
        prev = best.get(ent.path)
        base = prev.score if prev else 0.0
        best[ent.path] = Passage(
            ent.path,
            ent.line,
            ent.line,
            ent.symbol or ent.name,
            base + ent.weight,
            boost=(prev.boost if prev else 0.0) + ent.weight,
        )
    ranked = sorted(best.values(), key=lambda p: -p.score)
    # the files the question names come first; the others in the fused order of the
    # passages' ranking and the whole-file ranking (see the docstring)
    named = [p for p in ranked if p.boost > 0]
    plain = [p for p in ranked if p.boost == 0]
    unranked = len(by_file)
    fused = {
        p.path: 1.0 / (RRF_K + i) + 1.0 / (RRF_K + by_file.get(p.path, unranked))
        for i, p in enumerate(plain)
    }
    plain = [replace(p, file_rank=by_file.get(p.path, -1)) for p in plain]
    return named + sorted(plain, key=lambda p: -fused[p.path])


def _without(question: str, facts: Facts) -> str:
    """The question less the options and variables the facts found (``max-num-splits`` and
    ``METAFLOW_RUN_MAX_WORKERS`` exist even where their words do not occur as such; the facts
    also list the spellings without the prefix, ``RUN_MAX_WORKERS``). Each leaves a ``--``
    behind, so the option's value (``--with retry``) still reads as one and not as a command
    of the flow's CLI. A name goes only where it stands as a whole word."""
    for token in sorted(facts.resolved, key=len, reverse=True):
        for spelling in dict.fromkeys((token, token.lstrip("-"))):
            question = re.sub(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", " -- ", question)
    return question


def prune(passages: list[Passage], question: str, index: KnowledgeIndex) -> list[Passage]:
    """The passages worth showing: what the question names (a decorator or API symbol, found
    by :func:`entities` even where the search missed it), the ranking's best
    :data:`MIN_SHOWN` files, the whole-file ranking's best file when one of its passages is
    among the search hits (the file that gathers the question's words is as close an answer
    as a passage close to the best score), and those
    close to the best search score; when the question
    writes a decorator (``@retry``), none from another decorator's file (it does not bring
    ``@catch``'s docstring). A decorator named by a plain word ("secrets", "retries") is
    context and excludes nothing: "mount k8s secrets into every pod" is about
    ``@kubernetes`` as much as ``@secrets``.

    So the first two files of :func:`rank_passages` (the fused ranking) are always among the
    first passages. Ask cites them among its first three unless (stated reasons): the
    question's facts lead (:mod:`entry_facts`: an entry the question names, or the raising
    line of a pasted message, after which entry passages repeat the facts and are dropped),
    decorators written ``@name`` lead, or the passage's citation does not verify (nothing
    unverified is shown offline)."""
    if not passages:
        return []
    named = {
        e.path
        for e in entities(question, index)
        if e.name.startswith("@") and e.weight >= WRITTEN_WEIGHT
    }
    if named:
        cat = index.catalog
        others = {s.path for s in [*cat.step.values(), *cat.flow.values()]} - named
        passages = [p for p in passages if p.path not in others] or passages
    # closeness is judged on the search score of what the question does not name: a word that
    # happens to name a decorator ("in parallel") also lifts that decorator in the search
    # itself, and must not push the search's own best answers out of sight
    unnamed = [p.score for p in passages if p.boost == 0]
    best = max(unnamed) if unnamed else max(p.score - p.boost for p in passages)
    # the ranking's best files are kept whatever their distance to the best: that one may be a
    # fluke on two of the question's words (a class ``PythonCode`` for "python code"), and the
    # reader then still sees the search's next answer
    floor = {p.path for p in [q for q in passages if q.boost == 0][:MIN_SHOWN]}
    kept = [
        p
        for p in passages
        if p.boost > 0
        or p.path in floor
        or p.score - p.boost >= best * KEEP_RATIO
        or p.file_rank == 0
    ]
    # a decorator written ``@retry`` leads; one merely named by a plain word is context, after
    # the search's best passage
    written = [p for p in kept if p.boost >= WRITTEN_WEIGHT]
    rest = [p for p in kept if p.boost < WRITTEN_WEIGHT]
    first = next((i for i, p in enumerate(rest) if p.boost == 0), None)
    if first is not None:
        rest.insert(0, rest.pop(first))
    return (written + rest)[:SHOW_PASSAGES]


def answer_offline(
    question: str, index: KnowledgeIndex, *, toolbox: Toolbox | None = None, extra_terms: str = ""
) -> Answer:
    toolbox = toolbox or Toolbox(index)
    version = index.version
    try:
        facts = direct_facts(question, index)
        # a pasted message holds the user's own names (flow, step, artifact): not Metaflow's
        reasons = [] if facts.named else missing_reasons(_without(question, facts), toolbox)
        passages = [] if reasons else rank_passages(question, index, extra_terms)
    except Exception as exc:
        return Answer(f"Search failed: {exc}", [], "offline", not_found=True, version=version)
    if reasons or not (passages or facts.blocks):
        why = (
            "; ".join(reasons[:3])
            if reasons
            else "nothing in the indexed source or knowledge docs matches this question"
        )
        text = f"**Not found in Metaflow {version}:** {why}. No answer is given rather than a guess (offline mode: no model was asked)."
        return Answer(text, [], "offline", not_found=True, version=version)
    if facts.error:
        # the raising lines are the answer; other passages would only repeat common words
        passages = []
    summary: list[str] = []
    blocks: list[str] = []
    citations: list[Citation] = []
    shown = prune(passages, question, index)
    if facts.blocks:
        # the facts already state the entries the question names: passages that repeat an
        # entry of the kind they state (the same option of another deployer) would only pad
        # the answer; an entry of another kind says what they do not ("switch the datastore
        # via config, not --datastore": the config entry after the option's fact)
        stated = {(c.path, c.line) for c in facts.citations}
        shown = [p for p in shown if p.kind not in facts.kinds and (p.path, p.line) not in stated]
        shown = shown[:PASSAGES_AFTER_FACTS]
    for p in shown:
        short = p.symbol.rsplit(".", 1)[-1]
        named = short.isidentifier() and p.kind != "module"  # a module hit cites the file's top
        cite = check_one(p.path, p.line, None, (short,) if named else (), toolbox)
        if not cite.verified:
            continue  # a passage is shown only where its citation holds: no model to repair it
        citations.append(cite)
        lines = _lines(toolbox, p.path)
        sentence = _first_sentences(lines, p.line, p.end_line, markdown=not p.path.endswith(".py"))
        if not sentence and p.snippet and not named:
            sentence = " ".join(p.snippet.split())[:400]  # an entry hit: its one-line facts
        label = f"`{short}`" if short and named else "This passage"
        where = cite.label() + ("" if cite.verified else " (unverified)")
        if sentence:
            summary.append(f"- {label} ({where}): {sentence}")
        excerpt_end = min(max(p.end_line, p.line), p.line + EXCERPT_LINES - 1, len(lines))
        code = "\n".join(lines[p.line - 1 : excerpt_end])
        lang = "python" if p.path.endswith(".py") else "markdown"
        blocks.append(
            f"**{where}**" + (f" — `{p.symbol}`" if p.symbol else "") + f"\n```{lang}\n{code}\n```"
        )
    if not citations and not facts.blocks:
        text = f"**Not found in Metaflow {version}:** no passage of the indexed source or knowledge docs matching this question could be cited. No answer is given rather than a guess (offline mode: no model was asked)."
        return Answer(text, [], "offline", not_found=True, version=version)
    head = f"Offline answer for Metaflow {version} (no model was asked)"
    head += ":" if facts.blocks else ": the best-matching passages of the indexed source and docs."
    parts = [head, *facts.blocks]
    deco, deco_cites = ("", []) if facts.error else decorator_facts(question, index, toolbox)
    # a decorator written ``@retry`` is what the question is about; one merely named by a
    # plain word ("retries left", "in parallel") is context, after the best passage
    written = any(
        e.weight >= WRITTEN_WEIGHT for e in entities(question, index) if e.name.startswith("@")
    )
    if deco and written:
        parts.append(deco)
        ordered = facts.citations + deco_cites + citations
    else:
        ordered = facts.citations + citations[:1] + deco_cites + citations[1:]
    # one citation per cited place, the facts' first: they are the answer
    unique: dict[tuple[str, int], Citation] = {}
    for c in ordered:
        unique.setdefault((c.path, c.line), c)
    citations = list(unique.values())
    # after the facts, a file's second place (a decorator's ``defaults`` line under its class)
    # waits until every cited file has its first: the first three name three files when there
    # are three, so the search's next answer is not pushed out by a repeat
    n_facts = len({(c.path, c.line) for c in facts.citations})
    citations = citations[:n_facts] + spread_files(citations[n_facts:])
    if summary:
        parts.append("\n".join(summary))
    if deco and not written:
        parts.append(deco)
    if blocks:
        parts.append("\n\n".join(blocks))
    return Answer("\n\n".join(parts), citations, "offline", not_found=False, version=version)


MAX_FACT_DECORATORS = 2


def spread_files(citations: list[Citation]) -> list[Citation]:
    """Each cited file's first citation before any file's second one, otherwise in order.

    Why: a reader (and the evaluation) scans the first few citations for where to look; two
    places in one file there say less than one place in each of two files."""
    seen: set[str] = set()
    first: list[Citation] = []
    again: list[Citation] = []
    for c in citations:
        (again if c.path in seen else first).append(c)
        seen.add(c.path)
    return first + again


def decorator_facts(
    question: str, index: KnowledgeIndex, toolbox: Toolbox
) -> tuple[str, list[Citation]]:
    """Arguments, defaults and ``current`` attributes of the decorators the question names,
    straight from the catalog (the ``defaults`` dict of the indexed source), each cited.

    A question about ``@retry`` is usually about its arguments; the passages below show the
    class, but the defaults sit further down, so they are stated here with their own lines."""
    catalog = index.catalog
    sections: list[str] = []
    cites: list[Citation] = []
    named = [e for e in entities(question, index) if e.name.startswith("@")]
    for ent in named[:MAX_FACT_DECORATORS]:
        spec = catalog.lookup(ent.name[1:])
        if spec is None:
            continue
        class_cite = check_one(spec.path, spec.line, None, (spec.class_name,), toolbox)
        cites.append(class_cite)
        lines = [
            f"**`@{spec.name}`** ({spec.kind} decorator, class `{spec.class_name}`, {class_cite.label()})"
        ]
        if spec.args:
            dpath = spec.defaults_path or spec.path
            dcite = check_one(dpath, spec.defaults_line, None, ("defaults",), toolbox)
            cites.append(dcite)
            lines.append(f"\nArguments and defaults (`defaults`, {dcite.label()}):\n")
            lines.append("| argument | default | doc |\n| --- | --- | --- |")
            for arg in spec.args:
                doc = " ".join((arg.doc or "").split())[:160].replace("|", "\\|")
                lines.append(f"| `{arg.name}` | `{arg.shown_default}` | {doc} |")
        else:
            lines.append("\nIt takes no arguments.")
        if spec.current_attrs:
            attrs = ", ".join(f"`current.{a.name}`" for a in spec.current_attrs)
            lines.append(f"\nAdds to `current`: {attrs}.")
        sections.append("\n".join(lines))
    return "\n\n".join(sections), cites


def _lines(toolbox: Toolbox, path: str) -> list[str]:
    try:
        return toolbox.lines(path)
    except PathRefused:
        return []


def _first_sentences(
    lines: list[str], line: int, end: int, n: int = 2, *, markdown: bool = False
) -> str:
    """First sentences of the first paragraph of: the docstring after a ``def``/``class`` line,
    the module docstring (a hit on a whole module), or the section under a markdown heading."""
    if not lines or line > len(lines):
        return ""
    head = lines[line - 1].lstrip()
    text = ""
    if markdown:
        para: list[str] = []
        for ln in lines[line : min(len(lines), line + 40)]:
            if ln.startswith("#") or ln.startswith("```"):
                if para:
                    break
                continue
            if not ln.strip():
                if para:
                    break
                continue
            if not ln.startswith(("|", "    ")):
                para.append(ln.strip())
        text = " ".join(para)
    elif head.startswith(("def ", "class ", "async def ", "@")) or line == 1:
        window = "\n".join(lines[line - 1 : min(len(lines), max(end, line) + 40)])
        pattern = (
            r'\A(?:\s*#[^\n]*\n|\s*\n)*\s*[rRuU]?("""|\'\'\')(.*?)\1'
            if line == 1
            else r'("""|\'\'\')(.*?)\1'
        )
        m = re.search(pattern, window, re.S)
        if m:
            text = re.split(r"\n\s*\n", m.group(2).strip(), maxsplit=1)[0]
    text = " ".join(text.split())
    if not text:
        return ""
    out = " ".join(_SENTENCE.split(text)[:n])
    return out[:400] + ("…" if len(out) > 400 else "")
