"""The symbol index: every module, class, function, method, constant and ``defaults`` dict of
the Metaflow source, with its lines, signature and docstring.

Why tree-sitter: it parses ~400 files in a fraction of a second and never fails on a file
Python's ``ast`` would reject (a checkout with newer syntax than the running interpreter).
Vendored code (``metaflow/_vendor``) is indexed too, flagged ``vendored`` so search ranks it low.
Symbols are plain tuples on disk (see :mod:`cache`), keyed by version + root and invalidated by
file stamps, so a warm load is a ``marshal.load``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from metaflow_expert.knowledge import cache
from metaflow_expert.knowledge.source import EXT_PACKAGE, MetaflowSource, is_regular_file

VENDOR_PREFIX = "metaflow/_vendor/"
_SKIP_DIRS = {"__pycache__", ".git", "node_modules"}
_BLOCKS = {
    "if_statement",
    "else_clause",
    "elif_clause",
    "try_statement",
    "except_clause",
    "finally_clause",
    "block",
    "with_statement",
}


class Symbol(NamedTuple):
    """One definition. ``line``/``end_line`` are 1-based and point at the ``def``/``class``
    line itself (after decorators), so ``path:line`` shows the name it cites. (A NamedTuple:
    thousands are rebuilt from the cache on every warm load.)"""

    qualname: str
    kind: str  # module | class | function | method | constant | defaults
    path: str
    line: int
    end_line: int
    signature: str
    doc: str
    vendored: bool = False

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


def iter_source_files(source: MetaflowSource) -> Iterator[tuple[str, Path]]:
    """(citation path, absolute path) of every ``.py`` file under the indexed roots, sorted;
    symlinks are not followed out of a root."""
    for prefix, folder in source.roots():
        if not folder.is_dir():
            continue
        found: list[tuple[str, Path]] = []
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            dirnames[:] = sorted(
                d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")
            )
            for name in filenames:
                if name.endswith(".py"):
                    p = Path(dirpath, name)
                    if not is_regular_file(p):  # symlinks, FIFOs, devices
                        continue
                    found.append((f"{prefix}/{p.relative_to(folder).as_posix()}", p))
        yield from sorted(found)


def module_name(rel: str) -> str:
    mod = rel[:-3] if rel.endswith(".py") else rel
    if mod.endswith("/__init__"):
        mod = mod[: -len("/__init__")]
    return mod.replace("/", ".")


class _Extractor:
    """Walks one tree-sitter tree and collects symbol tuples."""

    def __init__(self, rel: str, data: bytes) -> None:
        self.rel = rel
        self.data = data
        self.vendored = rel.startswith(VENDOR_PREFIX)
        self.out: list[tuple[str, str, str, int, int, str, str, bool]] = []

    def text(self, node: object) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")  # type: ignore[attr-defined]

    def add(self, qual: str, kind: str, node: object, sig: str, doc: str) -> None:
        line = node.start_point[0] + 1  # type: ignore[attr-defined]
        end = node.end_point[0] + 1  # type: ignore[attr-defined]
        self.out.append((qual, kind, self.rel, line, end, sig, doc, self.vendored))

    def docstring(self, body: object | None) -> str:
        if body is None:
            return ""
        for child in body.named_children:  # type: ignore[attr-defined]
            if child.type == "comment":
                continue
            if child.type == "expression_statement" and child.named_child_count == 1:
                s = child.named_children[0]
                if s.type == "string":
                    return _clean_string(self.text(s))
            return ""
        return ""

    def run(self, root: object, n_lines: int) -> None:
        mod = module_name(self.rel)
        self.out.append(
            (mod, "module", self.rel, 1, max(n_lines, 1), "", self.docstring(root), self.vendored)
        )
        self.scope(root, mod, in_class=False)

    def scope(self, node: object, prefix: str, in_class: bool) -> None:
        for child in node.named_children:  # type: ignore[attr-defined]
            t = child.type
            target = child
            if t == "decorated_definition":
                target = child.child_by_field_name("definition") or child
                t = target.type
            if t == "function_definition":
                self.function(target, prefix, in_class)
            elif t == "class_definition":
                self.klass(target, prefix)
            elif t == "expression_statement":
                self.assignment(child, prefix, in_class)
            elif t in _BLOCKS and not in_class:
                self.scope(child, prefix, in_class)

    def function(self, node: object, prefix: str, in_class: bool) -> None:
        name_node = node.child_by_field_name("name")  # type: ignore[attr-defined]
        if name_node is None:
            return
        name = self.text(name_node)
        params = node.child_by_field_name("parameters")  # type: ignore[attr-defined]
        ret = node.child_by_field_name("return_type")  # type: ignore[attr-defined]
        sig = f"def {name}{_squash(self.text(params)) if params else '()'}"
        if ret is not None:
            sig += f" -> {_squash(self.text(ret))}"
        doc = self.docstring(node.child_by_field_name("body"))  # type: ignore[attr-defined]
        self.add(f"{prefix}.{name}", "method" if in_class else "function", node, sig, doc)

    def klass(self, node: object, prefix: str) -> None:
        name_node = node.child_by_field_name("name")  # type: ignore[attr-defined]
        if name_node is None:
            return
        name = self.text(name_node)
        sup = node.child_by_field_name("superclasses")  # type: ignore[attr-defined]
        sig = f"class {name}{_squash(self.text(sup)) if sup else ''}"
        body = node.child_by_field_name("body")  # type: ignore[attr-defined]
        self.add(f"{prefix}.{name}", "class", node, sig, self.docstring(body))
        if body is not None:
            self.scope(body, f"{prefix}.{name}", in_class=True)

    def assignment(self, stmt: object, prefix: str, in_class: bool) -> None:
        if stmt.named_child_count != 1:  # type: ignore[attr-defined]
            return
        a = stmt.named_children[0]  # type: ignore[attr-defined]
        if a.type != "assignment":
            return
        left = a.child_by_field_name("left")
        if left is None or left.type != "identifier":
            return
        name = self.text(left)
        if in_class:
            kind = "defaults" if name == "defaults" else ""
        else:
            kind = "constant" if name.isupper() and len(name) > 1 else ""
        if not kind:
            return
        first = self.text(a).split("\n", 1)[0]
        sig = first if len(first) <= 160 else first[:157] + "..."
        self.add(f"{prefix}.{name}", kind, a, sig, "")


def _squash(s: str) -> str:
    out = " ".join(s.split())
    return out.replace("( ", "(").replace(" )", ")").replace(", )", ")").replace("[ ", "[")


def _clean_string(text: str) -> str:
    i = 0
    while i < len(text) and text[i] in "rRuUbBfF":
        i += 1
    body = text[i:]
    for q in ('"""', "'''", '"', "'"):
        if body.startswith(q) and body.endswith(q) and len(body) >= 2 * len(q):
            body = body[len(q) : -len(q)]
            break
    return inspect.cleandoc(body)


