"""Generated knowledge docs: every citation is real and names what its line holds; same bytes twice."""

from __future__ import annotations

import re

from metaflow_expert.knowledge.docs import generate_docs

CITED = re.compile(r"`([^`]+)` \(([\w./-]+\.py):(\d+)\)")
ANY_CITE = re.compile(r"[\w./-]+\.py:\d+")


def test_every_citation_points_at_its_name(index):
    total = 0
    for name, text in index.docs.items():
        paired = CITED.findall(text)
        assert len(paired) == len(ANY_CITE.findall(text)), f"{name}: a citation without a `name`"
        for cited, path, line in paired:
            short = cited.split(".")[-1]
            assert index.check_citation(path, int(line), symbol=short), (name, cited, path, line)
            total += 1
    assert total > 500


def test_docs_are_deterministic(index):
    again = generate_docs(index.source, index.symbols, index.catalog)
    assert again == {k: v for k, v in index.docs.items() if k in again}


def test_docs_cover_the_essentials(index):
    summary = index.docs["summary.md"]
    assert index.version in summary
    for deco in index.catalog.step:
        assert f"@{deco}" in summary
    apis = index.docs["apis_and_interfaces.md"]
    assert "### @retry" in apis and "`times`" in apis
    assert "check_reserved_words" in apis
    build = index.docs["build_system.md"]
    assert "METAFLOW_DEFAULT_DATASTORE" in build  # env var name derived from from_conf
    structure = index.docs["code_structure.md"]
    assert "## metaflow/plugins/" in structure


def test_docs_cli_writes_files(tmp_path, cache_dir):
    from metaflow_expert.cli import main

    rc = main(["docs", "--out", str(tmp_path / "out"), "--cache-dir", str(cache_dir)])
    assert rc == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["apis_and_interfaces.md", "build_system.md", "code_structure.md", "summary.md"]
