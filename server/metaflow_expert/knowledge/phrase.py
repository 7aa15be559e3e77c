"""Matching a pasted message against message templates, tolerant of the parts that vary.

Why not BM25: a pasted error is a phrase. Its words are common ("step", "not", "found"), so
bag-of-words ranks whatever function mentions them most, not the one line that prints them.
Here both sides are normalised the same way — quoted names, numbers and the template's ``{}``
become one wildcard mark, punctuation and case go — then a template whose literal parts occur
in order in the pasted text is an *exact* hit, and the rest are scored by rapidfuzz's
``partial_ratio`` weighted by how much of the pasted text the template covers (so a short
template such as "not found" cannot win just by being contained).
"""

from __future__ import annotations

import re
from functools import lru_cache

MARK = "~"
_QUOTED = re.compile(r"'[^'\n]{0,200}'|\"[^\"\n]{0,200}\"|`[^`\n]{0,200}`")
_NUMBER = re.compile(r"(?<![A-Za-z_])\d+(?:\.\d+)?")
_PUNCT = re.compile(r"[^a-z0-9~]+")
_MARKS = re.compile(r"~(?:\s*~)+")
# "metaflow.exception.MetaflowException: …", "ValueError: …", "MetaflowNotFound: …"
#: how exception classes' names end (``ValueError``, ``MetaflowNotFound``, ``TaskFailure``)
_EXC_ENDINGS = ("Error", "Exception", "Warning", "NotFound", "Failure")
_EXC_PREFIX = re.compile(r"^\s*(?:[\w.]+(?:" + "|".join(_EXC_ENDINGS) + r")\w*)\s*:\s*")
_QUESTION = re.compile(
    r"^(how|what|which|why|where|when|who|can|could|does|do|is|are|should|will|would|"
    r"explain|tell|show|list|give|find)\b(?!\s+not\b)",
    re.I,
)
# a message quoted inside the user's own sentence ("got 'A previous run id was not found.'"):
# quotes that open and close outside a word, so "don't … it's" is no quote
_QUOTED_MESSAGE = re.compile(
    r"(?<![A-Za-z0-9])(?:'([^'\n]{12,400})'|\"([^\"\n]{12,400})\"|`([^`\n]{12,400})`)(?![A-Za-z0-9])"
)
_MESSAGE_WORDS = 4
#: where a user's own words end and the pasted message begins on one line: an arrow
#: (``run.add_tag(x) -> MetaflowTaggingError: …``) or the colon after an exception's name
#: (``MetaflowInvalidPathspec: …``, ``CannotInspectContainerError: …``); a plain label's
#: colon ("Update: …", "resume says: …") starts the user's own words, not a message
_LEAD_IN = re.compile(r"\s(?:->|=>|→)\s|(?<!\S)(\S+):\s")
_EXCEPTION_NAME = re.compile(r"[\w.]+")


def _exception_like(token: str) -> bool:
    """``MetaflowInvalidPathspec``, ``metaflow.exception.MetaflowException``, ``KeyError``: a
    CamelCase name of two capitals or more, or one ending like an exception class
    (:data:`_EXC_ENDINGS`, the endings a paste's leading exception prefix is known by)."""
    name = token.rsplit(".", 1)[-1]
    return bool(_EXCEPTION_NAME.fullmatch(token)) and (
        sum(c.isupper() for c in name) >= 2 or name.endswith(_EXC_ENDINGS)
    )


#: how many of a line's lead-ins are tried (the message is after the last few, not the first)
_LEAD_INS = 3
#: a piece after a lead-in needs this many words (marks included) to be a message on its own:
#: "KeyError: not found", "-> Flow failed" are the user's gist, not a quotation
_LEAD_IN_WORDS = 3
_TRACE_NOISE = re.compile(r"^\s*(Traceback \(most recent call last\)|File \"|\^+$)")
_WILDCARD_GAP = r".{0,120}?"


def normalize(text: str, template: bool = False) -> str:
    """Lowercase words and wildcard marks: ``Step 'start' failed after 3 tries`` and the
    template ``Step '{}' failed after {} tries`` both become ``step ~ failed after ~ tries``."""
    if template:
        text = text.replace("{}", MARK)
    text = _QUOTED.sub(MARK, text)
    text = _NUMBER.sub(MARK, text)
    text = _PUNCT.sub(" ", text.lower())
    text = _MARKS.sub(MARK, text)
    return " ".join(text.split())


