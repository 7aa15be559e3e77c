"""Finding the Metaflow source tree to index, without importing Metaflow.

Why: every fact the product states about Metaflow (decorator names, defaults, line numbers) is
read from the Metaflow *in use* — the user's interpreter or checkout — so answers match their
version. Importing ``metaflow`` would be slow and could run extension code, so we only locate
the package folder (``importlib.util.find_spec``) and read ``metaflow/version.py`` as text.

Order: an explicit path, then the interpreter given (a subprocess with a timeout), then the
Metaflow installed beside this package. Citations are paths relative to ``MetaflowSource.root``
(the folder containing ``metaflow/``); files of ``metaflow_extensions`` packages are cited as
``metaflow_extensions/…`` and resolved through ``extension_roots``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Origin = Literal["explicit", "interpreter", "bundled"]
EXT_PACKAGE = "metaflow_extensions"
_FIND_SCRIPT = (
    "import importlib.util, json\n"
    "def locs(name):\n"
    "    try:\n"
    "        s = importlib.util.find_spec(name)\n"
    "    except Exception:\n"
    "        return None\n"
    "    return list(s.submodule_search_locations or []) if s else None\n"
    "print(json.dumps({'metaflow': locs('metaflow'), 'ext': locs('metaflow_extensions')}))\n"
)
_VERSION_RE = re.compile(r"""metaflow_version\s*=\s*['"]([^'"]+)['"]""")


class SourceNotFound(Exception):
    """No Metaflow source could be found; the message names every place that was tried."""


@dataclass(frozen=True)
class MetaflowSource:
    """A located Metaflow source tree.

    ``root`` contains the ``metaflow/`` package; ``extension_roots`` are ``metaflow_extensions``
    folders; ``notes`` say which earlier candidates were skipped and why."""

    root: Path
    version: str
    origin: Origin
    extension_roots: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def package_dir(self) -> Path:
        return self.root / "metaflow"

    def roots(self) -> list[tuple[str, Path]]:
        """(citation prefix, folder) pairs of everything indexed."""
        out = [("metaflow", self.package_dir)]
        out += [(EXT_PACKAGE, r) for r in self.extension_roots]
        return out

    def absolute(self, rel: str) -> Path:
        """The file a citation path names (no validation; see ``KnowledgeIndex.resolve``)."""
        if rel.startswith(EXT_PACKAGE + "/"):
            tail = rel[len(EXT_PACKAGE) + 1 :]
            for r in self.extension_roots:
                cand = r / tail
                if cand.exists():
                    return cand
        return self.root / rel

    def file_of(self, rel: str) -> str:
        """:meth:`absolute` as a string: cache checks stat hundreds of files per load, and
        building a ``Path`` for each costs more than the ``stat`` itself."""
        if rel.startswith(EXT_PACKAGE + "/"):
            return str(self.absolute(rel))
        return os.path.join(self.root, rel)


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """True for a regular file, not following a symlink. Why: everything read from a source
    root is opened and read to the end; a FIFO named ``x.py`` would block that read forever,
    and ``/dev/zero``-like files behind a link would never end. Indexing reads only these."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def read_version(package_dir: Path) -> str:
    """``metaflow_version`` from ``version.py`` parsed as text ("unknown" if absent)."""
    try:
        text = (package_dir / "version.py").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown"
    m = _VERSION_RE.search(text)
    return m.group(1) if m else "unknown"


def _is_package(d: Path) -> bool:
    return (d / "__init__.py").is_file() and (d / "flowspec.py").is_file()


def _package_from_explicit(p: Path) -> Path | None:
    if _is_package(p / "metaflow"):
        return p / "metaflow"
    if p.name == "metaflow" and _is_package(p):
        return p
    return None


def _ext_roots(paths: list[str] | None) -> tuple[Path, ...]:
    out: list[Path] = []
    for s in paths or []:
        p = Path(s)
        if p.is_dir() and p not in out:
            out.append(p)
    return tuple(out)


def _query_interpreter(python: str, timeout: float = 20.0) -> dict[str, list[str] | None]:
    if os.sep in python:  # a relative path means the caller's cwd, not the root we run in
        python = os.path.abspath(python)
    # Not ``-I``: PYTHONPATH and user site-packages are legitimately where metaflow (or its
    # extensions) may live. Run from the filesystem root so the caller's cwd cannot shadow them.
    proc = subprocess.run(
        [python, "-c", _FIND_SCRIPT],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=os.path.abspath(os.sep),
        env={k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"},
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        raise RuntimeError(last)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _make(pkg: Path, origin: Origin, ext: tuple[Path, ...], notes: list[str]) -> MetaflowSource:
    pkg = pkg.resolve()
    return MetaflowSource(pkg.parent, read_version(pkg), origin, ext, tuple(notes))


def locate_source(
    explicit: str | os.PathLike[str] | None = None, python: str | None = None
) -> MetaflowSource:
    """Locate the Metaflow source: ``explicit`` path, then ``python``'s, then the bundled one.

    ``explicit`` may be a git checkout of the Metaflow repository, a site-packages folder (the
    folder containing ``metaflow/``) or the ``metaflow/`` package folder itself. Candidates that
    fail are recorded in ``notes``; when all fail, :class:`SourceNotFound` names each attempt."""
    tried: list[str] = []
    if explicit:
        p = Path(explicit).expanduser()
        pkg = _package_from_explicit(p)
        if pkg is not None:
            ext_dir = pkg.parent / EXT_PACKAGE
            ext = (ext_dir,) if ext_dir.is_dir() else ()
            return _make(pkg, "explicit", ext, tried)
        tried.append(f"explicit path {p} (no metaflow/ package with flowspec.py there)")
    if python:
        try:
            found = _query_interpreter(python)
            locs = found.get("metaflow") or []
            pkg = next((Path(x) for x in locs if _is_package(Path(x))), None)
            if pkg is not None:
                return _make(pkg, "interpreter", _ext_roots(found.get("ext")), tried)
            tried.append(f"interpreter {python} (metaflow is not installed there)")
        except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
            tried.append(f"interpreter {python} ({type(exc).__name__}: {exc})")
    try:
        spec = importlib.util.find_spec("metaflow")
    except (ImportError, ValueError):
        spec = None
    locs = list(spec.submodule_search_locations or []) if spec else []
    pkg = next((Path(x) for x in locs if _is_package(Path(x))), None)
    if pkg is not None:
        try:
            ext_spec = importlib.util.find_spec(EXT_PACKAGE)
        except (ImportError, ValueError):
            ext_spec = None
        ext_locs = list(ext_spec.submodule_search_locations or []) if ext_spec else []
        return _make(pkg, "bundled", _ext_roots(ext_locs), tried)
    tried.append("the metaflow installed beside metaflow-expert (not found)")
    raise SourceNotFound("Metaflow source not found; tried: " + "; ".join(tried))
