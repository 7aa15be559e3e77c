"""The oracle on seeded random mutations of the corpus (see ``mutants.py``).

Each mutant is written to a temporary folder, imported and linted by Metaflow check by check,
and compared with our engine exactly like the corpus files. Mutants Metaflow cannot import
(a decorator error, a syntax error) are not judged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import compare, our_findings, run_metaflow
from mutants import mutants

CORPUS = Path(__file__).parent.parent / "corpus"
SOURCES = sorted(CORPUS.glob("*/*.py"))
SEEDS = (11, 12)
PER_SEED = 60


@pytest.fixture(scope="module")
def mutant_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("mutants")
    for seed in SEEDS:
        for name, text in mutants(SOURCES, seed, PER_SEED):
            (d / f"{name}.py").write_text(text, encoding="utf-8")
    return d


def test_mutants_match_metaflow(mutant_dir: Path) -> None:
    problems: list[str] = []
    judged = 0
    for path in sorted(mutant_dir.glob("*.py")):
        oracle = run_metaflow(str(path))
        if oracle.import_error:
            continue
        judged += 1
        cmp = compare(oracle, our_findings(path))
        problems += [f"{path.name}: MISSING {m}" for m in cmp.missing]
        problems += [f"{path.name}: EXTRA {e}" for e in cmp.extra]
    assert judged >= len(SEEDS) * PER_SEED * 0.8
    assert not problems, "\n".join(problems)
