"""The agent's tools over the knowledge index: search, read_doc, grep, glob, read_source.

Each tool reads only inside the indexed Metaflow roots (see :mod:`files`), caps what it
returns, and answers a refused or failed call with an error the model can act on instead of
raising. Source passages come back as ``search_result`` blocks with citations enabled, whose
``source`` is the ``path:start-end`` they show, so the model's citations map to real lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metaflow_expert.agent.files import (
    MAX_FILE_BYTES,
    PathRefused,
    SourceFiles,
    match_glob,
    source_files,
)
from metaflow_expert.agent.regex_guard import UnsafePattern, check_pattern
from metaflow_expert.knowledge.entries import ENTRY_KINDS

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex
    from metaflow_expert.knowledge.search import SearchHit

MAX_READ_LINES = 300
MAX_READ_BYTES = 32_000
MAX_SEARCH_K = 12
MAX_GLOB_RESULTS = 200
MAX_GREP_MATCHES = 100
MAX_GREP_FILES = 5_000
GREP_TIMEOUT_S = 5.0
MAX_LINE_CHARS = 1_000
MAX_DOC_CHARS = 24_000
_WORKER = Path(__file__).with_name("_grep_worker.py")

TOOL_SPECS: list[dict[str, Any]] = [
    {
        "name": "search",
        "description": "Ranked search over the indexed Metaflow source and knowledge docs: symbols, docstrings, code, and entries for error messages, CLI options and commands, config variables (METAFLOW_*) and environment variables. Each result's title starts with its kind ('error message: …', 'cli option: …', 'config: …', 'class: …'); an entry's first line states its facts (default, help, the condition that raises, where a config is read). Paste an error message as the query to find the line that raises it. Returns passages with path and line numbers. Start here after reading the docs.",
        "input_schema": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "keywords or an identifier"},
                "k": {
                    "type": "integer",
                    "description": f"number of results (1-{MAX_SEARCH_K})",
                    "default": 6,
                },
            },
            "required": ["query"],
        },
    },
    {
        "name": "read_doc",
        "description": "Read a generated knowledge doc (repository summary, code structure, APIs, decorators…) or one section of it. Call with no name to list the docs.",
        "input_schema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "doc name; empty to list"},
                "section": {
                    "type": "string",
                    "description": "heading text to read only that section",
                },
            },
        },
    },
    {
        "name": "grep",
        "description": f"Regex search (Python syntax) over the indexed source files, line by line. At most {MAX_GREP_MATCHES} matches; nested quantifiers are refused.",
        "input_schema": {
            "type": "object",
            "properties": {
                "pattern": {"type": "string"},
                "path_glob": {
                    "type": "string",
                    "description": "limit to files matching this glob, e.g. metaflow/plugins/**/*.py",
                    "default": "**/*.py",
                },
                "ignore_case": {"type": "boolean", "default": False},
            },
            "required": ["pattern"],
        },
    },
    {
        "name": "glob",
        "description": f"List indexed files matching a glob relative to the Metaflow root (e.g. metaflow/plugins/aws/**/*.py). At most {MAX_GLOB_RESULTS} paths.",
        "input_schema": {
            "type": "object",
            "properties": {"pattern": {"type": "string"}},
            "required": ["pattern"],
        },
    },
    {
        "name": "read_source",
        "description": f"Read numbered lines of an indexed source file (path relative to the Metaflow root, e.g. metaflow/flowspec.py). At most {MAX_READ_LINES} lines per call.",
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "start": {"type": "integer", "default": 1},
                "end": {"type": "integer", "description": "last line (inclusive)"},
            },
            "required": ["path"],
        },
    },
]


@dataclass
class ToolOutput:
    """What a tool call returns: content blocks for the ``tool_result`` and a log line."""

    content: list[dict[str, Any]]
    is_error: bool = False
    summary: str = ""
    sources: list[str] = field(default_factory=list)


def _text(text: str, *, error: bool = False, summary: str = "") -> ToolOutput:
    return ToolOutput(
        [{"type": "text", "text": text}], is_error=error, summary=summary or text[:80]
    )


def _search_result(source: str, title: str, text: str) -> dict[str, Any]:
    return {
        "type": "search_result",
        "source": source,
        "title": title or source,
        "content": [{"type": "text", "text": text or "(empty)"}],
        "citations": {"enabled": True},
    }


class Toolbox:
    """Runs tool calls against one :class:`KnowledgeIndex`."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self.grep_timeout = GREP_TIMEOUT_S
        self._files: SourceFiles | None = None
        self._lines: OrderedDict[str, list[str]] = OrderedDict()
        self._lock = threading.Lock()  # the language server asks from several threads

    @property
    def files(self) -> SourceFiles:
        if self._files is None:
            self._files = source_files(self.index)
        return self._files

    # -- shared helpers -------------------------------------------------------------------
    def lines(self, rel: str) -> list[str]:
        """The lines of an indexed file (cached); raises :class:`PathRefused`."""
        with self._lock:
            cached = self._lines.get(rel)
            if cached is not None:
                self._lines.move_to_end(rel)
                return cached
        docs = self.index.docs
        if rel in docs:
            return docs[rel].splitlines()
        extra = self.index.extra_doc_files
        path = extra[rel] if rel in extra else self.files.resolve(rel, self.index)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise PathRefused(f"file too large to read: {rel}")
        data = path.read_text(encoding="utf-8", errors="replace").splitlines()
        with self._lock:
            self._lines[rel] = data
            if len(self._lines) > 64:
                self._lines.popitem(last=False)
        return data

    def numbered(self, rel: str, start: int, end: int) -> tuple[str, int, int]:
        lines = self.lines(rel)
        start = max(1, start)
        end = min(len(lines), max(start, end))
        out: list[str] = []
        size = 0
        for no in range(start, end + 1):
            row = f"{no:>5}  {lines[no - 1][:MAX_LINE_CHARS]}"
            size += len(row) + 1
            if size > MAX_READ_BYTES:
                end = no - 1
                break
            out.append(row)
        return "\n".join(out), start, end

    # -- dispatch -------------------------------------------------------------------------
    def handler(self, name: str) -> Callable[..., ToolOutput] | None:
        """The method behind each tool of :data:`TOOL_SPECS`, spelled out: a name the model
        sends can only reach these five, never another attribute of the toolbox."""
        table: dict[str, Callable[..., ToolOutput]] = {
            "search": self.tool_search,
            "read_doc": self.tool_read_doc,
            "grep": self.tool_grep,
            "glob": self.tool_glob,
            "read_source": self.tool_read_source,
        }
        return table.get(name)

    def run(self, name: str, args: dict[str, Any] | None) -> ToolOutput:
        args = args if isinstance(args, dict) else {}
        handler = self.handler(name)
        if handler is None:
            return _text(f"unknown tool {name!r}", error=True)
        try:
            return handler(**{k: v for k, v in args.items() if isinstance(k, str)})
        except PathRefused as exc:
            return _text(f"refused: {exc}", error=True)
        except UnsafePattern as exc:
            return _text(f"refused: {exc}", error=True)
        except TypeError as exc:
            return _text(f"bad arguments for {name}: {exc}", error=True)
        except Exception as exc:  # a tool must never take the loop down
            return _text(f"{name} failed: {type(exc).__name__}: {exc}", error=True)

    # -- tools ----------------------------------------------------------------------------
    def tool_search(self, query: str = "", k: int = 6) -> ToolOutput:
        query = str(query or "").strip()[:400]
        if not query:
            return _text("search needs a query", error=True)
        k = max(1, min(int(k or 6), MAX_SEARCH_K))
        hits = self.index.search(query, k=k)
        blocks: list[dict[str, Any]] = []
        sources: list[str] = []
        for hit in hits:
            block = self.hit_block(hit)
            if block is not None:
                blocks.append(block)
                sources.append(block["source"])
        if not blocks:
            return _text(
                f"no results for {query!r} in Metaflow {self.index.version}",
                summary=f"search {query!r}: 0",
            )
        return ToolOutput(blocks, summary=f"search {query!r}: {len(blocks)} hits", sources=sources)

    def hit_block(self, hit: SearchHit) -> dict[str, Any] | None:
        """One search result; its title names the hit's kind, and an entry (an error message,
        a CLI option, a config variable…) leads with the facts its snippet states."""
        path = hit.path
        line = hit.line
        end = hit.end_line or line
        title = f"{hit.kind}: {hit.symbol or path}" if hit.kind else hit.symbol or path
        facts = f"{hit.snippet}\n\n" if hit.kind in ENTRY_KINDS and hit.snippet else ""
        docs = self.index.docs
        if path in docs:
            text = _numbered_text(
                docs[path].splitlines(), line or 1, min(end or line, (line or 1) + 40)
            )
            return _search_result(f"{path}:{line}", f"knowledge doc {path}: {title}", text)
        try:
            end = min(end, line + 40) if end >= line else line + 20
            text, s, e = self.numbered(path, line or 1, end)
        except PathRefused:
            snippet = hit.snippet
            if not snippet:
                return None
            return _search_result(f"{path}:{line}", title, snippet[:4000])
        return _search_result(f"{path}:{s}-{e}", title, facts + text)

    def tool_read_doc(self, name: str = "", section: str | None = None) -> ToolOutput:
        docs = self.index.docs
        name = str(name or "").strip()
        if not name:
            listing = "\n".join(f"- {n}: {_first_heading(t)}" for n, t in sorted(docs.items()))
            return _text(
                f"Knowledge docs for Metaflow {self.index.version}:\n{listing}", summary="list docs"
            )
        key = _match_doc(docs, name)
        if key is None:
            return _text(f"no doc named {name!r}; available: {', '.join(sorted(docs))}", error=True)
        lines = docs[key].splitlines()
        start, end = 1, len(lines)
        if section:
            found = _section_range(lines, str(section))
            if found is None:
                heads = [ln.strip() for ln in lines if ln.startswith("#")][:60]
                return _text(
                    f"no section {section!r} in {key}; headings:\n" + "\n".join(heads), error=True
                )
            start, end = found
        text = _numbered_text(lines, start, end, max_chars=MAX_DOC_CHARS)
        shown_end = start + text.count("\n")
        return ToolOutput(
            [_search_result(f"{key}:{start}-{shown_end}", f"knowledge doc {key}", text)],
            summary=f"read_doc {key} {section or ''}".strip(),
            sources=[f"{key}:{start}-{shown_end}"],
        )

    def tool_glob(self, pattern: str = "**/*") -> ToolOutput:
        found = match_glob(self.files.files, str(pattern or "**/*"))
        more = len(found) - MAX_GLOB_RESULTS
        body = "\n".join(found[:MAX_GLOB_RESULTS])
        if more > 0:
            body += f"\n… {more} more (narrow the pattern)"
        return _text(
            body or f"no files match {pattern!r}", summary=f"glob {pattern!r}: {len(found)}"
        )

    def tool_grep(
        self, pattern: str = "", path_glob: str = "**/*.py", ignore_case: bool = False
    ) -> ToolOutput:
        pattern = str(pattern or "")
        if not pattern:
            return _text("grep needs a pattern", error=True)
        check_pattern(pattern)
        files = match_glob(self.files.files, str(path_glob or "**/*.py"))[:MAX_GREP_FILES]
        if not files:
            return _text(f"no files match {path_glob!r}", error=True)
        request = {
            "root": str(self.files.root),
            "files": files,
            "pattern": pattern,
            "ignore_case": bool(ignore_case),
            "max_matches": MAX_GREP_MATCHES,
            "max_line_chars": MAX_LINE_CHARS,
            "max_file_bytes": MAX_FILE_BYTES,
        }
        try:
            proc = subprocess.run(
                [sys.executable, "-I", "-S", str(_WORKER)],
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=self.grep_timeout,
            )
        except subprocess.TimeoutExpired:
            return _text(
                f"refused: regex took longer than {self.grep_timeout:g} s and was stopped; simplify it",
                error=True,
            )
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
            return _text(f"grep failed: {last}", error=True)
        result = json.loads(proc.stdout)
        rows = [f"{p}:{n}: {t.strip()}" for p, n, t in result["matches"]]
        if result.get("truncated"):
            rows.append(
                f"… stopped at {MAX_GREP_MATCHES} matches (narrow the pattern or path_glob)"
            )
        return _text(
            "\n".join(rows) or f"no matches for {pattern!r}",
            summary=f"grep {pattern!r}: {len(result['matches'])}",
        )

    def tool_read_source(
        self, path: str = "", start: int = 1, end: int | None = None
    ) -> ToolOutput:
        path = str(path or "")
        start = int(start or 1)
        end = int(end) if end else start + 120
        if end - start + 1 > MAX_READ_LINES:
            end = start + MAX_READ_LINES - 1
        total = len(self.lines(path))
        if start > total:
            return _text(f"{path} has only {total} lines", error=True)
        text, s, e = self.numbered(path, start, end)
        src = f"{path}:{s}-{e}"
        return ToolOutput(
            [_search_result(src, f"{path} lines {s}-{e} of {total}", text)],
            summary=f"read {src}",
            sources=[src],
        )


