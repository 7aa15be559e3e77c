"""Run one MF2xx rule over a flow source through the real parser, graph and engine."""

from __future__ import annotations

import textwrap

import pytest

from metaflow_expert.model import Finding


@pytest.fixture(scope="session")
def catalog():
    from metaflow_expert.knowledge.catalog import load_catalog

    return load_catalog()


@pytest.fixture
def check(catalog):
    """``check("MF203", src)`` → findings of that rule (catalog on unless ``catalog=None``)."""
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
