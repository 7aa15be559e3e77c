"""Is a question about something the indexed Metaflow has, and which files does it name?

The offline answer has no model to judge relevance, and BM25 scores do not separate "about a
real feature" from "about a feature Metaflow lacks" (a question about a made-up decorator
still shares words with real code). So the check is on the question's *named things*:

- ``@name`` must be a decorator in the catalog (or a class declaring ``name = "name"``, the
  way Metaflow decorators register);
- ``metaflow.x`` must be a module or package of the indexed source;
- a proper-noun phrase ("Azure Data Factory") must occur in the source or docs;
- every content word must occur in the source or docs, or be a near-spelling of one (typos
  such as "retyr" still match "retry": same first letter, one or two edits); a lone ordinary
  word the source lacks ("apart", "couple") is the user's wording unless it names a thing
  (a noun of a practice, "retention", or what to integrate with: "deploy with quuxflorp");
- the name of another well-known tool (``prefect``, ``mlflow``, ``dvc``…) that the source does
  not mention is never read as a typo: "prefect" is not a misspelt "prefetch";
- a command written after ``flow.py`` must be a command of the flow's CLI.

Any failure is a reason to say "not found". Names that do resolve (decorators, API symbols
from the catalog) are the question's entities, and their files are ranked first.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from metaflow_expert.agent.files import PathRefused
from metaflow_expert.agent.tools import Toolbox
from metaflow_expert.knowledge.search import stem

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex

FUZZY_CUTOFF = 80.0
#: how many plain lower-case words the source lacks make a question about a missing feature
PLAIN_WORDS_MISSING = 2
MIN_WORD = 4
_STOP = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "another",
        "anything",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "built",
        "could",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "else",
        "every",
        "from",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "like",
        "make",
        "many",
        "more",
        "most",
        "much",
        "must",
        "need",
        "only",
        "other",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "used",
        "using",
        "very",
        "want",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "within",
        "without",
        "would",
        "your",
        "yours",
    ]
)
# other tools users ask Metaflow to integrate with; when the indexed source never names one,
# a question about it is about a feature Metaflow lacks, however close its spelling to a word
_OTHER_TOOLS = frozenset(
    [
        "airbyte",
        "bentoml",
        "bigquery",
        "clearml",
        "comet",
        "dagster",
        "dask",
        "databricks",
        "datadog",
        "dbt",
        "dvc",
        "feast",
        "flyte",
        "gcs",
        "hydra",
        "kedro",
        "kubeflow",
        "lakefs",
        "luigi",
        "mlflow",
        "mlrun",
        "neptune",
        "optuna",
        "pachyderm",
        "polars",
        "prefect",
        "pulumi",
        "pyspark",
        "sagemaker",
        "snowflake",
        "spark",
        "tensorboard",
        "terraform",
        "vertex",
        "wandb",
        "zenml",
        "argocd",
        "circleci",
        "dataiku",
        "domino",
        "gitlab",
        "huggingface",
        "jenkins",
        "langchain",
        "mlserver",
        "pinecone",
        "seldon",
        "streamlit",
        "triton",
        "weaviate",
    ]
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
_FLOW_COMMAND = re.compile(
    # a dashed command anywhere after the options (an option's value is never dashed), or any
    # word right after ``flow.py`` (after options, a word may be an option's value)
    r"\b\w+\.py\s+(?:(?:--?[\w-]+(?:[ =][\w./-]+)?\s+)*([a-z][a-z0-9]*-[a-z0-9-]+)"
    r"|([a-z][a-z0-9]*)\b(?![.\w/-]))"
)
_PHRASE = re.compile(r"\b(?:[A-Z][A-Za-z0-9]*|[A-Z]{2,})(?:\s+(?:[A-Z][A-Za-z0-9]*|[A-Z]{2,}))+")
_DECO = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")
_MODULE = re.compile(r"\bmetaflow(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


@dataclass(frozen=True)
class Entity:
    """A thing the question names that exists: a decorator or API symbol, with its definition."""

    name: str
    path: str
    line: int
    weight: float
    symbol: str = ""


@dataclass
class Vocabulary:
    words: frozenset[str]
    word_list: list[str]
    idents: frozenset[str]
    text_lower: str
    #: the words' stems (:func:`search.stem`): "hardcoding" is known when "hardcoded" is
    stems: frozenset[str] = frozenset()


_VOCABS: dict[str, Vocabulary] = {}
_LOCK = threading.Lock()


def vocabulary(toolbox: Toolbox) -> Vocabulary:
    """Words and identifiers of the indexed source (vendored code excluded) and docs; built once
    per root (≈ 0.2 s) and reused."""
    key = str(toolbox.files.root)
    with _LOCK:
        hit = _VOCABS.get(key)
    if hit is not None:
        return hit
    parts: list[str] = []
    for rel in toolbox.files.files:
        if "/_vendor/" in rel:
            continue
        try:
            path = toolbox.files.resolve(rel)
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
        except (PathRefused, OSError):
            continue
    parts.extend(toolbox.index.docs.values())
    corpus = "\n".join(parts)
    low = corpus.lower()
    words = frozenset(re.findall(r"[a-z][a-z0-9]+", low))
    vocab = Vocabulary(
        words,
        sorted(words),
        frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", corpus)),
        low,
        frozenset(stem(w) for w in words),
    )
    with _LOCK:
        _VOCABS[key] = vocab
    return vocab


def _variants(word: str) -> set[str]:
    w = word.lower()
    out = {w}
    if w.endswith("ing") and len(w) > 6:
        out |= {w[:-3], w[:-3] + "e"}
    if w.endswith("ed") and len(w) > 5:
        out |= {w[:-2], w[:-1]}
    if w.endswith("ies"):
        out.add(w[:-3] + "y")
    if w.endswith("es"):
        out.add(w[:-2])
    if w.endswith("s"):
        out.add(w[:-1])
    return out


def entities(question: str, index: KnowledgeIndex) -> list[Entity]:
    """Decorators and API symbols (from the catalog) that the question names."""
    catalog = index.catalog
    words: set[str] = set()
    for w in re.findall(r"@?[A-Za-z_][A-Za-z0-9_.]*", question):
        words |= _variants(w.lstrip("@").rstrip("."))
    low = question.lower()
    out: list[Entity] = []
    decos = {**catalog.flow, **catalog.step}
    for name, spec in decos.items():
        if name in words or (("_" in name) and name.replace("_", " ") in low):
            weight = 2.0 if f"@{name}" in question else 1.0
            out.append(Entity(f"@{name}", spec.path, spec.line, weight, spec.class_name or name))
    for name, sym in catalog.api.items():
        named = name in question and ("." in name or not name.islower())
        if (
            named
            and re.search(rf"(?<![\w.]){re.escape(name)}\b", question)
            and not question.startswith(name + " ")
        ):
            out.append(Entity(name, sym.path, sym.line, 1.5 if "." in name else 1.0, name))
    return out


#: a file of the user's (``my_dag.py``, ``conf/prod.yaml``): its name is theirs, not Metaflow's
#: (the look-behind anchors a match at the start of a token, which keeps the scan linear)
_USER_FILE = re.compile(
    r"(?<![\w./~-])[\w./~-]*\w\.(?:py|ipynb|json|ya?ml|toml|txt|csv|cfg|ini|sh)\b"
)
#: paths into Metaflow's own source are Metaflow's names, not the user's
_OWN_PATH = ("metaflow/", "metaflow_extensions/")
#: what a user writes for the part that varies (``metaflow.s3.xxxxx``, ``<run-id>``, ``...``)
_PLACEHOLDER = re.compile(r"\b(?:[xX]{3,}|[yY]{3,}|[zZ]{3,})\b|<[^<>\s]{1,40}>|\.{3}|…")
_QUOTED_VALUE = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
#: a literal in code: after ``(``, ``=``, ``:``, ``{``, ``[`` or ``,`` (``Run('1712')``,
#: ``--tag='x'``, ``labels={"k": "v"}``); a quoted phrase in prose is the user's wording
_CODE_LITERAL = re.compile(r"(?<=[(=:{\[,])\s*(?:" + _QUOTED_VALUE.pattern + ")")
_KEYWORD = re.compile(r"\s*(\w+)\s*=(?!=)")
_CALLEE = re.compile(r"\s*([A-Za-z_][\w.]*)\s*\(")
#: the longest question judged; beyond it a paste is the user's text, not more names
MAX_JUDGED_CHARS = 4000


def users_own(question: str) -> str:
    """The question with what is the user's own, not Metaflow's, blanked out: literals written
    in code (``timezone='Europe/Berlin'``, ``{'CostCenter': '123'}``, ``Run('1712345678')``),
    the values passed to a call (``run.add_tag(long_string)``: names, literals, expressions;
    a keyword's name such as ``aws_batch_tags=`` and a called name stay, as Metaflow defines
    them), file names (``my_dag.py``, not ``metaflow/…`` paths) and placeholders
    (``xxxxx``, ``<run-id>``). A question about a real feature holds such names of the
    user's; only what remains can name something Metaflow lacks. Linear in the question."""

    def blank_file(m: re.Match[str]) -> str:
        # the name goes, its extension stays: ``flow.py <command>`` is still a command line
        path = m.group(0)
        return path if path.startswith(_OWN_PATH) else "_." + path.rsplit(".", 1)[1]

    text = _USER_FILE.sub(blank_file, question)
    text = _PLACEHOLDER.sub(" ", text)
    text = _CODE_LITERAL.sub(" ''", text)
    return _blank_calls(text)


