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
a regular file of at most :data:`~metaflow_expert.safe_read.MAX_CONFIG_BYTES`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from metaflow_expert.model import ParameterDecl
from metaflow_expert.safe_read import MAX_CONFIG_BYTES, read_regular_file


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
    """The text of a Config's default file: a regular UTF-8 file of at most
    :data:`~metaflow_expert.safe_read.MAX_CONFIG_BYTES`, read fresh (the editor sees the file
    as it is now) by the one safe reader, so a FIFO or a device under the name is never
    read; None for anything else (its keys are then unknown, not wrong)."""
    data, _error = read_regular_file(path, MAX_CONFIG_BYTES)
    try:
        return data.decode("utf-8") if data is not None else None
    except UnicodeDecodeError:
        return None


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
