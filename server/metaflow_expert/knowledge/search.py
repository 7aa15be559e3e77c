"""Hybrid search over the indexed Metaflow source: BM25 over words, fuzzy over identifiers.

Why both: questions come in prose ("how many times does retry run a task?") and as misspelled
code ("retyr decorater"). BM25 over symbol names, paths, docstrings, code and doc sections
answers the first; rapidfuzz corrects unknown words against the vocabulary and matches word
windows against identifier names (``retyr decorater`` → ``RetryDecorator``) for the second.
Identifiers are split on snake_case and camelCase (``merge_artifacts`` → ``merge``,
``artifacts``, ``merge_artifacts``) so either spelling finds them.

The postings are stored as packed arrays (bytes) so the whole index is one fast ``marshal``
load; arrays are unpacked only for the terms a query uses.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from metaflow_expert.knowledge.entries import CLI_COMMAND, CLI_OPTION, CONFIG, ENV_VAR

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "else",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "without",
        "into",
        "onto",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "have",
        "has",
        "had",
        "having",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "not",
        "no",
        "yes",
        "so",
        "as",
        "than",
        "too",
        "very",
        "just",
        "also",
        "about",
        "any",
        "all",
        "some",
        "each",
        "every",
        "other",
        "such",
        "only",
        "own",
        "same",
        "more",
        "most",
        "few",
        "self",
        "none",
        "true",
        "false",
        "get",
        "set",
        "use",
        "used",
        "using",
        "way",
        "want",
        "need",
        "please",
        "tell",
        "explain",
        "show",
        "work",
        "works",
        "happen",
        "happens",
        "metaflow",
    ]
)
K1 = 1.2
B = 0.75
# field weights (a word's weighted term frequency in a document)
W_NAME, W_QUAL, W_PATH, W_DOC, W_CODE, W_HEADING = 4.0, 1.0, 1.5, 1.0, 0.35, 2.5


def stem(word: str) -> str:
    """A tiny plural folding so "decorators"/"retries" meet "decorator"/"retry"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return _verb_stem(word)


_VOWELS = frozenset("aeiouy")


