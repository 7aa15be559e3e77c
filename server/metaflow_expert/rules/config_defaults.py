"""A ``Config``'s default value, when the flow file alone decides it (for MF222).

What Metaflow does (``metaflow/user_configs/config_parameters.py``, ``config_options.py``):
without ``--config``/``--config-value``, a Config's value is its ``default`` file's text (opened
with ``open(path)``, from the working directory) or its ``default_value`` (a dict is dumped to
JSON); that text goes to the Config's ``parser`` or, without one, to ``json.loads``, and a dict
becomes a ``ConfigValue`` (nested dicts too). So the value is known here when the default is a
literal dict or JSON string, or a literal path to a JSON object file beside the flow (where
``python flow.py run`` is usually started); a Config with a ``parser``, ``plain=True``, a
computed default, arguments given by position, or a default file that is missing, unreadable
or not a JSON object is left alone: its keys are unknown, not wrong.

The file is read on every analysis (no cache: the editor must see it as it is now), and only
a regular file of at most :data:`MAX_DEFAULT_BYTES`.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import NamedTuple

from metaflow_expert.model import ParameterDecl

#: a default file larger than this is not read (a config is a few kB; the editor re-reads
#: it on every analysis)
MAX_DEFAULT_BYTES = 1 << 20


class ConfigDefault(NamedTuple):
    """A Config whose default value is known from the file: its attribute and name, the
    value, and where it comes from (for messages)."""

    decl: ParameterDecl
    value: dict[str, object]
    origin: str


def _json_object(text: str) -> dict[str, object] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def read_default_file(path: Path) -> str | None:
    """The text of a Config's default file: a regular file of at most
    :data:`MAX_DEFAULT_BYTES`, read fresh (the editor sees the file as it is now); None for
    anything else. Opened without blocking and checked on the open descriptor, so a FIFO or
    a device swapped in under the name is never read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_DEFAULT_BYTES:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_DEFAULT_BYTES:
            chunk = os.read(fd, MAX_DEFAULT_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_DEFAULT_BYTES:
            return None  # it grew since fstat
        return b"".join(chunks).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        os.close(fd)


def static_default(
    decl: ParameterDecl, flow_path: str, side_files: set[str] | None = None
) -> ConfigDefault | None:
    """``decl``'s default value when the file alone decides it (see the module docstring);
    ``flow_path`` locates a relative default file (Metaflow opens it from the working
    directory: the flow's folder, where ``python flow.py run`` is usually started). The
    default file's path goes into ``side_files`` (the analysis' ``FileFacts.side_files``)
    whether or not it can be read: its appearing, changing or going away changes the
    answer, and the editor watches it for that."""
    if decl.kind != "Config" or any(a.star for a in decl.args):
        return None
    if sum(a.name is None for a in decl.args) > 1:
        return None  # arguments after the name given by position: left alone, not guessed
    parser = decl.kwarg("parser")
    if parser is not None and not (parser.is_literal and parser.value is None):
        return None  # a custom parser: the value is whatever it returns
    plain = decl.kwarg("plain")
    if plain is not None and not (plain.is_literal and not plain.value):
        return None  # plain=True: not a ConfigValue, any object
    default, default_value = decl.kwarg("default"), decl.kwarg("default_value")
    if default is not None and default_value is not None:
        return None  # MF311 says so; Metaflow refuses the Config
    if default_value is not None:
        value = default_value.value
        if isinstance(value, dict):
            try:  # what Metaflow does with it: JSON and back (keys become strings)
                loaded = _json_object(json.dumps(value))
            except (TypeError, ValueError):
                return None
        elif isinstance(value, str):
            loaded = _json_object(value)
        else:
            return None
        return ConfigDefault(decl, loaded, "its default_value") if loaded is not None else None
    if default is None or not isinstance(default.value, str):
        return None
    if not flow_path or flow_path.startswith("<"):
        return None  # not a file on disk: nothing to read beside it
    target = Path(default.value)  # as Metaflow's open(): no ``~`` expansion
    if not target.is_absolute():
        target = Path(flow_path).resolve().parent / target
    if side_files is not None:
        try:
            side_files.add(str(target.resolve()))
        except (OSError, RuntimeError):  # a symlink loop: the path as written
            side_files.add(str(target))
    text = read_default_file(target)
    loaded = _json_object(text) if text is not None else None
    if loaded is None:
        return None
    return ConfigDefault(decl, loaded, f"its default file {default.value}")
