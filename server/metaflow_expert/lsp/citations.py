"""``path:line`` citations into the indexed Metaflow source → file URIs and LSP locations.

Why one place: every hover link, related location and definition that points into Metaflow
must resolve inside the indexed roots (``KnowledgeIndex.resolve``) and nowhere else, so a
citation the product shows always opens the file it names.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from metaflow_expert.lsp.server import KnowledgeState


def resolve(knowledge: KnowledgeState, path: str) -> Path | None:
    """Absolute file for a citation path (relative to the Metaflow source root)."""
    index = getattr(knowledge, "index", None)
    if index is not None:
        try:
            found = index.resolve(path)
            if found is not None:
                return Path(found)
        except Exception:
            pass
    source = getattr(knowledge, "source", None)
    roots: list[Path] = []
    if source is not None:
        root = getattr(source, "root", None)
        if root:
            roots.append(Path(root))
        roots.extend(Path(r) for r in (getattr(source, "extension_roots", None) or ()))
    p = Path(path)
    if p.is_absolute():
        return p if p.is_file() and any(_inside(p, r) for r in roots) else None
    for root in roots:
        candidate = root / path
        if candidate.is_file():
            return candidate
    return None


def _inside(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def file_uri(knowledge: KnowledgeState, path: str, line: int | None = None) -> str | None:
    """``file://…/path#L<line>`` (the fragment VS Code and most editors open at)."""
    found = resolve(knowledge, path)
    if found is None:
        return None
    uri = found.as_uri()
    return f"{uri}#L{line}" if line else uri


def location(knowledge: KnowledgeState, path: str, line: int) -> types.Location | None:
    found = resolve(knowledge, path)
    if found is None:
        return None
    pos = types.Position(line=max(line - 1, 0), character=0)
    return types.Location(uri=found.as_uri(), range=types.Range(start=pos, end=pos))


def markdown_link(knowledge: KnowledgeState, path: str, line: int) -> str:
    """``[path:line](file-uri#Lline)``, or the bare citation if it cannot be resolved."""
    text = f"{path}:{line}"
    uri = file_uri(knowledge, path, line)
    return f"[`{text}`]({uri})" if uri else f"`{text}`"