def _verb_stem(word: str) -> str:
    """Fold the verb forms users write onto the ones code uses ("stored"/"storing"/"stores"
    meet ``store``, "deduplicated" meets ``deduplicate``): strip ``-ed``/``-ing`` (undoubling
    a final consonant) and a final silent ``e``. Only for words of 6+ letters whose stem keeps
    a vowel (a final ``e`` from 5 letters on), so short words ("need", "red") stay as they are."""
    if len(word) < 5 or not word.isalpha():
        return word
    for suffix in ("ing", "ed"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(word) >= 6 and len(base) >= 3 and _VOWELS & set(base) and not base.endswith("e"):
                if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz" + "aeiouy":
                    base = base[:-1]
                return base
            return word
    if word.endswith("e") and not word.endswith(("ee", "ie", "ye")):
        return word[:-1]
    return word


_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
_COMMAND_LINE = re.compile(r"(?:\.py|\bmetaflow)((?:\s+[^\s]+){1,6})")
CLI_ALIAS = "cli:"


def cli_names(text: str) -> set[str]:
    """What a command line in ``text`` names, as alias keys: each ``--option`` and the (at most
    two) command words after ``flow.py`` / ``metaflow`` (``flow.py argo-workflows create``).
    CLI options and commands are indexed under the same keys (``cli:--tag``, ``cli:dump``)."""
    out = {CLI_ALIAS + m.group(0).lower() for m in _OPTION.finditer(text)}
    for m in _COMMAND_LINE.finditer(text):
        words = 0
        for tok in m.group(1).split():
            if tok.startswith("-"):
                continue
            if words == 2 or not re.fullmatch(r"[a-z][\w-]*", tok):
                break
            out.add(CLI_ALIAS + tok)
            words += 1
    return out


#: words by which a question asks for a kind of entry, not for code that uses the thing:
#: "which *variable* / *setting* …", "the *flag* …" (index kinds, :mod:`entries`); not "config",
#: which as often means a flow's ``Config``
KIND_INTENT = {
    CONFIG: frozenset(["setting", "settings", "variable", "var"]),
    ENV_VAR: frozenset(["env", "environment", "variable", "var"]),
    CLI_OPTION: frozenset(["flag", "option", "options", "cli"]),
}
#: how much an entry of the asked-for kind is lifted: enough to pass the code that merely
#: reads the same words, not enough to beat a hit the question names outright
INTENT_BOOST = 1.5


#: "how does the runtime …", "how is my code …", "what decides …": a question about how
#: Metaflow does something inside (not "how do I …", which may well want a flag)
_INSIDE = re.compile(
    r"\bhow\s+(?:does|do|is|are)\s+(?!i\b|we\b|you\b|one\b)\w+|\bwhat\s+decides\b"
    r"|\binternal(?:ly|s)?\b|\bunder the hood\b",
    re.I,
)
#: the entry kinds that only name how a user drives a thing (the command line), never where
#: it is done; an inside question that writes no ``--option`` wants the implementing code
DRIVING_KINDS = frozenset([CLI_OPTION, CLI_COMMAND])
#: how much a module whose file name an inside question says is lifted
MODULE_NAMED_BOOST = 1.5
#: a file name says where only if one of its words is in at most this share of the documents
NAMED_MODULE_RARE = 0.05
#: how much those entries weigh in an inside question
INSIDE_DAMP = 0.5


def asks_inside(query: str) -> bool:
    """Does ``query`` ask how Metaflow does something inside (see :data:`_INSIDE`)?"""
    return bool(_INSIDE.search(query)) and not _OPTION.search(query)


#: "not the CLI", "rather than the command line", "not through the shell": the user wants the
#: Python API (``Runner``, ``Deployer``), so the command line's options are what they reject
_NOT_CLI = re.compile(
    r"\b(?:not|rather\s+than|instead\s+of|without|no)\s+(?:(?:the|a|through|via|using|from|on|"
    r"in|by)\s+)*(?:cli|command[\s-]?line|shell|terminal)\b",
    re.I,
)
#: "via config", "in the metaflow config": the user's configuration, where ``METAFLOW_*``
#: settings live; a bare "config" is not enough (it as often means a flow's ``Config``)
_VIA_CONFIG = re.compile(
    r"\b(?:via|through|by|in|into)\s+(?:the\s+|my\s+|a\s+|our\s+)?(?:metaflow\s+)?config\b"
    r"(?!\s*\()|\bmetaflow\s?config\b",
    re.I,
)


#: a module of the command line (``cli.py``, ``argo_workflows_cli.py``, ``cli_components/``):
#: its code is what a "not the CLI" question rejects, whatever kind its documents are
_CLI_MODULE = re.compile(r"(?:^|[/_])cli(?:[/_.]|$)")


def rejects_cli(query: str) -> bool:
    """Does ``query`` ask for a way other than the command line (see :data:`_NOT_CLI`)?"""
    return bool(_NOT_CLI.search(query))


def kind_intent(query: str) -> frozenset[str]:
    """The entry kinds ``query`` asks for by a kind word (see :data:`KIND_INTENT`), or by
    saying where it sets a thing ("via config": :data:`_VIA_CONFIG`)."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", query)}
    kinds = {kind for kind, said in KIND_INTENT.items() if words & said}
    if _VIA_CONFIG.search(query):
        kinds.add(CONFIG)
    return frozenset(kinds)


#: ``obj.member`` written as code (not a file name or a module path's last part)
_MEMBER = re.compile(r"(?<![\w.])([A-Za-z]\w*)\.([A-Za-z_]\w*)\b(?!\.)")
_NUMERONYM = re.compile(r"([a-z])(\d{1,2})([a-z])")
#: ``NBRunner``: an abbreviation (2–4 capitals) before another class's name
_WRAPPER = re.compile(r"([A-Z]{2,4})([A-Z][a-z]\w*)")
#: how far down the ranking a wrapper is looked for
WRAPPER_WINDOW = 20
#: how many of the wrapper's own words (the wrapped class lacks them) keep it first
WRAPPER_OWN_WORDS = 2


def abbreviates(prefix: str, word: str) -> bool:
    """Does ``word`` spell ``prefix`` ("nb") or start with its letters in order ("notebook")?"""
    if word == prefix or word.startswith(prefix):
        return True
    if word[:1] != prefix[:1] or len(word) <= len(prefix):
        return False
    rest = iter(word[1:])
    return all(c in rest for c in prefix[1:])


def split_identifier(ident: str) -> list[str]:
    """``RetryDecorator`` → [retry, decorator]; ``merge_artifacts`` → [merge, artifacts]."""
    parts: list[str] = []
    for chunk in ident.split("_"):
        if chunk:
            parts.extend(m.group(0).lower() for m in _CAMEL.finditer(chunk))
    return parts


_WORD_CACHE: dict[str, tuple[str, ...]] = {}


def _word_tokens(w: str) -> tuple[str, ...]:
    """Tokens of one identifier (memoised: code repeats the same names over and over)."""
    got = _WORD_CACHE.get(w)
    if got is None:
        parts = split_identifier(w)
        out: list[str] = []
        low = w.lower().strip("_")
        if len(parts) > 1 and low:
            out.append(low)
        out += [stem(p) for p in parts if p not in STOPWORDS]
        got = tuple(t for t in out if len(t) > 1 or t.isdigit())
        if len(_WORD_CACHE) < 200_000:
            _WORD_CACHE[w] = got
    return got


def tokenize(text: str) -> list[str]:
    """Words of text or code: each identifier's parts (stemmed) plus the whole identifier."""
    out: list[str] = []
    for w in _WORD.findall(text):
        out.extend(_word_tokens(w))
    return out


@dataclass(frozen=True)
class SearchHit:
    """One ranked result: a place in the source (or a knowledge doc section)."""

    path: str
    line: int
    end_line: int
    symbol: str
    snippet: str
    score: float
    kind: str

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class SearchDoc:
    """A searchable unit before indexing: where it is and its weighted words."""

    path: str
    line: int
    end_line: int
    symbol: str
    kind: str
    snippet: str
    vendored: bool
    words: dict[str, float]
    ident: str = ""  # identifier name for fuzzy matching ("" for doc sections)
    prior: float = 1.0  # multiplier: public API and decorator classes up, private names down
    aliases: tuple[str, ...] = ()  # other names that find it exactly (a decorator's ``@name``)


def add_words(acc: dict[str, float], text: str, weight: float) -> None:
    get, cached = acc.get, _WORD_CACHE.get
    for w in _WORD.findall(text):
        toks = cached(w)
        if toks is None:
            toks = _word_tokens(w)
        for t in toks:
            acc[t] = get(t, 0.0) + weight


class SearchIndex:
    """BM25 postings + fuzzy identifier table; build with :meth:`build`, persist with
    :meth:`to_payload` / :meth:`from_payload`."""

    def __init__(
        self,
        meta: list[tuple[str, int, int, str, str, str, bool]],
        postings: dict[str, tuple[bytes, bytes]],
        lengths: bytes,
        idents: dict[str, list[int]],
        priors: bytes = b"",
        aliases: dict[str, list[int]] | None = None,
    ) -> None:
        self.meta = meta
        self.postings = postings
        self.lengths = array("f")
        self.lengths.frombytes(lengths)
        self.priors = array("f")
        self.priors.frombytes(priors)
        if len(self.priors) != len(self.meta):
            self.priors = array("f", [1.0] * len(self.meta))
        self.aliases = aliases or {}
        self.avgdl = (sum(self.lengths) / len(self.lengths)) if len(self.lengths) else 1.0
        self.idents = idents
        self._ident_keys = list(idents)
        self._vocab: list[str] | None = None
        self._path_words: frozenset[str] | None = None
        self._file_lengths: dict[str, float] | None = None

    # -- persistence --------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: list[SearchDoc]) -> SearchIndex:
        post_ids: dict[str, array] = defaultdict(lambda: array("I"))
        post_tf: dict[str, array] = defaultdict(lambda: array("f"))
        lengths = array("f")
        priors = array("f")
        meta = []
        idents: dict[str, list[int]] = defaultdict(list)
        aliases: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(docs):
            meta.append((d.path, d.line, d.end_line, d.symbol, d.kind, d.snippet, d.vendored))
            lengths.append(sum(d.words.values()))
            priors.append(d.prior * (0.25 if d.vendored else 1.0))
            for a in d.aliases:
                aliases[a.lower()].append(i)
            for term, tf in d.words.items():
                post_ids[term].append(i)
                post_tf[term].append(tf)
            if d.ident:
                idents[d.ident.lower()].append(i)
        postings = {t: (post_ids[t].tobytes(), post_tf[t].tobytes()) for t in post_ids}
        return cls(meta, postings, lengths.tobytes(), dict(idents), priors.tobytes(), dict(aliases))

    def to_payload(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "postings": self.postings,
            "lengths": self.lengths.tobytes(),
            "idents": self.idents,
            "priors": self.priors.tobytes(),
            "aliases": self.aliases,
        }

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> SearchIndex:
        return cls(p["meta"], p["postings"], p["lengths"], p["idents"], p["priors"], p["aliases"])

    def __len__(self) -> int:
        return len(self.meta)

    # -- querying -----------------------------------------------------------------------------
    @property
    def vocab(self) -> list[str]:
        if self._vocab is None:
            self._vocab = [t for t in self.postings if not t.isdigit() and "_" not in t]
        return self._vocab

    def _correct(self, term: str) -> list[tuple[str, float]]:
        """A known term, or the closest vocabulary words (rapidfuzz) with a confidence."""
        if term in self.postings:
            return [(term, 1.0)]
        if len(term) < 4 or term.isdigit():
            return []
        from rapidfuzz import fuzz, process

        found = process.extract(term, self.vocab, scorer=fuzz.ratio, limit=2, score_cutoff=78)
        return [(t, s / 100.0) for t, s, _ in found]

    def _holders(self, term: str) -> array:
        """The documents holding ``term`` (unpacked from the stored bytes; empty for a term no
        document has)."""
        ids = array("I")
        post = self.postings.get(term)
        if post is not None:
            ids.frombytes(post[0])
        return ids

    def _posting(self, term: str) -> tuple[array, array] | None:
        """The documents holding ``term`` and its weighted frequency in each, or None for a
        term no document has."""
        post = self.postings.get(term)
        if post is None:
            return None
        tfs = array("f")
        tfs.frombytes(post[1])
        return self._holders(term), tfs

    def _bm25(self, terms: list[tuple[str, float]]) -> dict[int, float]:
        n = len(self.meta)
        scores: dict[int, float] = defaultdict(float)
        for term, conf in terms:
            post = self._posting(term)
            if post is None:
                continue
            ids, tfs = post
            df = len(ids)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5)) * conf
            lens, avg = self.lengths, self.avgdl
            for i, tf in zip(ids, tfs, strict=False):
                scores[i] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lens[i] / avg))
        return scores

    def _fuzzy_idents(self, words: list[str]) -> dict[int, float]:
        """Windows of 1–3 query words joined (``retyr decorater`` → ``retyrdecorater``)
        matched against identifier names."""
        from rapidfuzz import fuzz, process

        boosts: dict[int, float] = defaultdict(float)
        lowered = [w.lower() for w in words]
        for w in lowered:
            for doc in self.aliases.get(w, ()):
                boosts[doc] = max(boosts[doc], 3.0)
        for size in (3, 2, 1):
            for i in range(len(lowered) - size + 1):
                window = lowered[i : i + size]
                if size == 1 and not self._codeish_or_unknown(words[i], i > 0):
                    continue
                if size > 1 and any(w in STOPWORDS for w in window):
                    continue
                joined = "".join(window)
                cutoff = 90 if size == 1 else 84
                for key in (joined, "_".join(window)):
                    for name, score, _ in process.extract(
                        key, self._ident_keys, scorer=fuzz.ratio, limit=4, score_cutoff=cutoff
                    ):
                        for doc in self.idents[name]:
                            boosts[doc] = max(boosts[doc], (score / 100.0) * (2.0 + size))
        return boosts

    def _codeish_or_unknown(self, word: str, mid_sentence: bool) -> bool:
        """A single word is matched against identifiers only when it looks like code
        (``merge_artifacts``, ``RetryDecorator``, a capitalised word mid-sentence) or is not a
        known word (a typo): plain
        English words that happen to name methods ("deploy") are left to BM25."""
        if len(word) < 5 or word.lower() in STOPWORDS:
            return False
        if "_" in word or len(split_identifier(word)) > 1:
            return True
        if mid_sentence and word[0].isupper():  # "…with the Deployer?": a class name
            return True
        return stem(word.lower()) not in self.postings

    def numeronym(self, word: str) -> str | None:
        """The one folder or module name a numeronym abbreviates (``k8s`` → ``kubernetes``:
        first letter, so many letters, last letter), or None. Only names of the source's own
        folders and modules count: numeronyms name systems, and a system Metaflow supports
        has a package; among all words ``k8s`` would be ambiguous (``keytokens``…)."""
        m = _NUMERONYM.fullmatch(word.lower())
        if not m:
            return None
        if self._path_words is None:
            self._path_words = frozenset(
                w for path, *_ in self.meta for w in re.split(r"[/_.\-]", path.lower()) if w
            )
        first, count, last = m.group(1), int(m.group(2)), m.group(3)
        found = [
            w
            for w in self._path_words
            if len(w) == count + 2 and w[0] == first and w[-1] == last and w.isalpha()
        ]
        return found[0] if len(found) == 1 else None

    def _lift_named_modules(self, scores: dict[int, float], terms: set[str]) -> None:
        """In a question about how Metaflow does something inside, the module whose file name
        the question says in full ("the runtime", "heartbeat", "logs … saved" for
        ``save_logs.py``) is where it is done: it is lifted as much as an entry of an asked-for
        kind. A name of common words only (``task.py``: "task" is in 9% of the documents)
        says nothing about where."""
        rare = len(self.meta) * NAMED_MODULE_RARE
        for i, s in list(scores.items()):
            path, _line, _end, _symbol, kind, _snip, vendored = self.meta[i]
            if kind != "module" or vendored:
                continue
            stem_name = path.rsplit("/", 1)[-1].removesuffix(".py")
            if stem_name == "__init__":
                continue
            words = [stem(w) for w in split_identifier(stem_name) if w not in STOPWORDS]
            if words and all(w in terms for w in words) and min(map(self._df, words)) <= rare:
                scores[i] = s * MODULE_NAMED_BOOST

    def _df(self, term: str) -> int:
        post = self.postings.get(term)
        return len(post[0]) // 4 if post else 0

    def _prefer_wrapped(
        self, ranked: list[tuple[float, int]], words: list[str], terms: list[str]
    ) -> list[tuple[float, int]]:
        """A thin wrapper named by an abbreviation before the class it wraps (``NBRunner`` wraps
        ``Runner``, ``NBDeployer`` wraps ``Deployer``) repeats that class's docstring in fewer
        words, so BM25 ranks it first. Unless the question says the wrapper's own word (a word
        the prefix abbreviates: "notebook" for ``NB``, or words of the wrapper's that the
        wrapped class lacks: "jupyter … cell"; one such word may be chance: "block"), the
        wrapped class takes its place and the wrapper the wrapped class's score."""
        said = [w.lower() for w in words]
        scores = {i: s for s, i in ranked}
        changed = False
        for _s, i in ranked[:WRAPPER_WINDOW]:
            _path, _line, _end, symbol, kind, _snip, vendored = self.meta[i]
            m = _WRAPPER.fullmatch(symbol.rsplit(".", 1)[-1])
            if kind != "class" or vendored or not m:
                continue
            prefix = m.group(1).lower()
            if any(abbreviates(prefix, w) for w in said):
                continue
            bases = [
                j
                for j in self.idents.get(m.group(2).lower(), ())
                if self.meta[j][4] == "class" and not self.meta[j][6]
            ]
            if len(bases) != 1 or scores.get(bases[0], 0.0) >= scores[i]:
                continue
            base = bases[0]
            own = [t for t in terms if i in (ids := self._holders(t)) and base not in ids]
            if len(own) >= WRAPPER_OWN_WORDS:
                continue  # the question says the wrapper's own words ("jupyter", "cell")
            scores[i], scores[base] = scores.get(base, 0.0), scores[i]
            changed = True
        if not changed:
            return ranked
        out = [(s, i) for i, s in scores.items()]
        out.sort(key=lambda x: (-x[0], x[1]))
        return out

    def _members_written(self, query: str) -> set[int]:
        """Members written as code on an object named after their class (``task.exception``,
        ``run.add_tag``, ``S3.get_many``): the method or property of that class, which the
        attribute's plain word alone ("exception") would not single out. The object's name
        must be the class's (case aside), so ``self.next`` or ``my_run.x`` name nothing."""
        out: set[int] = set()
        for obj, attr in _MEMBER.findall(query):
            for i in self.idents.get(attr.lower(), ()):
                parts = self.meta[i][3].split(".")
                if len(parts) >= 2 and parts[-2].lower() == obj.lower() and not self.meta[i][6]:
                    out.add(i)
        return out

    def _known(self, term: str) -> bool:
        """Does ``term`` occur in at least one non-vendored document?"""
        return any(not self.meta[i][6] for i in self._holders(term))

    def missing_terms(self, query: str) -> list[str]:
        """Words of ``query`` that occur nowhere in Metaflow's own code or docs (vendored
        libraries aside), before any fuzzy correction: a strong hint that the question is about
        something this Metaflow does not have (``@gpu_cluster``, ``HyperSearch``). An
        identifier (``gpu_cluster``, ``HyperSearch``) counts as a whole; ``@name`` must be one
        of the indexed decorators."""
        out: list[str] = []
        for m in re.finditer(r"@(\w+)", query):  # ``@name`` must be a decorator Metaflow has
            if m.group(1).lower() not in self.aliases and self.aliases:
                out.append("@" + m.group(1))
        for w in _WORD.findall(query):
            if "@" + w in out:
                continue
            toks = _word_tokens(w)
            if not toks or w.isdigit() or w in out:
                continue
            if len(toks) > 1 and toks[0] == w.lower().strip("_"):
                if not self._known(toks[0]):
                    out.append(w)
            elif not all(self._known(t) for t in toks):
                out.append(w)
        return out

    def _query_terms(self, query: str, words: list[str]) -> dict[str, float]:
        """The query's indexed terms with a confidence: its words, typos corrected against the
        vocabulary, numeronyms expanded."""
        terms: dict[str, float] = {}
        for t in tokenize(query):
            for term, conf in self._correct(t):
                terms[term] = max(terms.get(term, 0.0), conf)
        for w in words:
            expanded = self.numeronym(w)
            if expanded:
                terms[expanded] = 1.0
        return terms

    def file_ranking(self, query: str) -> list[str]:
        """Files of the index (Metaflow's source, not vendored; the knowledge docs) ranked by
        BM25 over each file as one document. A file's words are the sum of its passages' (its
        symbols and entries), so path and qualified-name words count once per passage and a
        method's words also under its class: an approximation that favours files with many
        definitions a little, which the fusion with the passages' ranking tempers.

        Why: a question about how something is done inside ("are artifacts gzipped, how hard
        is it compressed") names words that are spread over the implementing file (``gzip`` in
        one method, ``compress`` in another, ``artifact`` in its docstrings) and so no single
        passage gathers them all; the file does. Ask fuses this ranking with the passages'."""
        words = [m.group(0) for m in _WORD.finditer(query)]
        terms = self._query_terms(query, words)
        if self._file_lengths is None:
            lengths: dict[str, float] = defaultdict(float)
            for i, m in enumerate(self.meta):
                if m[4] != "module" and not m[6]:
                    lengths[m[0]] += self.lengths[i]
            self._file_lengths = dict(lengths)
        flen = self._file_lengths
        if not flen:
            return []
        n = len(flen)
        avg = sum(flen.values()) / n
        scores: dict[str, float] = defaultdict(float)
        for term, conf in terms.items():
            post = self._posting(term)
            if post is None:
                continue
            ids, tfs = post
            per_file: dict[str, float] = defaultdict(float)
            for i, tf in zip(ids, tfs, strict=False):
                path, _line, _end, _symbol, kind, _snip, vendored = self.meta[i]
                if kind != "module" and not vendored:
                    per_file[path] += tf
            idf = math.log(1 + (n - len(per_file) + 0.5) / (len(per_file) + 0.5)) * conf
            for path, tf in per_file.items():
                scores[path] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * flen[path] / avg))
        return sorted(scores, key=lambda p: (-scores[p], p))

    def search(self, query: str, k: int = 10) -> list[SearchHit]:
        words = [m.group(0) for m in _WORD.finditer(query)]
        at_names = {m.group(1).lower() for m in re.finditer(r"@(\w+)", query)}
        terms = self._query_terms(query, words)
        scores = self._bm25(list(terms.items()))
        if scores:
            top = max(scores.values())
            for doc, boost in self._fuzzy_idents(words).items():
                scores[doc] = scores.get(doc, 0.0) + boost * top / 4.0
        else:
            for doc, boost in self._fuzzy_idents(words).items():
                scores[doc] = boost
        top = max(scores.values(), default=1.0)
        for name in at_names:  # ``@retry``: the decorator itself, explicitly asked for
            for doc in self.aliases.get(name, ()):
                scores[doc] = scores.get(doc, 0.0) + top
        for name in cli_names(query):  # ``--tag``, ``flow.py dump``: named on a command line
            # a written ``--option`` is named as surely as ``@retry``; a bare word after
            # ``flow.py`` may be an argument rather than a command, so it weighs half
            lift = top if name.startswith(CLI_ALIAS + "-") else top / 2
            for doc in self.aliases.get(name, ()):
                scores[doc] = scores.get(doc, 0.0) + lift
        for doc in self._members_written(query):  # ``task.exception``: that member, named
            scores[doc] = scores.get(doc, 0.0) + top
        intent = kind_intent(query)
        inside = asks_inside(query)
        # an inside question wants the implementing code, a "not the CLI" one the Python API,
        # a "via config" one the setting: none wants how the command line drives the thing
        not_cli = rejects_cli(query) or bool(_VIA_CONFIG.search(query))
        damped = DRIVING_KINDS if inside or not_cli else frozenset()
        if inside:
            self._lift_named_modules(scores, set(terms))
        ranked = [
            (
                s
                * self.priors[i]
                * (INTENT_BOOST if self.meta[i][4] in intent else 1.0)
                * (INSIDE_DAMP if self.meta[i][4] in damped else 1.0)
                * (INSIDE_DAMP if not_cli and _CLI_MODULE.search(self.meta[i][0]) else 1.0),
                i,
            )
            for i, s in scores.items()
        ]
        ranked.sort(key=lambda x: (-x[0], x[1]))
        ranked = self._prefer_wrapped(ranked, words, list(terms))
        hits: list[SearchHit] = []
        seen: set[tuple[str, int]] = set()
        for s, i in ranked:
            path, line, end, symbol, kind, snippet, _v = self.meta[i]
            if (path, line) in seen:
                continue
            seen.add((path, line))
            hits.append(SearchHit(path, line, end, symbol, snippet, round(s, 4), kind))
            if len(hits) >= k:
                break
        return hits
