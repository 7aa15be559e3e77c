"""Oracle tests: the MF1xx rules against Metaflow's own ``lint.py`` on real flow files.

For every corpus flow and every tutorial flow shipped with the installed Metaflow, Metaflow's
checks are run one by one (``harness.run_metaflow``) and our engine must report each of
Metaflow's findings with the same ``mirrors`` on the same line, and nothing Metaflow does not
report. Metaflow's results are computed once per test process.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import (
    check_names_in_source,
    compare,
    lint_module,
    our_findings,
    run_metaflow,
)

CORPUS = Path(__file__).parent.parent / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.py"))
BROKEN = sorted((CORPUS / "broken").glob("*.py"))


def _metaflow_dir() -> Path:
    spec = importlib.util.find_spec("metaflow")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


TUTORIALS = sorted(_metaflow_dir().glob("tutorials/*/*.py"))
ALL = VALID + BROKEN + TUTORIALS


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"


def test_every_metaflow_check_has_a_rule() -> None:
    """The check list comes from the installed lint.py, never from a hand-typed list."""
    from metaflow_expert.rules import REGISTRY, load_all_rules

    load_all_rules()
    names = check_names_in_source(_metaflow_dir() / "lint.py")
    assert names == [c.__name__ for c in lint_module().linter._checks]
    mirrored = {r.mirrors: code for code, r in REGISTRY.items() if r.mirrors}
    missing = [n for n in names if n not in mirrored]
    assert not missing, f"Metaflow checks without a mirroring rule: {missing}"
    codes = [mirrored[n] for n in names]
    assert codes == sorted(codes), "MF1xx codes must follow lint.py order"
    assert all(c.startswith("MF1") for c in codes)


def test_corpus_is_what_it_claims() -> None:
    """Valid flows pass Metaflow's lint; every broken flow fails it (or fails at import);
    every check that runs by default fires in at least two broken files."""
    for p in VALID + TUTORIALS:
        r = run_metaflow(str(p))
        assert r.import_error is None, (p, r.import_error)
        assert not r.warnings() and not r.crashes(), (p, r.flows)
    fired: dict[str, set[str]] = defaultdict(set)
    for p in BROKEN:
        r = run_metaflow(str(p))
        assert r.import_error or r.warnings(), f"{p.name} is not broken for Metaflow"
        for _flow, res in r.warnings():
            fired[res.check].add(p.name)
    linter = lint_module().linter
    for check in linter._checks:
        if any(getattr(linter, a) for a in check.attrs):
            assert len(fired[check.__name__]) >= 2, (check.__name__, fired[check.__name__])


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_matches_metaflow(path: Path) -> None:
    oracle = run_metaflow(str(path))
    if oracle.import_error:
        pytest.skip(f"import-time case (Metaflow never lints it): {oracle.import_error}")
    cmp = compare(oracle, our_findings(path))
    report = "\n".join(
        [f"MISSING (Metaflow reports, we do not): {m}" for m in cmp.missing]
        + [f"EXTRA (we report, Metaflow does not): {e}" for e in cmp.extra]
        + [f"note: {n}" for n in cmp.notes]
    )
    assert cmp.ok, f"{path.name}:\n{report}"


@pytest.mark.parametrize("path", VALID + TUTORIALS, ids=_id)
def test_valid_flows_have_no_errors(path: Path) -> None:
    errors = [f for f in our_findings(path) if f.severity.value == "error"]
    assert not errors, "\n".join(f"{f.line1}: {f.code} {f.message}" for f in errors)


@pytest.mark.parametrize("path", VALID + BROKEN, ids=_id)
def test_nested_foreach_when_enabled(path: Path) -> None:
    """With Metaflow's nested-foreach check enabled, MF119 (selected) agrees with it."""
    oracle = run_metaflow(str(path), nested_foreach=True)
    if oracle.import_error:
        pytest.skip("import-time case")
    expected = sorted(
        (f, r.lineno) for f, r in oracle.warnings() if r.check == "check_nested_foreach"
    )
    ours = sorted(
        (f.flow, f.line1)
        for f in our_findings(path, select=("MF1", "MF119"))
        if f.mirrors == "check_nested_foreach"
    )
    assert set(expected) <= set(ours)
    assert {f for f, _ in ours} <= {f for f, _ in expected}
