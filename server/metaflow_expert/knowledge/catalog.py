"""The decorator catalog: every Metaflow decorator, its arguments, defaults and docs, from source.

Why: Metaflow generates ``from metaflow import retry`` at import time from the registry in
``metaflow/plugins/__init__.py`` (``STEP_DECORATORS_DESC``/``FLOW_DECORATORS_DESC``), so neither
an editor nor a linter can follow those names. We read the same registry (and the installed
extensions' plugin files, found as Metaflow finds them: :mod:`extensions`), open each class with ``ast``, and record what Metaflow's own
``Decorator.__init__`` checks against: the ``defaults`` dict (the accepted arguments),
``allow_multiple`` (inherited, e.g. from ``Decorator``) and the docstring. Nothing about
Metaflow is typed here except the *names of the public entry points* listed in
``catalog_build.API_ENTRY_POINTS``; where they live, their signatures and docs come from the source.

The catalog is plain data (JSON-serialisable via :meth:`DecoratorCatalog.to_dict`) and cached
on disk, because the lint CLI loads it on every run. This module is the cached loader and the
place callers import the records from; :mod:`catalog_model` defines the records,
:mod:`catalog_build` reads the source (imported only when the cache misses), :mod:`numpydoc`
the docstrings and :mod:`validation` what each decorator's code checks. The dependencies run
one way: loader → builder → records.
"""

from __future__ import annotations

import os

from metaflow_expert.knowledge import cache
from metaflow_expert.knowledge import jsonshape as js
from metaflow_expert.knowledge.catalog_model import (
    ApiSymbol,
    ArgSpec,
    CurrentAttr,
    DecoratorCatalog,
    DecoratorSpec,
    Limit,
    flowspec_members_of,
)
from metaflow_expert.knowledge.extensions import descriptor_files
from metaflow_expert.knowledge.jsonshape import JSON
from metaflow_expert.knowledge.source import MetaflowSource, locate_source

# the records are re-exported: callers import them from here, next to the loader
__all__ = [
    "ApiSymbol",
    "ArgSpec",
    "CurrentAttr",
    "DecoratorCatalog",
    "DecoratorSpec",
    "Limit",
    "Stamps",
    "build_catalog",
    "flowspec_members_of",
    "load_catalog",
]


def build_catalog(source: MetaflowSource) -> tuple[DecoratorCatalog, dict[str, tuple[int, int]]]:
    """Build the catalog from source (no cache); also return the stamps of every file read."""
    from metaflow_expert.knowledge.catalog_build import build_catalog as build

    return build(source)


Stamps = dict[str, tuple[int, int]]
# key -> (catalog, extension descriptors, stamps of every file it was built from)
_MEMO: dict[tuple[str, ...], tuple[DecoratorCatalog, list[str], Stamps]] = {}


def _ext_descriptors(source: MetaflowSource) -> list[str]:
    """Extension configuration files present now (a new one must invalidate the cache)."""
    return descriptor_files(source)


def load_catalog(
    source: MetaflowSource | None = None, *, cache_dir: str | os.PathLike[str] | None = None
) -> DecoratorCatalog:
    """The catalog of ``source`` (default: :func:`locate_source`), from memory or the disk
    cache when the files it was built from are unchanged. Raises ``SourceNotFound`` only when
    no source is given and none can be found."""
    source = source or locate_source()
    ext = [str(p) for p in source.extension_roots]
    key = (str(source.root), source.version, str(cache_dir), *ext)
    descriptors = _ext_descriptors(source)
    memo = _MEMO.get(key)
    if memo is not None and memo[1] == descriptors and cache.stamps_valid(memo[2], source.file_of):
        return memo[0]
    path = cache.cache_file("catalog", source.version, source.root, cache_dir)
    cached = _from_cache(cache.load(path), ext, descriptors, source)
    if cached is not None:
        _MEMO[key] = (cached[0], descriptors, cached[1])
        return cached[0]
    cat, stamps = build_catalog(source)
    payload: JSON = {
        "catalog": cat.to_dict(),
        "stamps": {k: list(v) for k, v in stamps.items()},
        "ext": ext,
        "ext_files": descriptors,
    }
    cache.save(path, payload)
    _MEMO[key] = (cat, descriptors, stamps)
    return cat


def _from_cache(
    data: object, ext: list[str], descriptors: list[str], source: MetaflowSource
) -> tuple[DecoratorCatalog, Stamps] | None:
    """The cached catalog and its stamps when ``data`` is a payload of this layout, built from
    the same extensions and files as now; None otherwise (a miss, rebuilt by the caller)."""
    try:
        d = js.obj(data)
        if d.get("ext") != ext or d.get("ext_files") != descriptors:
            return None
        stamps = {k: _stamp_from(v) for k, v in js.obj(d["stamps"]).items()}
        if not cache.stamps_valid(stamps, source.file_of):
            return None
        return DecoratorCatalog.from_dict(js.obj(d["catalog"])), stamps
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # a cache from another layout


def _stamp_from(x: object) -> tuple[int, int]:
    a, b = js.pair(x)
    return js.integer(a), js.integer(b)
