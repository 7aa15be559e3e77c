"""The keys read by an access chain that follows an expression: ``.a.b["c"]`` after ``self.cfg``.

Why a text reader: the flow model records ``self.cfg`` as one read of the attribute ``cfg``
(with its span, outside comments and strings); which keys are read from it is what follows on
the same line. Only the plain forms are followed — ``.name`` and a subscript by a string
literal — so anything else (``[i]``, ``[key]``, a call) ends the chain: what it reads is unknown,
not wrong. A name called as a method (``.get(…)``, ``.items()``) is a method of the value, not a
key, and ends the chain too, as does a private name (``._data``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_ATTR = re.compile(r"\s*\.\s*([A-Za-z_]\w*)")
_SUBSCRIPT = re.compile(r"""\s*\[\s*(?:[rRuU]?)(['"])([^'"\\\n]*)\1\s*\]""")
_CALL = re.compile(r"\s*\(")


class ChainKey(NamedTuple):
    """One key of a chain and where its text is (``start``/``end``: offsets into the text;
    the name itself for ``.name``, the string's content for ``["name"]``)."""

    key: str
    start: int
    end: int
    subscript: bool


def read_chain(text: str, pos: int) -> list[ChainKey]:
    """The keys ``text`` reads from ``pos`` on (see the module docstring)."""
    keys: list[ChainKey] = []
    while True:
        found = _ATTR.match(text, pos)
        if found is not None:
            name = found.group(1)
            if name.startswith("_") or _CALL.match(text, found.end()):
                break  # a private attribute or a method call: not a key
            keys.append(ChainKey(name, found.start(1), found.end(1), False))
            pos = found.end()
            continue
        found = _SUBSCRIPT.match(text, pos)
        if found is not None:
            keys.append(ChainKey(found.group(2), found.start(2), found.end(2), True))
            pos = found.end()
            continue
        break
    return keys
