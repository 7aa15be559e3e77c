"""MF2xx stay silent on flows known to be correct: the valid corpus and Metaflow's tutorials."""

from __future__ import annotations

from pathlib import Path

import pytest

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text

VALID = Path(__file__).resolve().parents[1] / "corpus" / "valid"


def _tutorials(catalog) -> list[Path]:
    root = Path(catalog.root) / "metaflow" / "tutorials"
    return sorted(root.glob("*/*.py"))


def _mf2(path: Path, catalog) -> list[str]:
    analysis = analyze_text(
        path.read_text(encoding="utf-8"),
        str(path),
        settings=LintSettings(select=("MF2",)),
        catalog=catalog,
    )
    return [f"{f.code} {f.message}" for f in analysis.findings]


@pytest.mark.parametrize("name", sorted(p.name for p in VALID.glob("*.py")))
def test_valid_corpus_has_no_mf2_findings(name: str, catalog):
    assert _mf2(VALID / name, catalog) == []


def test_metaflow_tutorials_have_no_mf2_findings(catalog):
    files = _tutorials(catalog)
    assert files, "the installed metaflow ships its tutorials"
    found = {str(p.name): _mf2(p, catalog) for p in files}
    assert {k: v for k, v in found.items() if v} == {}
