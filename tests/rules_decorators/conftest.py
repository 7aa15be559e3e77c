"""Run one MF3xx rule over a flow source through the real parser, graph, engine and catalog."""

from __future__ import annotations

import textwrap

import pytest

from metaflow_expert.model import Finding


@pytest.fixture(scope="session")
def catalog(tmp_path_factory):
    from metaflow_expert.knowledge.catalog import load_catalog

    return load_catalog(cache_dir=tmp_path_factory.mktemp("catalog"))


@pytest.fixture
def check(catalog):
    """``check("MF301", src)`` → findings of that rule (``use_catalog=False`` to run without)."""
    from metaflow_expert.lint.config import LintSettings
    from metaflow_expert.lint.engine import analyze_text

    def run(code: str, src: str, *, use_catalog: bool = True) -> list[Finding]:
        analysis = analyze_text(
            textwrap.dedent(src),
            "flow.py",
            settings=LintSettings(select=[code]),
            catalog=catalog if use_catalog else None,
        )
        return [f for f in analysis.findings if f.code == code]

    return run


@pytest.fixture
def cited(catalog):
    """Assert a finding's ``cites`` is a real line of the indexed source containing ``text``."""
    from pathlib import Path

    def ok(finding: Finding, text: str) -> None:
        assert finding.cites, finding
        path, line = finding.cites.rsplit(":", 1)
        src = (Path(catalog.root) / path).read_text().splitlines()
        assert text in src[int(line) - 1], (finding.cites, src[int(line) - 1])

    return ok
