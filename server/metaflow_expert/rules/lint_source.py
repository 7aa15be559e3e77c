"""Constants of ``metaflow/lint.py`` read from the Metaflow source in use.

Why: the reserved step names and the allowed step-name pattern are Metaflow's data, and they
change between releases. Rather than copying them into the product, the rules read them from
the ``lint.py`` of the located Metaflow (``ast``, never importing Metaflow). Without a
located source those rules stay silent instead of guessing.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Any


def lint_path(catalog: Any = None) -> Path | None:
    """``metaflow/lint.py`` of the catalog's source, else of the Metaflow found by
    :func:`metaflow_expert.knowledge.source.locate_source`."""
    for holder in (catalog, getattr(catalog, "source", None)):
        root = getattr(holder, "root", None)
        if root is not None:
            p = _lint_under(str(root))
            if p is not None:
                return p
    return _default_lint_path()


@lru_cache(maxsize=16)
def _lint_under(root: str) -> Path | None:
    """Asked on every analysis: one ``stat`` per source root, not per call."""
    p = Path(root) / "metaflow" / "lint.py"
    return p if p.is_file() else None


@lru_cache(maxsize=1)
def _default_lint_path() -> Path | None:
    try:
        from metaflow_expert.knowledge.source import locate_source

        p = locate_source().package_dir / "lint.py"
    except Exception:
        return None
    return p if p.is_file() else None


@lru_cache(maxsize=8)
def _check_functions(path: Path) -> dict[str, ast.FunctionDef]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return {}
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def check_function(name: str, catalog: Any = None) -> ast.FunctionDef | None:
    path = lint_path(catalog)
    return _check_functions(path).get(name) if path is not None else None


def set_literal(check: str, catalog: Any = None) -> frozenset[str] | None:
    """The first set of string constants written in check function ``check``."""
    path = lint_path(catalog)
    return _set_literal(path, check) if path is not None else None


@lru_cache(maxsize=32)
def _set_literal(path: Path, check: str) -> frozenset[str] | None:
    fn = _check_functions(path).get(check)
    if fn is None:
        return None
    for n in ast.walk(fn):
        if isinstance(n, ast.Set) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in n.elts
        ):
            return frozenset(e.value for e in n.elts)  # type: ignore[attr-defined]
    return None


def search_pattern(check: str, catalog: Any = None) -> str | None:
    """The pattern of the first ``re.search("<pattern>", …)`` in check function ``check``."""
    path = lint_path(catalog)
    return _search_pattern(path, check) if path is not None else None


@lru_cache(maxsize=32)
def _search_pattern(path: Path, check: str) -> str | None:
    fn = _check_functions(path).get(check)
    if fn is None:
        return None
    for n in ast.walk(fn):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "search"
            and n.args
            and isinstance(n.args[0], ast.Constant)
            and isinstance(n.args[0].value, str)
        ):
            return n.args[0].value
    return None
