"""The knowledge index: source + catalog + symbols + generated docs + search, in one object.

Why one object: hovers, the Ask agent and the CLIs all need the same things (where is X, show me
lines N–M, is this citation real) and the same guarantees (paths stay inside the indexed roots;
a citation is checked against the actual file). Everything is built once per Metaflow version and
cached as one ``marshal`` file, so a warm :func:`load_index` is a single load plus file stats.
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from metaflow_expert.knowledge import cache
from metaflow_expert.knowledge.catalog import DecoratorCatalog, load_catalog
from metaflow_expert.knowledge.entries import CONFIG_FUNCS, Entry, build_entries, precedence
from metaflow_expert.knowledge.entry_index import EntryIndex, entry_hit, option_identifiers
from metaflow_expert.knowledge.phrase import is_message_like
from metaflow_expert.knowledge.search import (
    W_CODE,
    W_DOC,
    W_HEADING,
    W_NAME,
    W_PATH,
    W_QUAL,
    SearchDoc,
    SearchHit,
    SearchIndex,
    add_words,
)
from metaflow_expert.knowledge.source import (
    EXT_PACKAGE,
    MetaflowSource,
    is_regular_file,
    locate_source,
)
from metaflow_expert.knowledge.symbols import (
    Symbol,
    SymbolIndex,
    build_symbols,
    iter_source_files,
    listing_unchanged,
)

DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt")
_MAX_CODE_LINES = 250
_MAX_DOC_WORDS = 400
# a pasted message's template goes first when it matches this well (exact matches score > 1)
_PHRASE_FIRST = 0.8


@dataclass
class KnowledgeIndex:
    """What is known about one Metaflow source tree. Paths are citation paths
    (``metaflow/flowspec.py``), knowledge doc names (``summary.md``) or extra-doc paths
    (``<folder>/<file>.md``)."""

    source: MetaflowSource
    catalog: DecoratorCatalog
    symbols: SymbolIndex
    docs: dict[str, str]
    search_index: SearchIndex
    extra_doc_files: dict[str, Path] = field(default_factory=dict)
    #: error messages, CLI options and commands, config and env vars (:mod:`entry_index`)
    entries: EntryIndex = field(default_factory=lambda: EntryIndex(()))
    docs_dir: Path | None = None
    from_cache: bool = False
    build_seconds: float = 0.0
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return self.source.version

    def search(self, query: str, k: int = 10) -> list[SearchHit]:
        """Ranked hits for a question, an identifier or a pasted message (never raises; empty on
        empty query). A message-like query (quoted, a traceback, a sentence that is not a
        question) is first matched as a phrase against every message template: templates that
        match well go first, exact ones first of all; the ranked search fills the rest."""
        if not query or not query.strip():
            return []
        k = max(1, int(k))
        dashed = option_identifiers(query[:1000])
        hits = self.search_index.search(f"{query[:1000]} {dashed}".strip(), k=k)
        if not is_message_like(query):
            return hits
        # scores stay monotonic: a phrase hit outscores every ranked hit after it (offline Ask
        # normalises by the first score and re-sorts)
        top = hits[0].score if hits else 1.0
        first = [
            entry_hit(m.entry, top * (1.0 + m.score))
            for m in self.entries.match_message(query[:4000], k=k)
            if m.score >= _PHRASE_FIRST
        ]
        seen = {(h.path, h.line) for h in first}
        return (first + [h for h in hits if (h.path, h.line) not in seen])[:k]

    def file_ranking(self, query: str) -> list[str]:
        """Source files ranked by the query's words over each whole file (see
        :meth:`SearchIndex.file_ranking`)."""
        if not query or not query.strip():
            return []
        return self.search_index.file_ranking(query[:1000])

    def missing_terms(self, query: str) -> list[str]:
        """Words of ``query`` found nowhere in the indexed source or docs (see
        :meth:`SearchIndex.missing_terms`); the Ask agent uses it to say "not in Metaflow"."""
        out = self.search_index.missing_terms(query or "")
        cat = self.catalog
        top = set(cat.toplevel_names) | set(cat.step) | set(cat.flow) | set(cat.toplevel_plugins)
        for m in re.finditer(r"\bmetaflow((?:\.\w+)+)", query or ""):
            dotted = "metaflow" + m.group(1)
            first = m.group(1).split(".")[1]
            if first in top or dotted in self.symbols.by_qualname:
                continue
            if not any(q.startswith(dotted + ".") for q in self.symbols.by_qualname):
                out.append(dotted)
        return out

    # -- files --------------------------------------------------------------------------------
    def resolve(self, path: str) -> Path | None:
        """The file behind a citation path, only inside the indexed roots (no ``..``, no
        absolute paths, no symlink leading outside); None otherwise."""
        if not path or "\x00" in path or "\\" in path:
            return None
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or path.startswith("~"):
            return None
        if path in self.extra_doc_files:
            return self.extra_doc_files[path]
        if path in self.docs and self.docs_dir is not None:
            p = self.docs_dir / path
            return p if p.is_file() else None
        head = pure.parts[0] if pure.parts else ""
        allowed: list[Path] = []
        if head == "metaflow":
            allowed = [self.source.package_dir]
        elif head == EXT_PACKAGE:
            allowed = list(self.source.extension_roots)
        else:
            return None
        candidate = self.source.absolute(path)
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_file():
            return None
        for root in allowed:
            try:
                real.relative_to(root.resolve())
                return real
            except ValueError:
                continue
        return None

    def lines(self, path: str) -> list[str] | None:
        """All lines of a cited file or knowledge doc (cached), or None if not indexed."""
        if path in self._lines:
            return self._lines[path]
        text: str | None = self.docs.get(path)
        if text is None:
            real = self.resolve(path)
            if real is None:
                return None
            try:
                text = real.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
        lines = text.splitlines()
        self._lines[path] = lines
        return lines

    def read_source(
        self, path: str, start: int = 1, end: int | None = None
    ) -> list[tuple[int, str]]:
        """Numbered lines ``start..end`` (1-based, inclusive, clipped); [] if not indexed."""
        lines = self.lines(path)
        if lines is None:
            return []
        start = max(1, int(start))
        stop = len(lines) if end is None else min(len(lines), int(end))
        return [(n, lines[n - 1]) for n in range(start, stop + 1)]

    def check_citation(
        self, path: str, line: int, end_line: int | None = None, symbol: str | None = None
    ) -> bool:
        """True when ``path`` is indexed, the lines exist, and (if given) the cited lines
        contain ``symbol`` (its last dotted part, without ``@``/``()``)."""
        lines = self.lines(path)
        if lines is None or not isinstance(line, int) or line < 1 or line > len(lines):
            return False
        end = line if end_line is None else end_line
        if end < line or end > len(lines):
            return False
        if symbol:
            name = symbol.strip().strip("`").lstrip("@").split("(")[0].rstrip(".").split(".")[-1]
            if name and not any(name in lines[i - 1] for i in range(line, end + 1)):
                return False
        return True

    def symbol_at(self, path: str, line: int) -> Symbol | None:
        return self.symbols.enclosing(path, line)


# ----------------------------------------------------------------------------------------------
# building


def _extra_doc_files(folders: Iterable[str | os.PathLike[str]]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for f in folders:
        folder = Path(f).expanduser()
        if not folder.is_dir():
            continue
        base = folder.resolve()
        label = folder.resolve().name or "docs"
        if label in ("metaflow", EXT_PACKAGE):
            label = f"extra-{label}"
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                p = Path(dirpath, name)
                if p.suffix.lower() in DOC_SUFFIXES and is_regular_file(p):
                    out[f"{label}/{p.relative_to(base).as_posix()}"] = p
    return out


def markdown_sections(text: str) -> list[tuple[int, int, str, str]]:
    """(start line, end line, heading, body) per heading-delimited section (1-based)."""
    lines = text.splitlines()
    starts = [i for i, ln in enumerate(lines) if ln.startswith("#")]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    out = []
    for j, s in enumerate(starts):
        e = (starts[j + 1] - 1) if j + 1 < len(starts) else len(lines) - 1
        heading = lines[s].lstrip("#").strip() if lines and lines[s].startswith("#") else ""
        body = "\n".join(lines[s + 1 : e + 1]) if heading else "\n".join(lines[s : e + 1])
        if heading or body.strip():
            out.append((s + 1, e + 1, heading, body))
    return out


def _doc_search_docs(name: str, text: str, kind: str) -> list[SearchDoc]:
    out = []
    for start, end, heading, body in markdown_sections(text):
        words: dict[str, float] = {}
        add_words(words, heading, W_HEADING)
        add_words(words, name, W_PATH)
        add_words(words, body, W_DOC)
        if not words:
            continue
        snippet = " ".join(body.split())[:240]
        prior = 1.2 if kind == "extra_doc" else 1.0  # the user's own docs, explicitly added
        out.append(
            SearchDoc(name, start, end, heading or name, kind, snippet, False, words, prior=prior)
        )
    return out


def _symbol_search_docs(
    symbols: SymbolIndex, source: MetaflowSource, catalog: DecoratorCatalog
) -> list[SearchDoc]:
    out: list[SearchDoc] = []
    # public surface: decorator classes (found by their ``@name`` too) and API entry points
    aliases: dict[tuple[str, int], list[str]] = {}
    for spec in catalog.all():
        aliases.setdefault((spec.path, spec.line), []).append(spec.name)
    public = {(a.path, a.line) for a in catalog.api.values()}
    for path in symbols.files:
        syms = symbols.by_path.get(path, [])
        lines: list[str] = []
        if syms and not syms[0].vendored:
            try:
                lines = (
                    source.absolute(path).read_text(encoding="utf-8", errors="replace").splitlines()
                )
            except OSError:
                lines = []
        for s in syms:
            words: dict[str, float] = {}
            parts = s.qualname.split(".")
            if s.kind == "module":
                # a module is found by its path and by what it defines
                add_words(words, path, W_PATH * 2)
                add_words(words, " ".join(t.name for t in syms if t.kind != "module"), W_QUAL)
                ident = parts[-1]
            else:
                add_words(words, s.name, W_NAME)
                add_words(words, " ".join(parts[:-1]), W_QUAL)
                add_words(words, path, W_PATH)
                ident = s.name
            doc_words = " ".join(s.doc.split()[:_MAX_DOC_WORDS])
            add_words(words, doc_words, W_DOC)
            if s.kind in ("constant", "defaults"):
                add_words(words, s.signature, W_DOC)
            if lines and s.kind != "module":
                add_words(words, _comments_above(lines, s.line), W_DOC)
            if lines and s.kind in ("function", "method", "constant", "defaults"):
                body = lines[s.line - 1 : min(s.end_line, s.line + _MAX_CODE_LINES)]
                add_words(words, "\n".join(body), W_CODE)
            first_doc = s.doc.strip().split("\n\n")[0].replace("\n", " ")[:200]
            snippet = (s.signature + (" — " + first_doc if first_doc else "")).strip(" —")
            if s.kind == "module":
                snippet = first_doc or s.qualname
            key = (s.path, s.line)
            prior = 1.0
            if key in aliases or key in public:
                prior = 1.6
            elif s.name.startswith("_"):
                prior = 0.7
            if s.doc and s.kind != "module":
                prior *= 1.15
            out.append(
                SearchDoc(
                    s.path,
                    s.line,
                    s.end_line,
                    s.qualname,
                    s.kind,
                    snippet,
                    s.vendored,
                    words,
                    ident,
                    prior,
                    tuple(aliases.get(key, ())),
                )
            )
    return out


def _comments_above(lines: list[str], line: int, limit: int = 6) -> str:
    """The ``#`` comment block right above a definition (often its only documentation)."""
    out: list[str] = []
    i = line - 2
    while i >= 0 and len(out) < limit:
        text = lines[i].strip()
        if text.startswith("#"):
            out.append(text.lstrip("#"))
        elif not text.startswith("@"):
            break
        i -= 1
    return " ".join(reversed(out))


