"""Only regular files are indexed: a FIFO named ``*.py`` inside the Metaflow source once
blocked the index build forever, and with it ``ask``, ``search`` and the server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from metaflow_expert.knowledge.source import is_regular_file, locate_source

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


@pytest.fixture(scope="module")
def source_with_a_fifo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the installed Metaflow with a FIFO among the plugins and the docs."""
    root = tmp_path_factory.mktemp("src")
    shutil.copytree(
        locate_source().package_dir,
        root / "metaflow",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    os.mkfifo(root / "metaflow" / "plugins" / "zz_fifo.py")
    docs = root / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("# Notes\n")
    os.mkfifo(docs / "pipe.md")
    return root


def test_is_regular_file(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    os.mkfifo(tmp_path / "b.py")
    (tmp_path / "c.py").symlink_to(f)
    assert is_regular_file(f)
    assert not is_regular_file(tmp_path / "b.py")
    assert not is_regular_file(tmp_path / "c.py")
    assert not is_regular_file(tmp_path / "missing.py")
    assert not is_regular_file("/dev/zero")


def test_index_build_skips_a_fifo(source_with_a_fifo: Path, tmp_path: Path) -> None:
    """The whole build (catalog, facts, symbols, entries, docs, agent file listing) runs in a
    subprocess with a time limit, so a regression fails instead of hanging the suite."""
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from metaflow_expert.agent.files import source_files
        from metaflow_expert.knowledge.index import load_index
        from metaflow_expert.knowledge.source import MetaflowSource, read_version

        root = Path({str(source_with_a_fifo)!r})
        src = MetaflowSource(root, read_version(root / "metaflow"), "explicit")
        index = load_index(src, extra_docs=[str(root / "docs")], cache_dir={str(tmp_path)!r})
        listed = source_files(index).files
        assert "metaflow/plugins/zz_fifo.py" not in listed, "FIFO listed"
        assert not [d for d in index.docs if d.endswith("pipe.md")]
        assert index.search("retry decorator")
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]
