"""From a pasted error or traceback to where Metaflow raises it, why, and what to change.

Why a module of its own: ``metaflow-expert explain-error`` and offline Ask on a pasted error
must give the same answer, so both render what :func:`explain` finds. The raising line comes
from the index's message entries (:meth:`EntryIndex.match_message`); the rest is read off that
entry, never guessed:

- *condition*: the ``if`` that guards the ``raise`` (the state that triggers the error);
- *function*: the enclosing function, cited at its ``def``;
- *fix*: the message's own advice when it gives some ("Use --branch instead."), otherwise the
  guarding condition turned around (make it false), otherwise nothing.

Every citation is checked against the indexed lines (``index.check_citation``): the raising
line must contain a word of the message's literal text, the function line its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from metaflow_expert.agent.types import Citation
from metaflow_expert.knowledge import phrase

if TYPE_CHECKING:
    from metaflow_expert.knowledge.entries import Entry
    from metaflow_expert.knowledge.index import KnowledgeIndex

#: a non-exact match is shown only when it is this close to a real phrase hit
MIN_FUZZY = 0.75
#: matches kept: those scoring at least this share of the best one
KEEP_RATIO = 0.9
MAX_CAUSES = 3
#: an exact hit covering less of the paste than this ranks as a weak match (see effective)
MIN_COVERAGE = 0.5
#: letters a template needs for a partial-coverage exact hit to count
MIN_LITERAL = 15
_ADVICE = re.compile(
    r"\b(use|try|set|specify|pass|add|remove|rename|choose|make sure|ensure|please|instead|"
    r"should|must|need to|needs to|consider|install|upgrade|run|define|provide|check)\b",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


@dataclass(frozen=True)
class Cause:
    """One place that raises (or prints) the pasted message, with what is known about it."""

    message: str
    exception: str
    exact: bool
    score: float
    raising: Citation
    code: str
    condition: str
    function: str
    function_cite: Citation | None
    fix: str
    fix_source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "exception": self.exception,
            "exact": self.exact,
            "score": self.score,
            "raising": self.raising.to_json(),
            "code": self.code,
            "condition": self.condition,
            "function": self.function,
            "function_citation": self.function_cite.to_json() if self.function_cite else None,
            "fix": self.fix,
            "fix_source": self.fix_source,
        }


@dataclass
class Explanation:
    pasted: str
    causes: list[Cause] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.causes)

    @property
    def citations(self) -> list[Citation]:
        out: list[Citation] = []
        for c in self.causes:
            out.append(c.raising)
            if c.function_cite is not None:
                out.append(c.function_cite)
        return out

    def to_json(self, version: str = "") -> dict[str, Any]:
        return {
            "found": self.found,
            "metaflow": version,
            "causes": [c.to_json() for c in self.causes],
        }


def explain(pasted: str, index: KnowledgeIndex) -> Explanation:
    """The places that raise the pasted message, best first; none when nothing matches well
    (an exact template hit, or a fuzzy one of at least :data:`MIN_FUZZY`)."""
    out = Explanation(pasted)
    if not pasted or not pasted.strip():
        return out
    matches = index.entries.match_message(pasted[:4000], k=8)
    if not matches:
        return out
    scored = [(effective(m.score, m.exact, _literal(m.entry.text)), m) for m in matches]
    pool = sorted(
        ((eff + _named_place(m.entry.path, pasted), m) for eff, m in scored if eff >= MIN_FUZZY),
        key=lambda pair: -pair[0],
    )
    if not pool:
        return out
    best = pool[0][0]
    for eff, m in pool:
        if eff < best * KEEP_RATIO or len(out.causes) >= MAX_CAUSES:
            break
        cause = _cause(m.entry, eff, m.exact, index)
        if cause.raising.verified:  # stated only where the cited line holds the message
            out.causes.append(cause)
    return out


def effective(score: float, exact: bool, literal: int) -> float:
    """One scale for exact and fuzzy matches. An exact hit scores ``1 + coverage`` (the share of
    the paste its literal text accounts for); when that share is small ("Metaflow {}" inside a
    long paste) the hit says little, and a near-complete fuzzy match of a longer message is the
    better answer, so it drops below 1 — and out of sight when its literal text is a few words
    ("1. python")."""
    if not exact:
        return min(score, 1.0)
    coverage = score - 1.0
    if coverage >= MIN_COVERAGE:
        return score
    return coverage + (0.5 if literal >= MIN_LITERAL else 0.0)


def _literal(text: str) -> int:
    return phrase.literal_length(phrase.normalize(text, template=True))


def _named_place(path: str, pasted: str) -> float:
    """A small bonus when the paste names the plugin the file belongs to ("argo-workflows
    create …"): the same message is often raised by several deployers."""
    low = pasted.lower().replace("-", "_")
    parts = path.removesuffix(".py").split("/")[1:-1]
    return 0.05 if any(len(p) > 3 and p in low for p in parts) else 0.0


def _cause(e: Entry, score: float, exact: bool, index: KnowledgeIndex) -> Cause:
    lines = index.lines(e.path) or []
    end = min(max(e.end_line, e.line), len(lines))
    code = "\n".join(lines[e.line - 1 : end]) if lines else ""
    raise_line = _raise_start(lines, e.line)
    word = _anchor(e.text, lines[e.line - 1] if 0 < e.line <= len(lines) else "")
    raising = Citation(
        e.path,
        raise_line,
        end if end > raise_line else None,
        index.check_citation(e.path, raise_line, max(end, raise_line), word or None),
    )
    if raise_line < e.line:
        code = "\n".join(lines[raise_line - 1 : end])
    function, fcite = _function(e, index)
    fix, source = fix_for(e)
    return Cause(
        message=e.text,
        exception=e.name,
        exact=exact,
        score=round(score, 4),
        raising=raising,
        code=code,
        condition=e.condition,
        function=function,
        function_cite=fcite,
        fix=fix,
        fix_source=source,
    )


def _raise_start(lines: list[str], line: int) -> int:
    """The ``raise``/call line a message literal belongs to (a message often starts on the
    line after ``raise X(``); at most three lines up."""
    for n in range(line, max(0, line - 4), -1):
        if 0 < n <= len(lines) and re.search(r"\braise\b|\becho\w*\(|\bwarn\w*\(", lines[n - 1]):
            return n
    return line


def _anchor(text: str, cited_line: str) -> str:
    """A word of the message that the cited line contains (what the citation is checked for)."""
    words: list[str] = _WORD.findall(text.replace("{}", " "))
    for w in sorted(words, key=len, reverse=True):
        if w in cited_line:
            return w
    return ""


def _function(e: Entry, index: KnowledgeIndex) -> tuple[str, Citation | None]:
    if not e.context:
        return "", None
    sym = index.symbol_at(e.path, e.line)
    short = e.context.rsplit(".", 1)[-1]
    if sym is None or sym.name.rsplit(".", 1)[-1] != short:
        return e.context, None
    ok = index.check_citation(e.path, sym.line, None, short)
    return e.context, Citation(e.path, sym.line, None, ok)


def fix_for(e: Entry) -> tuple[str, str]:
    """(fix, where it comes from): the message's advice, else the triggering condition."""
    text = e.text.replace("{}", "…")
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    advice = [s for s in sentences[1:] if _ADVICE.search(s)]
    if not advice and len(sentences) == 1 and re.search(r"\b(use|instead|please)\b", text, re.I):
        advice = sentences
    if advice:
        return " ".join(advice[:2]), "message"
    if e.condition:
        cond = e.condition
        if cond.startswith("not (") and cond.endswith(")"):
            return f"The error is raised unless `{cond[5:-1]}` holds: make it hold.", "condition"
        return f"The error is raised when `{cond}` holds: change the input so it does not.", (
            "condition"
        )
    return "", ""


def render(ex: Explanation, version: str = "") -> str:
    """Markdown: per cause the raising line, condition, function and fix, each cited."""
    if not ex.found:
        return (
            f"**Not found in Metaflow {version}:** no error or warning message of the indexed "
            "source matches the pasted text."
        )
    head = "This message is raised" if len(ex.causes) == 1 else "This message may be raised"
    parts = [f"{head} by Metaflow {version}:" if version else f"{head}:"]
    for c in ex.causes:
        what = f"`{c.exception}`" if c.exception else "the message"
        lines = [
            f"**{c.raising.label()}** — {what}"
            + ("" if c.exact else " (closest match)")
            + f": “{c.message}”"
        ]
        if c.condition:
            lines.append(f"- Triggered when: `{c.condition}`")
        if c.function:
            where = f" ({c.function_cite.label()})" if c.function_cite else ""
            lines.append(f"- In: `{c.function}`{where}")
        if c.fix:
            lines.append(f"- Fix: {c.fix}")
        lang = "python" if c.raising.path.endswith(".py") else ""
        lines.append(f"```{lang}\n{c.code}\n```")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