def quoted_messages(query: str) -> list[str]:
    """Messages the user quotes inside their own words: quoted spans of four words or more
    (``why do i get 'Specify --origin-run-id' after resume``); a quoted name is not one."""
    out = []
    for m in _QUOTED_MESSAGE.finditer(query):
        text = next(g for g in m.groups() if g is not None)
        if sum(1 for t in text.split() if re.fullmatch(r"[A-Za-z][a-z]*[.,:;!?]?", t)) >= (
            _MESSAGE_WORDS
        ):  # words, not a command line (``python flow.py resume``)
            out.append(text)
    return out


def is_message_like(query: str) -> bool:
    """A pasted message rather than a question: quoted (whole, or a message quoted inside the
    question), several lines, an ``XError:`` prefix, or a sentence that does not start like a
    question ("could not …" is not one) and does not end with ``?`` unless long: three words
    or more, or two with code-like punctuation (``Expects Run('…')``)."""
    q = query.strip()
    if len(q) < 12:
        return False
    if q[0] in "'\"`" and q[-1] == q[0]:
        return True
    if "\n" in q or _EXC_PREFIX.match(q) or quoted_messages(q):
        return True
    words = q.split()
    if _QUESTION.match(q) or (q.endswith("?") and len(words) < 10):
        return False
    return len(words) >= 3 or any(c in q for c in "'\":()")


def pasted_lines(query: str) -> list[str]:
    """The normalised pieces of a paste worth matching: the whole paste and each line that is
    not traceback framing, with exception-class prefixes and outer quotes removed."""
    q = query.strip()
    if len(q) > 1 and q[0] in "'\"`" and q[-1] == q[0]:
        q = q[1:-1]
    pieces = [q]
    lines = [ln for ln in q.splitlines() if ln.strip() and not _TRACE_NOISE.match(ln)]
    if len(lines) > 1:
        pieces += lines[-30:]
    # a quoted message is matched on its own: normalising the whole question turns it into
    # one wildcard mark
    pieces += quoted_messages(q)[:5]
    # so is what follows a lead-in: the user's code and labels before it would otherwise
    # dilute a short message below the share of the paste an exact hit must cover
    for line in lines[-30:] if len(lines) > 1 else [q]:
        ends = [
            m.end()
            for m in _LEAD_IN.finditer(line)
            if m.group(1) is None or _exception_like(m.group(1))
        ][-_LEAD_INS:]
        pieces += [line[e:] for e in ends if len(normalize(line[e:]).split()) >= _LEAD_IN_WORDS]
    out: list[str] = []
    for p in pieces:
        n = normalize(_EXC_PREFIX.sub("", p))
        if len(n) >= 8 and n not in out:
            out.append(n)
    return out


@lru_cache(maxsize=4096)
def template_regex(template_norm: str) -> re.Pattern[str]:
    """The normalised template as a regex: literal parts in order, anything at the marks."""
    parts = [re.escape(p.strip()) for p in template_norm.split(MARK)]
    return re.compile(_WILDCARD_GAP.join(p for p in parts if p))


def literal_length(template_norm: str) -> int:
    return len(template_norm.replace(MARK, "").replace(" ", ""))


def score(template_norm: str, pasted: str, ratio: float) -> tuple[float, bool]:
    """(score, exact) of one template against one normalised pasted piece, given rapidfuzz's
    ``partial_ratio`` (0–100). Exact: every literal part occurs, in order, and they make up
    a fair part of the paste (``python`` alone is in many pastes); the score then adds how much
    of the paste the template accounts for, so the most specific template wins."""
    lit = literal_length(template_norm)
    pasted_len = max(1, len(pasted.replace(MARK, "").replace(" ", "")))
    coverage = min(1.0, lit / pasted_len)
    if lit >= 6 and coverage >= 0.35 and template_regex(template_norm).search(pasted):
        return 1.0 + coverage, True
    return (ratio / 100.0) * min(1.0, coverage / 0.8), False