def _stamps_of(files: dict[str, Path]) -> dict[str, list[int]]:
    out = {}
    for k, p in files.items():
        st = cache.file_stamp(p)
        if st:
            out[k] = list(st)
    return out


def build_index(
    source: MetaflowSource,
    *,
    catalog: DecoratorCatalog | None = None,
    extra_docs: Iterable[str | os.PathLike[str]] = (),
) -> tuple[KnowledgeIndex, dict[str, tuple[int, int]]]:
    """Build everything from source (no cache); also return source file stamps."""
    from metaflow_expert.knowledge.docs import generate_docs

    catalog = catalog or load_catalog(source)
    symbols, stamps = build_symbols(source)
    docs = generate_docs(source, symbols, catalog)
    extra = _extra_doc_files(extra_docs)
    entries = EntryIndex(
        build_entries(iter_source_files(source)), precedence(source.absolute(CONFIG_FUNCS))
    )
    search_docs = _symbol_search_docs(symbols, source, catalog) + entries.search_docs()
    for name, text in docs.items():
        search_docs += _doc_search_docs(name, text, "doc")
    extra_texts: dict[str, str] = {}
    for name, path in extra.items():
        try:
            extra_texts[name] = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        search_docs += _doc_search_docs(name, extra_texts[name], "extra_doc")
    index = KnowledgeIndex(
        source=source,
        catalog=catalog,
        symbols=symbols,
        docs={**docs, **extra_texts},
        search_index=SearchIndex.build(search_docs),
        extra_doc_files=extra,
        entries=entries,
    )
    return index, stamps


