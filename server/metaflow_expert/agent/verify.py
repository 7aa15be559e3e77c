"""Check every ``path:line`` an answer gives against the indexed source.

A citation passes when the file is in the index, the lines exist, and the cited lines contain
the symbol the surrounding sentence names (the backticked identifiers nearest the citation;
compared case-insensitively, so ``@retry`` is found on ``class RetryDecorator``).
The agent loop gives the model one repair turn for failures; whatever still fails is marked
``(unverified)`` in the text and ``verified=False`` in the result, never shown as verified.

Recognised forms: ``path.py:12``, ``path.py:12-30``, ``path.py#L12``, ``path.py#L12-L30``, and
``DOC:12`` for a knowledge doc name. A path is anything path-shaped: a file name with a known
suffix, or any run with a separator (absolute, ``../``, ``~/``, ``file://``, a drive letter), so a
citation outside the index is still seen, checked and marked rather than left unmarked. Paths
written with a prefix before ``metaflow/`` (an absolute site-packages path) are normalised to the
indexed-root-relative form. Each occurrence gets its own verdict: the same ``path:line`` cited
once rightly and once wrongly is two citations, one verified and one not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from metaflow_expert.agent.files import PathRefused
from metaflow_expert.agent.tools import Toolbox
from metaflow_expert.agent.types import Citation

_SUFFIXES = r"(?:py|pyi|md|txt|rst|cfg|toml|json|ya?ml|ini|sh|R)"
_SEG = r"[\w.~+@-]+"
_ROOT = r"(?:file://)?(?:[A-Za-z]:)?"
_PATH = (
    rf"{_ROOT}(?:[/\\]?(?:{_SEG}[/\\])*[\w.-]+\.{_SUFFIXES}(?![\w/\\])"  # name.suffix
    rf"|[/\\]?(?:{_SEG}[/\\])+(?=[\w.~+@-]*[A-Za-z]){_SEG})"  # anything with a separator
)
_LOC = r"(?::(?P<l1>\d+)(?:\s?[-–]\s?(?P<l2>\d+))?|#L(?P<l3>\d+)(?:-L?(?P<l4>\d+))?)"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BACKTICK = re.compile(r"`([^`\n]{1,120})`")
_STOP = frozenset(
    {
        "self",
        "True",
        "False",
        "None",
        "def",
        "class",
        "import",
        "from",
        "return",
        "the",
        "and",
        "for",
        "not",
        "with",
    }
)
UNVERIFIED = " (unverified)"


@dataclass(frozen=True)
class Found:
    """A citation occurrence in the text, with its character span and the names near it."""

    citation: Citation
    start: int
    end: int
    symbols: tuple[str, ...]


@dataclass
class Verification:
    found: list[Found]

    @property
    def citations(self) -> list[Citation]:
        """One per distinct verdict: repeats of the same verdict collapse, but a ``path:line``
        that passed in one sentence and failed in another is listed both ways."""
        seen: dict[tuple[str, int, int | None, bool], Citation] = {}
        for f in self.found:
            c = f.citation
            seen.setdefault((c.path, c.line, c.end_line, c.verified), c)
        return list(seen.values())

    @property
    def failed(self) -> list[Found]:
        return [f for f in self.found if not f.citation.verified]


def citation_regex(doc_names: list[str] | tuple[str, ...] = ()) -> re.Pattern[str]:
    docs = "|".join(re.escape(n) for n in sorted(doc_names, key=len, reverse=True) if n)
    path = f"(?:{docs}|{_PATH})" if docs else _PATH
    return re.compile(rf"(?<![\w/\\.-])(?P<path>{path}){_LOC}")


def find_citations(
    text: str, doc_names: tuple[str, ...] = ()
) -> list[tuple[str, int, int | None, int, int]]:
    """(path, line, end_line, start, end) for each citation in ``text``."""
    out = []
    for m in citation_regex(doc_names).finditer(text):
        line = int(m.group("l1") or m.group("l3"))
        end_s = m.group("l2") or m.group("l4")
        end_line = int(end_s) if end_s else None
        out.append((m.group("path"), line, end_line, m.start(), m.end()))
    return out


def verify_text(text: str, toolbox: Toolbox) -> Verification:
    raw = find_citations(text, tuple(toolbox.index.docs))
    found: list[Found] = []
    for i, (path, line, end_line, start, end) in enumerate(raw):
        prev_end = raw[i - 1][4] if i else 0
        next_start = raw[i + 1][3] if i + 1 < len(raw) else len(text)
        symbols = _symbols_near(text, start, end, prev_end, next_start)
        citation = check_one(path, line, end_line, symbols, toolbox)
        found.append(Found(citation, start, end, symbols))
    return Verification(found)


def check_one(
    path: str, line: int, end_line: int | None, symbols: tuple[str, ...], toolbox: Toolbox
) -> Citation:
    norm = path if path in toolbox.index.docs else _normalise(path, toolbox)
    try:
        lines = toolbox.lines(norm)
    except PathRefused as exc:
        return Citation(norm, line, end_line, False, f"file not in the indexed source ({exc})")
    last = end_line if end_line and end_line >= line else line
    if line < 1 or last > len(lines):
        return Citation(norm, line, end_line, False, f"{norm} has {len(lines)} lines")
    if last - line > 400:
        return Citation(norm, line, end_line, False, "range too wide to support a claim")
    cited = "\n".join(lines[line - 1 : last])
    if symbols and not any(_mentions(cited, s) for s in symbols):
        names = ", ".join(f"`{s}`" for s in symbols[:4])
        return Citation(norm, line, end_line, False, f"cited lines do not contain {names}")
    return Citation(norm, line, end_line, True, None)


def _normalise(path: str, toolbox: Toolbox) -> str:
    """Root-relative form of a written path: ``/…/site-packages/metaflow/x.py`` and a bare
    ``retry_decorator.py`` (when exactly one indexed file has that name) are accepted."""
    p = path.replace("\\", "/")
    if p.startswith("file://"):
        p = p[len("file://") :]
    while p.startswith("./"):
        p = p[2:]
    if not p.startswith("metaflow/") and "/metaflow/" in "/" + p:
        p = p[("/" + p).index("/metaflow/") :]
    if "/" not in p.lstrip("/") or not p.startswith("metaflow/"):
        tail = "/" + p.lstrip("/")
        matches = [f for f in toolbox.files.files if f.endswith(tail)]
        if len(matches) == 1:
            return matches[0]
    return p


def _mentions(cited: str, symbol: str) -> bool:
    """The cited lines name ``symbol``: case-insensitively, so ``@retry`` is found on
    ``class RetryDecorator``; short names must be whole words."""
    if len(symbol) < 4:
        return re.search(rf"(?<!\w){re.escape(symbol)}(?!\w)", cited) is not None
    return symbol.lower() in cited.lower()


def _symbols_near(
    text: str, start: int, end: int, prev_end: int, next_start: int
) -> tuple[str, ...]:
    """Identifiers in backticks between the previous citation (or sentence start) and this one;
    failing that, up to the next citation in the same sentence."""
    sent_start = max(prev_end, _sentence_start(text, start))
    before = _identifiers(text[sent_start:start])
    if before:
        return before
    sent_end = min(next_start, _sentence_end(text, end))
    return _identifiers(text[end:sent_end])


def _sentence_start(text: str, pos: int) -> int:
    cut = max(text.rfind("\n", 0, pos), text.rfind(". ", 0, pos))
    return cut + 1 if cut >= 0 else 0


def _sentence_end(text: str, pos: int) -> int:
    cands = [i for i in (text.find("\n", pos), text.find(". ", pos)) if i >= 0]
    return min(cands) if cands else len(text)


def _identifiers(span: str) -> tuple[str, ...]:
    names: list[str] = []
    for m in _BACKTICK.finditer(span):
        token = m.group(1)
        if re.search(rf"\.{_SUFFIXES}\b", token) or "/" in token:
            continue  # a path, not a symbol
        idents = [t for t in _IDENT.findall(token) if t not in _STOP and len(t) >= 2]
        if idents:
            # the last dotted component is what the line defines or uses (FlowSpec.next → next)
            names.append(idents[-1] if "." in token or "(" in token else idents[0])
            names.extend(i for i in idents if i not in names)
    return tuple(dict.fromkeys(names))


def mark_unverified(text: str, verification: Verification) -> str:
    """Append ``(unverified)`` after each failing citation (from the end, so spans stay valid)."""
    out = text
    for f in sorted(verification.failed, key=lambda f: f.end, reverse=True):
        end = f.end
        if end < len(out) and out[end] == "`":
            end += 1
        out = out[:end] + UNVERIFIED + out[end:]
    return out


def repair_message(verification: Verification) -> str:
    rows = [f"- {f.citation.label()}: {f.citation.reason}" for f in verification.failed]
    return (
        "Some citations in your answer failed verification against the indexed source:\n"
        + "\n".join(rows)
        + "\nRe-read the source with the tools, then give the full corrected answer. Fix each "
        "citation so the cited lines contain the symbol you name, or remove the claim and say it "
        "was not found. Do not mention this check."
    )


def native_citations(blocks: list[dict[str, Any]], toolbox: Toolbox) -> list[Citation]:
    """Citations the API attached to text blocks (``search_result_location``): their ``source``
    is the ``path:start-end`` a tool showed, so they are checked like written ones."""
    out: list[Citation] = []
    for block in blocks:
        for cit in block.get("citations") or []:
            if not isinstance(cit, dict) or cit.get("type") != "search_result_location":
                continue
            found = find_citations(str(cit.get("source", "")), tuple(toolbox.index.docs))
            for path, line, end_line, _s, _e in found:
                out.append(check_one(path, line, end_line, (), toolbox))
    return out
