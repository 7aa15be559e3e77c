"""Refuse regular expressions that can backtrack catastrophically, before running them.

A repeat nested inside an unbounded repeat (``(a+)+``, ``(\\w*)*``, ``(a|aa)+`` is left to the
timeout) is the classic exponential case; such patterns are refused with a clear message. What
slips through is still bounded by the worker-process timeout in :mod:`tools`.
"""

from __future__ import annotations

import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import re._constants as _c
    import re._parser as _p
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

MAX_PATTERN_CHARS = 300
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
if hasattr(_c, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_c.POSSESSIVE_REPEAT)


class UnsafePattern(ValueError):
    pass


def check_pattern(pattern: str) -> None:
    """Raise :class:`UnsafePattern` for an invalid, too long or nested-quantifier pattern."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePattern(f"pattern longer than {MAX_PATTERN_CHARS} characters")
    try:
        re.compile(pattern)
        parsed = _p.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsafePattern(f"invalid regex: {exc}")
    if _has_nested_repeat(list(parsed.data), inside_repeat=False):
        raise UnsafePattern(
            "nested quantifiers such as (a+)+ can take exponential time; simplify the pattern"
        )


def _has_nested_repeat(items: list[Any], inside_repeat: bool) -> bool:
    for op, av in items:
        if op in _REPEATS:
            _lo, hi, sub = av
            unbounded = hi is _c.MAXREPEAT or hi > 10
            if inside_repeat and unbounded:
                return True
            if _has_nested_repeat(list(sub), inside_repeat or unbounded):
                return True
        elif op is _c.SUBPATTERN:
            if _has_nested_repeat(list(av[-1]), inside_repeat):
                return True
        elif op is _c.BRANCH:
            for branch in av[1]:
                if _has_nested_repeat(list(branch), inside_repeat):
                    return True
        elif op in (_c.ASSERT, _c.ASSERT_NOT) and _has_nested_repeat(list(av[1]), inside_repeat):
            return True
    return False