def _blank_args(args: str) -> str:
    out = []
    for arg in args.split(","):
        key = _KEYWORD.match(arg)
        callee = _CALLEE.match(arg)
        out.append(f"{key.group(1)}=" if key else f"{callee.group(1)}()" if callee else "")
    return ", ".join(out)


def _blank_calls(text: str) -> str:
    """Every call's arguments blanked (:func:`_blank_args`), nested calls innermost first, in
    one pass over the text (a stack of open parentheses; an unclosed one is left as written)."""
    stack: list[tuple[bool, list[str]]] = []
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "(":
            is_call = i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_])")
            stack.append((is_call, out))
            out = []
        elif ch == ")" and stack:
            is_call, outer = stack.pop()
            inner = "".join(out)
            outer.append("(" + (_blank_args(inner) if is_call else inner) + ")")
            out = outer
        else:
            out.append(ch)
    while stack:
        _is_call, outer = stack.pop()
        outer.append("(" + "".join(out))
        out = outer
    return "".join(out)


def missing_reasons(question: str, toolbox: Toolbox) -> list[str]:
    """Why the question is about something not in the indexed source (empty: it may be).
    What is the user's own (:func:`users_own`) is not judged, nor text past
    :data:`MAX_JUDGED_CHARS`."""
    question = users_own(question[:MAX_JUDGED_CHARS])
    vocab = vocabulary(toolbox)
    catalog = toolbox.index.catalog
    reasons: list[str] = []
    plain: list[str] = []
    known_decos = set(catalog.step) | set(catalog.flow) | {"step"}
    for name in _DECO.findall(question):
        declared = re.search(rf"\bname\s*=\s*[\"']{re.escape(name.lower())}[\"']", vocab.text_lower)
        if name not in known_decos and not declared:
            reasons.append(f"`@{name}` is not a decorator in the indexed source")
    for dotted in _MODULE.findall(question):
        rel = dotted.replace(".", "/")
        files = toolbox.files.files
        if (
            f"{rel}.py" not in files
            and not any(f.startswith(rel + "/") for f in files)
            and dotted.rsplit(".", 1)[-1] not in vocab.idents
        ):
            reasons.append(f"there is no module `{dotted}`")
    for m in _PHRASE.finditer(question):
        phrase = m.group(0)
        if m.start() == 0 and " " not in phrase:
            continue
        if (
            phrase.lower() not in vocab.text_lower
            and phrase.split(None, 1)[-1].lower() not in vocab.text_lower
        ):
            reasons.append(f"“{phrase}” does not occur in the source or docs")
    for word in dict.fromkeys(_WORD.findall(question)):
        w = word.lower()
        if w in _OTHER_TOOLS and w not in vocab.words:
            reasons.append(f"“{word}” does not occur in the source or docs")
            continue
        if (
            len(w) < MIN_WORD
            or w in _STOP
            or any(v in vocab.words for v in _variants(w))
            or stem(w) in vocab.stems  # another form of a word the source has
            or w in vocab.text_lower
        ):
            continue
        if _near(w, vocab) is None:
            if word.isalpha() and word.islower() and not _written_as_code(word, question):
                plain.append(word)
            else:
                reasons.append(f"“{word}” does not occur in the source or docs")
    # one plain word the source happens not to use ("apart", "couple") is how a user words an
    # ordinary goal; a feature the source lacks leaves more than one absent word behind, a
    # name (a tool, ``@decorator``, ``CamelCase``, a module, a command) or a noun naming it
    if (
        len(plain) >= PLAIN_WORDS_MISSING
        or reasons
        or any(_names_a_thing(w, question) for w in plain)
    ):
        reasons.extend(f"“{w}” does not occur in the source or docs" for w in plain)
    command = _FLOW_COMMAND.search(question)
    name = (command.group(1) or command.group(2)) if command else None
    if name and not toolbox.index.entries.lookup(name):
        reasons.append(f"`{name}` is not a command of the flow's CLI")
    return list(dict.fromkeys(reasons))