def _numbered_text(lines: list[str], start: int, end: int, max_chars: int = MAX_READ_BYTES) -> str:
    out: list[str] = []
    size = 0
    for no in range(max(1, start), min(len(lines), end) + 1):
        row = f"{no:>5}  {lines[no - 1][:MAX_LINE_CHARS]}"
        size += len(row) + 1
        if size > max_chars:
            break
        out.append(row)
    return "\n".join(out)


def _first_heading(text: str) -> str:
    for ln in text.splitlines():
        if ln.startswith("#"):
            return ln.lstrip("# ").strip()
    return ""


def _match_doc(docs: dict[str, str], name: str) -> str | None:
    if name in docs:
        return name
    low = name.lower().removesuffix(".md")
    for key in docs:
        if key.lower().removesuffix(".md") == low:
            return key
    for key in docs:
        if low in key.lower():
            return key
    return None


def _section_range(lines: list[str], section: str) -> tuple[int, int] | None:
    want = section.lower().lstrip("# ").strip()
    for i, ln in enumerate(lines):
        if ln.startswith("#") and want in ln.lower():
            level = len(ln) - len(ln.lstrip("#"))
            for j in range(i + 1, len(lines)):
                nxt = lines[j]
                if nxt.startswith("#") and len(nxt) - len(nxt.lstrip("#")) <= level:
                    return i + 1, j
            return i + 1, len(lines)
    return None
