"""Locating the Metaflow source: explicit paths, another interpreter, the bundled package."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from metaflow_expert.knowledge.source import SourceNotFound, locate_source, read_version


def test_bundled(source):
    assert source.origin == "bundled"
    assert (source.root / "metaflow" / "flowspec.py").is_file()
    assert source.version == read_version(source.package_dir) != "unknown"


@pytest.mark.parametrize("which", ["root", "package"])
def test_explicit_root_or_package_folder(source, which):
    path = source.root if which == "root" else source.package_dir
    found = locate_source(path)
    assert found.origin == "explicit"
    assert found.root == source.root.resolve()
    assert found.version == source.version


def test_interpreter_without_importing_metaflow():
    found = locate_source(python=sys.executable)
    assert found.origin == "interpreter"
    assert (found.package_dir / "version.py").is_file()


def test_locating_and_cataloguing_never_import_metaflow(tmp_path: Path):
    import subprocess

    code = (
        "import sys\n"
        "from metaflow_expert.knowledge.source import locate_source\n"
        "from metaflow_expert.knowledge.catalog import load_catalog\n"
        f"load_catalog(locate_source(python=sys.executable), cache_dir={str(tmp_path)!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('metaflow', 'pygls', 'lsprotocol', 'anthropic')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_bad_candidates_fall_through_with_notes(tmp_path: Path):
    found = locate_source(tmp_path, python=str(tmp_path / "no-python"))
    assert found.origin == "bundled"
    assert any(str(tmp_path) in n for n in found.notes)
    assert any("no-python" in n for n in found.notes)


def test_source_not_found_names_attempts(tmp_path: Path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec

    def no_metaflow(name, *a, **k):
        return None if name == "metaflow" else real(name, *a, **k)

    monkeypatch.setattr(importlib.util, "find_spec", no_metaflow)
    with pytest.raises(SourceNotFound) as err:
        locate_source(tmp_path / "nowhere", python=str(tmp_path / "nopython"))
    msg = str(err.value)
    assert "nowhere" in msg and "nopython" in msg and "beside metaflow-expert" in msg


def test_extension_roots_from_interpreter_path(tmp_path: Path):
    pkg = tmp_path / "metaflow_extensions" / "acme" / "plugins"
    pkg.mkdir(parents=True)
    (pkg / "mfextinit_acme.py").write_text("STEP_DECORATORS_DESC = []\n")
    # an "interpreter" whose path includes the fake extension (like a user's venv would)
    wrapper = tmp_path / "py"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH="{tmp_path}" exec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    found = locate_source(python=str(wrapper))
    assert found.origin == "interpreter"
    assert found.extension_roots == (tmp_path / "metaflow_extensions",)