#: endings of nouns that name a thing or a practice ("retention", "versioning", "approval")
_NOUN_ENDINGS = ("tion", "sion", "ment", "ing", "ity", "ance", "ence", "ism", "ship", "age")
#: words after which a noun is what the user integrates with or runs on ("deploy *to* X",
#: "integrate *with* X", "run *on* X")
_OBJECT_OF = frozenset(["with", "to", "on", "onto", "into", "via", "through", "using", "in"])


def _written_as_code(word: str, question: str) -> bool:
    """``FlowSpec.rollback()``, ``--turbo``, ```rollback```: a word written as code is a name,
    never the user's wording."""
    w = re.escape(word)
    return bool(re.search(rf"[.-]{w}\b|\b{w}\s*\(|`{w}", question))


def _names_a_thing(word: str, question: str) -> bool:
    """Does a word the source lacks name the thing asked about, rather than word the goal?
    A feature Metaflow lacks is named by a noun: one of a practice ("retention") or the
    tool it should integrate with or run on ("deploy with quuxflorp"), or part of the name
    of the feature, right before a content word ("a dark theme"); a lone ordinary word
    elsewhere ("keep them apart", "a couple more times", "make it obligatory") only words an
    ordinary goal."""
    w = word.lower()
    if len(w) >= 6 and w.endswith(_NOUN_ENDINGS):
        return True
    before = re.search(rf"(\w+)\W+{re.escape(word)}\b", question)
    if before and before.group(1).lower() in _OBJECT_OF:
        return True
    # a word right before a content word is part of the feature's name ("dark theme")
    after = re.search(rf"\b{re.escape(word)} ([A-Za-z]+)", question)
    return bool(after and len(after.group(1)) >= MIN_WORD and after.group(1).lower() not in _STOP)


def _near(word: str, vocab: Vocabulary) -> str | None:
    """A word of the source the question's word is a typo of: close by fuzzy ratio, same first
    letter, at most one edit (two for words over five letters; a swap counts as one)."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    found = process.extract(
        word, vocab.word_list, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=8
    )
    # an inflected word whose stem the source has ("afterwards" → "after", "versioning")
    for k in range(len(word) - 1, max(5, len(word) // 2) - 1, -1):
        if word[:k] in vocab.words:
            return word[:k]
    limit = 1 if len(word) <= 5 else 2
    for cand, _score, _i in found:
        if cand[0] == word[0] and OSA.distance(word, cand) <= limit:
            return str(cand)
    return None