def _parser() -> object:
    import tree_sitter
    import tree_sitter_python

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))


def extract_file(rel: str, data: bytes, parser: object | None = None) -> list[tuple]:
    """Symbol tuples of one file's bytes (never raises on bad syntax)."""
    parser = parser or _parser()
    tree = parser.parse(data)  # type: ignore[attr-defined]
    ex = _Extractor(rel, data)
    ex.run(tree.root_node, data.count(b"\n") + 1)
    return ex.out


@dataclass
class SymbolIndex:
    """All symbols of one source tree; ``by_path`` lists each file's symbols in line order."""

    symbols: list[Symbol]
    files: list[str]

    def __post_init__(self) -> None:
        self._by_path: dict[str, list[Symbol]] | None = None
        self._by_qualname: dict[str, Symbol] | None = None

    @property
    def by_path(self) -> dict[str, list[Symbol]]:
        if self._by_path is None:
            self._by_path = {}
            for s in self.symbols:
                self._by_path.setdefault(s.path, []).append(s)
        return self._by_path

    @property
    def by_qualname(self) -> dict[str, Symbol]:
        if self._by_qualname is None:
            self._by_qualname = {}
            for s in self.symbols:
                self._by_qualname.setdefault(s.qualname, s)
        return self._by_qualname

    def __len__(self) -> int:
        return len(self.symbols)

    def find(self, name: str) -> list[Symbol]:
        """Symbols whose qualname is ``name`` or ends with ``.name`` (core code first)."""
        hits = [s for s in self.symbols if s.qualname == name or s.qualname.endswith("." + name)]
        return sorted(hits, key=lambda s: (s.vendored, len(s.qualname)))

    def enclosing(self, path: str, line: int) -> Symbol | None:
        """The innermost symbol of ``path`` whose lines contain ``line``."""
        best = None
        for s in self.by_path.get(path, []):
            if s.line <= line <= s.end_line and (best is None or s.line >= best.line):
                best = s
        return best


def build_symbols(source: MetaflowSource) -> tuple[SymbolIndex, dict[str, tuple[int, int]]]:
    parser = _parser()
    rows: list[tuple] = []
    stamps: dict[str, tuple[int, int]] = {}
    files: list[str] = []
    for rel, path in iter_source_files(source):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        stamp = cache.file_stamp(path)
        if stamp:
            stamps[rel] = stamp
        files.append(rel)
        rows.extend(extract_file(rel, data, parser))
    return SymbolIndex([Symbol(*r) for r in rows], files), stamps


def load_symbols(
    source: MetaflowSource, cache_dir: str | os.PathLike[str] | None = None
) -> tuple[SymbolIndex, bool]:
    """The symbol index (from cache when every file is unchanged); second value: cache hit."""
    path = cache.cache_file("symbols", source.version, source.root, cache_dir)
    data = cache.load(path)
    ext = [str(p) for p in source.extension_roots]
    if data is not None and data.get("ext") == ext and listing_unchanged(source, data["stamps"]):
        return SymbolIndex(list(map(Symbol._make, data["rows"])), list(data["files"])), True
    index, stamps = build_symbols(source)
    rows = [
        (s.qualname, s.kind, s.path, s.line, s.end_line, s.signature, s.doc, s.vendored)
        for s in index.symbols
    ]
    cache.save(
        path,
        {
            "rows": rows,
            "files": index.files,
            "stamps": {k: list(v) for k, v in stamps.items()},
            "ext": ext,
        },
    )
    return index, False


def listing_unchanged(source: MetaflowSource, stamps: dict[str, list[int]]) -> bool:
    """Whether a cache built from the ``.py`` files with these ``stamps`` still describes
    ``source``: every stamped file unchanged, and no ``.py`` file added or removed.

    Both caches of the source listing (the symbols and the knowledge index) ask this: stamps
    alone miss a new file, and directory mtimes are not reliable enough to catch one, so the
    ``.py`` files are counted too."""
    if not cache.stamps_valid(stamps, source.file_of):
        return False
    return _count_py(source) == len(stamps)


def _count_py(source: MetaflowSource) -> int:
    n = 0
    for _prefix, folder in source.roots():
        for _dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
            n += sum(
                1 for f in filenames if f.endswith(".py") and is_regular_file(Path(_dirpath, f))
            )
    return n


__all__ = [
    "EXT_PACKAGE",
    "Symbol",
    "SymbolIndex",
    "build_symbols",
    "listing_unchanged",
    "load_symbols",
]
