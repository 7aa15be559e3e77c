"""Linting many files: finding them, reading them safely, and using both cores.

Why a module of its own: the CLI, the pre-commit hook and the benchmark all lint lists of
paths, and each needs the same guarantees — hidden folders, virtualenvs and ``node_modules``
are skipped, a file that cannot be read or is not UTF-8 becomes a one-line error while the
others are still checked, files without a flow are skipped quietly, and a large batch runs in
a process pool (forked, so the rules and the decorator catalog are loaded once).

It must also fail safely: a FIFO or a device is never opened for reading (``/dev/zero`` would
grow without end, a FIFO would block forever), the pool never has more workers than files or
cores, and a worker never outlives its parent, even one killed with SIGKILL.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from metaflow_expert.model import Finding
from metaflow_expert.safe_read import file_kind, read_regular_file

if TYPE_CHECKING:  # passed through to the engine: importing them here would cost every CLI run
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.lint.config import LintSettings

SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})
# Below this many files a pool costs more (fork + result pickling) than it saves.
PARALLEL_THRESHOLD = 24


@dataclass
class FileResult:
    """What linting one file gave: findings, or an error message (``path: why``)."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    has_flows: bool = False


def _skip_dir(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    # any virtualenv, whatever its name
    return os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))


def _walk(root: str) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if not _skip_dir(entry):
                    yield from _walk(entry.path)
            elif entry.name.endswith(".py") and entry.is_file():
                yield entry.path
        except OSError:
            continue


