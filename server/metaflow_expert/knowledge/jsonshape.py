"""Checked reads of plain data (JSON or ``marshal`` payloads) into typed values.

Why: cached payloads come from disk, written by this or an older version. Reading them with
``**kwargs`` or unchecked indexing would let a stale layout through as wrongly typed fields
that fail later, far from the cause. Each reader here checks the shape it promises and raises
``TypeError`` (``KeyError`` for a missing field) so the loader can treat the cache as a miss
and rebuild.
"""

from __future__ import annotations

#: A decoded JSON object (or the ``marshal`` payload of one).
JSON = dict[str, object]


def obj(x: object) -> JSON:
    if not isinstance(x, dict) or not all(isinstance(k, str) for k in x):
        raise TypeError(f"expected an object, got {type(x).__name__}")
    return x


def arr(x: object) -> list[object]:
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"expected a list, got {type(x).__name__}")
    return list(x)


def text(x: object) -> str:
    if not isinstance(x, str):
        raise TypeError(f"expected a string, got {type(x).__name__}")
    return x


def opt_text(x: object) -> str | None:
    return None if x is None else text(x)


def integer(x: object) -> int:
    if not isinstance(x, int) or isinstance(x, bool):
        raise TypeError(f"expected an integer, got {type(x).__name__}")
    return x


def flag(x: object) -> bool:
    if not isinstance(x, bool):
        raise TypeError(f"expected a boolean, got {type(x).__name__}")
    return x


def texts(x: object) -> list[str]:
    return [text(e) for e in arr(x)]


def text_map(x: object) -> dict[str, str]:
    return {k: text(v) for k, v in obj(x).items()}


def pair(x: object) -> tuple[object, object]:
    items = arr(x)
    if len(items) != 2:
        raise TypeError(f"expected a pair, got {len(items)} items")
    return items[0], items[1]


def cite(x: object) -> tuple[str, int]:
    """A ``(path or text, line)`` pair."""
    a, b = pair(x)
    return text(a), integer(b)
