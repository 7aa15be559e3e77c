"""The knowledge index: path safety, reading, citation checks, extra docs, cache reuse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from metaflow_expert.knowledge.index import load_index


def test_contract_attributes(index, source):
    assert index.source == source and index.version == source.version
    assert "retry" in index.catalog.step
    assert len(index.symbols) > 1000
    assert set(index.docs) >= {
        "summary.md",
        "code_structure.md",
        "build_system.md",
        "apis_and_interfaces.md",
    }


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/etc/passwd",
        "../metaflow/flowspec.py",
        "metaflow/../../../etc/passwd",
        "metaflow\\flowspec.py",
        "setup.py",
        "metaflow/does_not_exist.py",
        "~/x.py",
        "metaflow/plugins",
    ],
)
def test_resolve_refuses_outside_paths(index, bad):
    assert index.resolve(bad) is None
    assert index.read_source(bad, 1, 3) == []
    assert index.check_citation(bad, 1) is False


def test_resolve_refuses_symlink_escape(metaflow_copy: Path, tmp_path: Path):
    secret = tmp_path / "secret.py"
    secret.write_text("TOKEN = 1\n")
    os.symlink(secret, metaflow_copy / "metaflow" / "escape.py")
    from metaflow_expert.knowledge.source import locate_source

    idx = load_index(locate_source(metaflow_copy), cache_dir=tmp_path / "cache")
    assert idx.resolve("metaflow/escape.py") is None
    assert idx.resolve("metaflow/flowspec.py") is not None
    assert "metaflow/escape.py" not in idx.symbols.files


def test_read_source_and_citations(index):
    retry = index.catalog.step["retry"]
    lines = dict(index.read_source(retry.path, retry.line, retry.line + 2))
    assert "class RetryDecorator" in lines[retry.line]
    assert index.check_citation(retry.path, retry.line, symbol="RetryDecorator")
    assert index.check_citation(retry.path, retry.line, symbol="@metaflow.plugins.RetryDecorator()")
    assert not index.check_citation(retry.path, retry.line, symbol="CatchDecorator")
    assert not index.check_citation(retry.path, 0)
    assert not index.check_citation(retry.path, 10**6)
    assert not index.check_citation(retry.path, 10, end_line=5)
    # a range passes when the name is anywhere inside it
    assert index.check_citation(retry.path, retry.line - 1, retry.line + 1, symbol="RetryDecorator")
    # knowledge docs are citable by name
    assert index.check_citation("summary.md", 1, symbol="Metaflow")
    assert index.resolve("summary.md") is not None


def test_symbols_point_at_their_names(index):
    for sym in index.symbols.symbols[::25]:
        if sym.kind == "module":
            continue
        assert index.check_citation(sym.path, sym.line, symbol=sym.name), sym


def test_extra_docs_are_indexed(source, tmp_path: Path):
    docs = tmp_path / "team-notes"
    (docs / "sub").mkdir(parents=True)
    (docs / "sub" / "runbook.md").write_text(
        "# Deploying\n\nWe deploy the zanzibar pipeline with argo every night.\n"
    )
    idx = load_index(source, extra_docs=[docs], cache_dir=tmp_path / "c")
    hits = idx.search("zanzibar pipeline deploy")
    assert hits and hits[0].path == "team-notes/sub/runbook.md" and hits[0].kind == "extra_doc"
    assert idx.resolve("team-notes/sub/runbook.md") == docs / "sub" / "runbook.md"
    assert idx.check_citation("team-notes/sub/runbook.md", 3, symbol="zanzibar")
    # a changed extra doc invalidates the cache
    (docs / "sub" / "runbook.md").write_text("# Deploying\n\nNow with the quokka scheduler.\n")
    idx2 = load_index(source, extra_docs=[docs], cache_dir=tmp_path / "c")
    assert not idx2.from_cache
    assert idx2.search("quokka")[0].path == "team-notes/sub/runbook.md"


def test_warm_load_uses_cache(source, cache_dir, index):
    again = load_index(source, cache_dir=cache_dir)
    assert again.from_cache
    assert len(again.symbols) == len(index.symbols)
    assert again.docs == index.docs
    assert [h.cite for h in again.search("merge artifacts join")] == [
        h.cite for h in index.search("merge artifacts join")
    ]


def test_new_file_invalidates_cache(metaflow_copy: Path, tmp_path: Path):
    from metaflow_expert.knowledge.source import locate_source

    src = locate_source(metaflow_copy)
    first = load_index(src, cache_dir=tmp_path)
    assert not first.from_cache
    (metaflow_copy / "metaflow" / "brand_new_module.py").write_text(
        "def frobnicate_widgets():\n    '''Frobnicate all the widgets.'''\n"
    )
    second = load_index(src, cache_dir=tmp_path)
    assert not second.from_cache
    assert second.search("frobnicate widgets")[0].path == "metaflow/brand_new_module.py"
    assert load_index(src, cache_dir=tmp_path).from_cache


def test_bad_input_never_raises(index):
    assert index.search("") == []
    assert index.search("   ") == []
    assert isinstance(index.search("\x00\x01 ((( [[ $$"), list)
    assert isinstance(index.search("a" * 5000), list)


def test_git_checkout_layout_with_extensions(metaflow_copy: Path, tmp_path: Path):
    """A Metaflow checkout (setup.py beside metaflow/) with an extension package next to it."""
    from metaflow_expert.knowledge.source import locate_source

    (metaflow_copy / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='metaflow')\n"
    )
    plugins = metaflow_copy / "metaflow_extensions" / "acme" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "mfextinit_acme.py").write_text(
        'FLOW_DECORATORS_DESC = [("acme_alerts", ".alerts.AcmeAlertsDecorator")]\n'
    )
    (plugins / "alerts.py").write_text(
        "from metaflow.decorators import FlowDecorator\n\n\n"
        "class AcmeAlertsDecorator(FlowDecorator):\n"
        '    """Pages the acme on-call rotation when the flow fails."""\n\n'
        '    name = "acme_alerts"\n'
        '    defaults = {"channel": None}\n'
    )
    src = locate_source(metaflow_copy)
    assert src.origin == "explicit" and src.extension_roots == (
        metaflow_copy / "metaflow_extensions",
    )
    idx = load_index(src, cache_dir=tmp_path / "cache")
    spec = idx.catalog.flow["acme_alerts"]
    assert spec.path == "metaflow_extensions/acme/plugins/alerts.py"
    assert idx.check_citation(spec.path, spec.line, symbol=spec.class_name)
    assert idx.resolve("setup.py") is None  # only the package and extension roots are readable
    hits = idx.search("acme on-call rotation alerts", k=3)
    assert hits[0].path == spec.path
