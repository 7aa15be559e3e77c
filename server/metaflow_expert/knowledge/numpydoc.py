"""numpydoc sections of Metaflow docstrings: ``Parameters`` and "MF Add To Current".

Why separate: the same format is parsed by Metaflow's stub generator
(``metaflow/cmd/develop/stub_generator.py``); keeping the parser alone makes it easy to compare
and to test on its own.
"""

from __future__ import annotations

import re
from typing import Any

_PARAM_HEADER = re.compile(r"^Parameters\s*\n-{3,}\s*$", re.M)
_CURRENT_HEADER = re.compile(r"^MF Add To Current\s*\n-{3,}\s*$", re.M)
_SECTION_HEADER = re.compile(r"^\S.*\n-{3,}\s*$", re.M)
_PARAM_LINE = re.compile(r"^(?P<name>\*{0,2}\w+)\s*(?::\s*(?P<type>.*))?$")
_CURRENT_LINE = re.compile(r"^(?P<name>\w+)\s*->\s*(?P<type>.*)$")


def _section(doc: str, header: re.Pattern[str]) -> str:
    m = header.search(doc)
    if not m:
        return ""
    rest = doc[m.end() :]
    nxt = _SECTION_HEADER.search(rest)
    return rest[: nxt.start()] if nxt else rest


def _entries(section: str, line_re: re.Pattern[str]) -> list[tuple[str, str, str]]:
    """(name, type, description) for each unindented ``name : type`` / ``name -> type`` line."""
    out: list[tuple[str, str, str]] = []
    cur: list[Any] | None = None
    for raw in section.splitlines():
        if raw and not raw[0].isspace():
            m = line_re.match(raw.strip())
            if m:
                cur = [m.group("name").lstrip("*"), (m.group("type") or "").strip(), []]
                out.append(cur)  # type: ignore[arg-type]
                continue
        if cur is not None:
            cur[2].append(raw.strip())
    result = []
    for name, typ, desc in out:
        text = "\n".join(desc)
        text = text.split("@@ Returns")[0]
        result.append((name, typ, re.sub(r"\n{3,}", "\n\n", text).strip()))
    return result


def parse_param_docs(doc: str) -> dict[str, tuple[str, str]]:
    """numpydoc ``Parameters`` section → {name: (type text, description)}."""
    return {n: (t, d) for n, t, d in _entries(_section(doc, _PARAM_HEADER), _PARAM_LINE)}


def parse_current_attrs(doc: str) -> list[tuple[str, str, str]]:
    """ "MF Add To Current" block (the stub generator's format) → [(name, type, description)]."""
    return _entries(_section(doc, _CURRENT_HEADER), _CURRENT_LINE)


def doc_body(doc: str) -> str:
    """The docstring without its Parameters / MF Add To Current sections."""
    m = _SECTION_HEADER.search(doc)
    return (doc[: m.start()] if m else doc).strip()