def _write_docs(folder: Path, docs: dict[str, str], names: Iterable[str]) -> Path | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            target = folder / name
            text = docs[name]
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
        return folder
    except OSError:
        return None


def load_index(
    source: MetaflowSource | None = None,
    *,
    extra_docs: Iterable[str | os.PathLike[str]] = (),
    cache_dir: str | os.PathLike[str] | None = None,
) -> KnowledgeIndex:
    """The knowledge index of ``source`` (default: :func:`locate_source`), from the disk cache
    when no indexed file or extra doc changed; built (≈ 1–2 s) and cached otherwise."""
    t0 = time.perf_counter()
    source = source or locate_source()
    extra = _extra_doc_files(extra_docs)
    path = cache.cache_file("index", source.version, source.root, cache_dir)
    docs_dir = path.with_suffix("").with_name(path.stem.replace("index-", "docs-", 1))
    catalog = load_catalog(source, cache_dir=cache_dir)
    data = cache.load(path)
    ext = [str(p) for p in source.extension_roots]
    extra_stamps = _stamps_of(extra)
    if (
        data is not None
        and data.get("ext") == ext
        and data.get("extra") == extra_stamps
        and listing_unchanged(source, data["stamps"])
    ):
        try:
            index = KnowledgeIndex(
                source=source,
                catalog=catalog,
                symbols=SymbolIndex(list(map(Symbol._make, data["rows"])), list(data["files"])),
                docs=dict(data["docs"]),
                search_index=SearchIndex.from_payload(data["search"]),
                extra_doc_files=extra,
                entries=EntryIndex(
                    map(Entry._make, data["entries"]),
                    Entry._make(data["precedence"]) if data["precedence"] else None,
                ),
                docs_dir=docs_dir if docs_dir.is_dir() else None,
                from_cache=True,
            )
        except (KeyError, TypeError, ValueError, IndexError):
            index = None  # a cache from another layout: rebuild below
        if index is not None:
            index.build_seconds = time.perf_counter() - t0
            return index
    # building allocates ~1M small acyclic objects: the cyclic GC would rescan them repeatedly
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        index, stamps = build_index(source, catalog=catalog, extra_docs=extra_docs)
    finally:
        if was_enabled:
            gc.enable()
    generated = [n for n in index.docs if n not in extra]
    index.docs_dir = _write_docs(docs_dir, index.docs, generated)
    rows = [tuple(s) for s in index.symbols.symbols]
    cache.save(
        path,
        {
            "rows": rows,
            "files": index.symbols.files,
            "stamps": {k: list(v) for k, v in stamps.items()},
            "ext": ext,
            "extra": extra_stamps,
            "docs": index.docs,
            "search": index.search_index.to_payload(),
            "entries": [tuple(e) for e in index.entries.all],
            "precedence": tuple(index.entries.precedence) if index.entries.precedence else None,
        },
    )
    index.build_seconds = time.perf_counter() - t0
    return index
