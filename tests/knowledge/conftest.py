"""Shared fixtures: the installed Metaflow source and a private cache directory per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metaflow_expert.knowledge.source import MetaflowSource, locate_source


@pytest.fixture(scope="session")
def source() -> MetaflowSource:
    return locate_source()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mfx-cache")


@pytest.fixture()
def metaflow_copy(tmp_path: Path, source: MetaflowSource) -> Path:
    """A writable copy of the installed metaflow package (without vendored code and caches)."""
    dst = tmp_path / "site"
    shutil.copytree(
        source.package_dir,
        dst / "metaflow",
        ignore=shutil.ignore_patterns("__pycache__", "_vendor", "*.pyc"),
    )
    return dst


@pytest.fixture(scope="session")
def index(source: MetaflowSource, cache_dir: Path):
    from metaflow_expert.knowledge.index import load_index

    return load_index(source, cache_dir=cache_dir)
