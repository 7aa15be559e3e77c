"""On-disk cache for the knowledge index and the decorator catalog.

Why: the lint CLI loads the decorator catalog on every run and the language server loads the
symbol index on every start; re-parsing ~400 files each time would cost seconds. Entries are
``marshal`` blobs of plain tuples/dicts (fast to load, no code execution on load) keyed by
Metaflow version + source root, and carry the ``(mtime_ns, size)`` of every file they were
built from so an edited checkout invalidates them.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: bump when the layout or the meaning of any cached payload changes (10: entries, 11: verb
#: stems, 12: the catalog's run facts, 13: flow attributes set through the helpers a decorator
#: hands the flow to, 14: run-time click options as cli option entries, 15: effective
#: decorator defaults, 16: the docs' config table read by declarations: keyword defaults,
#: 17: run facts' CLI flags without the value type nothing read)
FORMAT = 17


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``METAFLOW_EXPERT_CACHE``, else ``$XDG_CACHE_HOME/metaflow-expert``, else ``~/.cache/…``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("METAFLOW_EXPERT_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "metaflow-expert"


def cache_file(
    kind: str, version: str, root: Path, cache_dir: str | os.PathLike[str] | None = None
) -> Path:
    """Path of the cache entry ``kind`` for one source tree (version + absolute root)."""
    digest = hashlib.sha1(f"{FORMAT}|{version}|{root.resolve()}".encode()).hexdigest()[:16]
    safe_version = "".join(c if c.isalnum() or c in ".-_" else "_" for c in version) or "unknown"
    return cache_root(cache_dir) / f"{kind}-{safe_version}-{digest}.marshal"


def file_stamp(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def stamps_valid(
    stamps: Mapping[str, Sequence[int]], resolve: Callable[[str], str | os.PathLike[str]]
) -> bool:
    """True when every recorded file still has the same (mtime_ns, size).

    ``resolve`` maps a recorded relative path to an absolute path."""
    for rel, stamp in stamps.items():
        current = file_stamp(resolve(rel))
        if current is None or tuple(stamp) != current:
            return False
    return True


def load(path: Path) -> Any | None:
    """The cached payload, or None when missing or unreadable (a bad cache is just a miss)."""
    # The payload is ~100k small objects: pausing the cyclic GC while they are created avoids
    # repeated collections over them (they hold no cycles), a large part of a warm load.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, "rb") as fh:
            data = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    finally:
        if was_enabled:
            gc.enable()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def save(path: Path, payload: Mapping[str, object]) -> None:
    """Write atomically (temp file + rename); failures are ignored (cache is optional)."""
    payload = dict(payload, format=FORMAT)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            marshal.dump(payload, fh)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass
