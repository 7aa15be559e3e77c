"""Reading a file the user's tree names, without ever blocking and, when asked, within a cap.

Why one reader: the lint CLI reads flow files, MF222 reads a Config's default JSON beside the
flow, and "Run with…" reads Metaflow's own config files (``~/.metaflowconfig/config.json``,
``.metaflow/config.json``). Any of those names may be a FIFO (opening it for reading blocks
until a writer comes, which may be never), a device (``/dev/zero`` never ends) or a file far
larger than its kind ever is, and each reader used to guard against that on its own, or not
at all. Here the file is opened non-blocking and checked on the open descriptor, so a FIFO or
a device swapped in under the name after someone looked at it is refused, not read; and a cap
bounds what is read even when the file grows meanwhile. The callers decode (a flow may start
with a BOM, a JSON file may not) and decide what a refusal means to them.
"""

from __future__ import annotations

import os
import stat

#: what a JSON config file (a Config's default file, Metaflow's config) may weigh: they are a
#: few kB, and the editor re-reads them on every analysis
MAX_CONFIG_BYTES = 1 << 20
_CHUNK = 1 << 16


def file_kind(mode: int) -> str:
    """What a non-regular file is, in the words of ``ls -l``'s users."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _why(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or exc.__class__.__name__


def read_regular_file(
    path: str | os.PathLike[str], max_bytes: int | None = None
) -> tuple[bytes | None, str | None]:
    """``(bytes, None)``, or ``(None, "path: one-line reason")`` for a file that is missing,
    unreadable, not a regular file, or larger than ``max_bytes`` (when given). Never raises,
    never blocks."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return None, f"{path}: cannot read ({_why(exc)})"
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return None, f"{path}: cannot read (Is a directory)"
        if not stat.S_ISREG(info.st_mode):
            return None, f"{path}: {file_kind(info.st_mode)}, not a regular file; not read"
        too_big = f"{path}: larger than {max_bytes} bytes; not read"
        if max_bytes is not None and info.st_size > max_bytes:
            return None, too_big
        chunks: list[bytes] = []
        size = 0
        while True:
            # one read for a file that stays as fstat saw it; a cap reads one byte past itself
            want = (
                max(_CHUNK, info.st_size + 1 - size) if max_bytes is None else max_bytes + 1 - size
            )
            chunk = os.read(fd, want) if want > 0 else b""
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            return None, too_big  # it grew since fstat
        return b"".join(chunks), None
    except OSError as exc:
        return None, f"{path}: cannot read ({_why(exc)})"
    finally:
        os.close(fd)
