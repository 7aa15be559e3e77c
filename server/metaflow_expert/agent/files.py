"""The files the agent's tools may touch: the indexed Metaflow roots, and nothing else.

Every path a model sends is relative to the indexed root (the folder holding ``metaflow/``).
It is refused when absolute, when it contains ``..``, when it resolves (symlinks followed)
outside the indexed package folders, or when the index itself does not know it. The inventory
is walked once per root without following symlinks, with caps, so ``glob("**/*")`` and ``grep``
stay bounded.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex

TEXT_SUFFIXES = frozenset(
    {
        ".py",
        ".md",
        ".txt",
        ".rst",
        ".cfg",
        ".toml",
        ".json",
        ".yaml",
        ".yml",
        ".ini",
        ".sh",
        ".R",
        ".r",
    }
)
MAX_FILES = 20_000
MAX_FILE_BYTES = 2_000_000


class PathRefused(ValueError):
    """A path outside the indexed roots (or malformed); the message is shown to the model."""


@dataclass(frozen=True)
class SourceFiles:
    """The indexed root and the package folders under it that tools may read."""

    root: Path
    allowed: tuple[Path, ...]
    files: tuple[str, ...]  # posix paths relative to root, sorted

    def resolve(self, rel: str, index: KnowledgeIndex | None = None) -> Path:
        """``rel`` → an existing file inside the allowed folders, or :class:`PathRefused`.
        With ``index``, the file must also be one the index knows (its own path checks)."""
        rel = (rel or "").strip().replace("\\", "/")
        if not rel:
            raise PathRefused("empty path")
        if "\x00" in rel:
            raise PathRefused("invalid path")
        pure = PurePosixPath(rel)
        if pure.is_absolute() or re.match(r"^[A-Za-z]:", rel) or rel.startswith("~"):
            raise PathRefused(
                f"absolute paths are refused: use a path relative to the Metaflow root, e.g. metaflow/flowspec.py (got {rel!r})"
            )
        if any(part == ".." for part in pure.parts):
            raise PathRefused(f"'..' is refused in paths (got {rel!r})")
        candidate = self.root.joinpath(*pure.parts)
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            raise PathRefused(f"no such file in the indexed source: {rel}")
        if not any(_is_within(real, a) for a in self.allowed):
            raise PathRefused(f"outside the indexed Metaflow source: {rel}")
        if not real.is_file():
            raise PathRefused(f"not a file: {rel}")
        if index is not None:
            try:
                known = index.resolve(rel)
            except OSError:  # a file that vanished or a name the OS rejects: not readable
                known = None
            if known is None:
                raise PathRefused(f"not in the index: {rel}")
        return real


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


_CACHE: dict[tuple[str, tuple[str, ...]], SourceFiles] = {}
_LOCK = threading.Lock()


def source_files(index: KnowledgeIndex) -> SourceFiles:
    """The (cached) inventory for an index: ``root/metaflow`` plus any extension roots."""
    root = index.source.root.resolve()
    allowed = [root / "metaflow"]
    for ext in index.source.extension_roots:
        allowed.append(ext.resolve())
    key = (str(root), tuple(str(a) for a in allowed))
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    from metaflow_expert.knowledge.source import is_regular_file

    files: list[str] = []
    for folder in allowed:
        if not folder.is_dir() or not _is_within(folder, root):
            continue
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            dirnames[:] = sorted(
                d for d in dirnames if d != "__pycache__" and not d.startswith(".")
            )
            for name in sorted(filenames):
                p = Path(dirpath, name)
                if p.suffix not in TEXT_SUFFIXES or not is_regular_file(p):
                    continue
                files.append(p.relative_to(root).as_posix())
                if len(files) >= MAX_FILES:
                    break
    result = SourceFiles(root=root, allowed=tuple(allowed), files=tuple(sorted(set(files))))
    with _LOCK:
        _CACHE[key] = result
    return result


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a shell glob (``**`` crosses folders, ``*`` and ``?`` do not) to a regex."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def match_glob(files: tuple[str, ...], pattern: str) -> list[str]:
    """Files matching ``pattern``; a pattern without ``/`` matches base names anywhere."""
    pattern = (pattern or "**/*").strip().replace("\\", "/")
    if (
        ".." in PurePosixPath(pattern).parts
        or pattern.startswith(("/", "~"))
        or re.match(r"^[A-Za-z]:", pattern)
    ):
        raise PathRefused("glob patterns are relative to the Metaflow root and may not use '..'")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern or "**/*"
    rx = glob_to_regex(pattern)
    if "/" not in pattern:
        return [f for f in files if rx.match(f.rsplit("/", 1)[-1])]
    return [f for f in files if rx.match(f)]