def discover(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Expand files and directories (recursively, ``*.py``) into a de-duplicated file list.
    Explicitly named files are kept whatever their suffix, but only regular files: a FIFO or a
    device named on the command line is an error (the walk skips them like any non-file).
    Returns ``(files, errors)``."""
    files: list[str] = []
    errors: list[str] = []
    seen: set[str] = set()
    for raw in paths:
        try:
            mode = os.stat(raw).st_mode
        except OSError as exc:
            missing = exc.errno in (errno.ENOENT, errno.ENOTDIR)
            why = "no such file or directory" if missing else f"cannot read ({exc.strerror})"
            errors.append(f"{raw}: {why}")
            continue
        if stat.S_ISDIR(mode):
            found: Iterable[str] = _walk(raw)
        elif stat.S_ISREG(mode):
            found = [raw]
        else:
            errors.append(f"{raw}: {file_kind(mode)}, not a regular file; not read")
            continue
        for path in found:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                files.append(os.path.normpath(path))
    return files, errors


def read_source(path: str) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, "path: one-line reason")``; never raises, never blocks.

    Read by :func:`~metaflow_expert.safe_read.read_regular_file`: a path that became a FIFO
    or a device after :func:`discover` looked at it is refused, not read."""
    data, error = read_regular_file(path)
    if data is None:
        return None, error
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"


def add_cites(findings: Sequence[Finding], catalog: DecoratorCatalog | None) -> list[Finding]:
    """Fill ``cites`` of findings mirroring a ``metaflow/lint.py`` check from the catalog."""
    checks = catalog.lint_checks if catalog is not None else None
    if not checks:
        return list(findings)
    out = []
    for f in findings:
        if f.cites is None and f.mirrors and f.mirrors in checks:
            path, line = checks[f.mirrors]
            f = replace(f, cites=f"{path}:{line}")
        out.append(f)
    return out


def lint_file(
    path: str, settings: LintSettings | None = None, catalog: DecoratorCatalog | None = None
) -> FileResult:
    """Lint one file with the engine; never raises."""
    text, error = read_source(path)
    if text is None:
        return FileResult(path, error=error)
    return lint_text(text, path, settings, catalog)


def lint_text(
    text: str,
    path: str,
    settings: LintSettings | None = None,
    catalog: DecoratorCatalog | None = None,
) -> FileResult:
    """Lint source text (a file's content, or stdin for editors and pipes); never raises."""
    from metaflow_expert.lint.engine import analyze_text

    try:
        analysis = analyze_text(text, path, settings=settings, catalog=catalog)
    except Exception as exc:  # the engine promises not to raise; stay safe anyway
        return FileResult(path, error=f"{path}: internal error ({exc.__class__.__name__}: {exc})")
    if not analysis.file.has_flows:
        return FileResult(path)
    return FileResult(path, add_cites(analysis.findings, catalog), has_flows=True)


@dataclass
class _Worker:
    """What a pool worker lints with, set once by :func:`_init_worker` in each process."""

    settings: LintSettings | None = None
    catalog: DecoratorCatalog | None = None


_WORKER = _Worker()


#: ``prctl`` option: the signal the kernel sends this process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Make this worker die when the linting process does, however it dies.

    A pool worker waits on a pipe whose write end it holds itself (fork copies it), so it never
    sees the parent go: a parent killed with SIGKILL would leave every worker behind. On Linux
    the kernel is asked to send SIGKILL on the parent's death; the pid check covers a parent
    that died before the request was made (the worker then has been re-parented already)."""
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


def _init_worker(
    parent: int, settings: LintSettings | None, catalog: DecoratorCatalog | None
) -> None:
    _die_with_parent(parent)
    _WORKER.settings = settings
    _WORKER.catalog = catalog
    from metaflow_expert.rules import load_all_rules

    load_all_rules()


def _lint_in_worker(path: str) -> FileResult:
    return lint_file(path, _WORKER.settings, _WORKER.catalog)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_jobs() -> int:
    """Cores this process may use, minus those other work keeps busy (like ``make -l``).

    On a shared, saturated machine extra workers only add fork and copy-on-write cost: their
    share of the CPU does not grow, so a busy machine lints serially."""
    cores = usable_cores()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return cores
    return max(1, min(cores, int(cores - load + 1)))


def lint_files(
    files: Sequence[str],
    *,
    settings: LintSettings | None = None,
    catalog: DecoratorCatalog | None = None,
    jobs: int | None = None,
) -> list[FileResult]:
    """Lint ``files`` (results in the same order), in a process pool for large batches.

    ``jobs`` is capped by the cores and the file count: a worker with nothing to do, or one more
    than there are cores, costs a fork and buys nothing (``--jobs 100000`` used to fork 100,000)."""
    wanted = default_jobs() if jobs is None else jobs
    jobs = max(1, min(wanted, usable_cores(), len(files)))
    if jobs == 1 or len(files) < PARALLEL_THRESHOLD:
        from metaflow_expert.rules import load_all_rules

        load_all_rules()
        return [lint_file(p, settings, catalog) for p in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, len(files) // (jobs * 4))
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(os.getpid(), settings, catalog),
    ) as pool:
        return list(pool.map(_lint_in_worker, files, chunksize=chunk))


# --- quick fixes (``lint --fix``): only those lint.fix_check shows to help ---------------


def fix_file(
    path: str,
    findings: Sequence[Finding],
    settings: LintSettings | None = None,
    catalog: DecoratorCatalog | None = None,
) -> tuple[int, str | None]:
    """Apply the fixes of ``findings`` to ``path`` in place (keeping a BOM and the bytes
    outside the edits), each only if :func:`~metaflow_expert.lint.fix_check.verify` shows it
    removes its finding and adds no error with these settings and catalog. Returns
    ``(applied, error)``."""
    if not any(f.fix for f in findings):
        return 0, None
    try:
        data = Path(path).read_bytes()
        bom = data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return 0, f"{path}: cannot fix ({exc.__class__.__name__})"
    from metaflow_expert.lint.fix_check import Target, apply_fixes, verify

    before = list(findings)
    helpful = [
        f
        for f in before
        if f.fix is not None
        and verify(text, path, f.fix, Target.of(f), before, settings=settings, catalog=catalog)
    ]
    new, applied = apply_fixes(text, helpful)
    if applied and new != text:
        try:
            _replace_contents(path, (b"\xef\xbb\xbf" if bom else b"") + new.encode("utf-8"))
        except OSError as exc:
            return 0, f"{path}: cannot write ({exc.strerror or exc.__class__.__name__})"
    return applied, None


def _replace_contents(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    Writing in place would leave a truncated flow behind when the write fails half-way (a full
    disk, a file size limit); the rename is atomic, so the file is either old or new. The mode
    is copied and a symlink is followed, so the link stays a link."""
    import shutil
    import tempfile

    target = os.path.realpath(path)
    fd, tmp = tempfile.mkstemp(prefix=".metaflow-expert-", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
