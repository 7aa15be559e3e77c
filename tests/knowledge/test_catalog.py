"""The decorator catalog against Metaflow's own registry, and built from a modified copy."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from metaflow_expert.knowledge.catalog import build_catalog, load_catalog
from metaflow_expert.knowledge.source import MetaflowSource, locate_source


def _registry(source: MetaflowSource) -> dict[str, list[tuple[str, str]]]:
    tree = ast.parse((source.package_dir / "plugins" / "__init__.py").read_text())
    out: dict[str, list[tuple[str, str]]] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id.endswith("_DECORATORS_DESC"):
            out[target.id] = ast.literal_eval(node.value)
    return out


def _line(source: MetaflowSource, path: str, line: int) -> str:
    return source.absolute(path).read_text().splitlines()[line - 1]


def test_every_registered_decorator_is_in_the_catalog(source, cache_dir):
    cat = load_catalog(source, cache_dir=cache_dir)
    reg = _registry(source)
    import importlib

    for list_name, kind in (("STEP_DECORATORS_DESC", "step"), ("FLOW_DECORATORS_DESC", "flow")):
        for name, dotted in reg[list_name]:
            if name.endswith("_internal"):
                assert cat.lookup(name) is None
                assert name in cat.hidden
                continue
            spec = cat.lookup(name, kind)
            assert spec is not None, name
            cls_name = dotted.rsplit(".", 1)[1]
            assert re.match(rf"\s*class {cls_name}\b", _line(source, spec.path, spec.line))
            # every key of the class's real `defaults` (as Metaflow sees it) is an argument
            mod = importlib.import_module("metaflow.plugins" + dotted.rsplit(".", 1)[0])
            real = getattr(mod, cls_name)
            assert sorted(spec.arg_names) == sorted(real.defaults), name
            assert spec.allow_multiple == bool(real.allow_multiple), name
            for arg in spec.args:
                assert arg.name in _line(source, arg.path, arg.line), (name, arg.name)


def test_known_facts_read_from_source(source, cache_dir):
    cat = load_catalog(source, cache_dir=cache_dir)
    retry = cat.step["retry"]
    assert retry.arg("times").default_src == '"3"'
    assert retry.arg("times").doc.startswith("Number of times")
    assert cat.step["card"].allow_multiple
    assert [c.name for c in cat.step["card"].current_attrs] == ["card"]
    assert "project_name" in [c.name for c in cat.flow["project"].current_attrs]
    assert {"branch", "production", "name"} <= set(cat.flow["project"].arg_names)
    assert cat.limits["retry.times.max"].value >= 1
    assert "next" in cat.reserved_names and "cmd" in cat.reserved_names
    assert cat.lint_checks["check_reserved_words"][0] == "metaflow/lint.py"


def test_citations_point_at_names(source, cache_dir):
    cat = load_catalog(source, cache_dir=cache_dir)
    for name, api in cat.api.items():
        short = name.rsplit(".", 1)[-1]
        assert short in _line(source, api.path, api.line), name
    for check, (path, line) in cat.lint_checks.items():
        assert f"def {check}(" in _line(source, path, line)
    for name, cite in cat.reserved_names.items():
        path, line = cite.rsplit(":", 1)
        assert name in _line(source, path, int(line))
    for spec in cat.all():
        for c in spec.current_attrs:
            assert c.name in _line(source, c.path, c.line)
    lim = cat.limits["retry.times.max"]
    path, line = lim.cite.rsplit(":", 1)
    assert "MAX_ATTEMPTS" in _line(source, path, int(line))


def test_catalog_is_json_and_cached(source, tmp_path):
    cat = load_catalog(source, cache_dir=tmp_path)
    assert json.loads(json.dumps(cat.to_dict()))["step"]["retry"]["name"] == "retry"
    assert list(tmp_path.glob("catalog-*.marshal"))


def test_modified_copy_shows_new_decorator_and_changed_default(metaflow_copy: Path, tmp_path):
    plugins = metaflow_copy / "metaflow" / "plugins"
    (plugins / "frobnicate_decorator.py").write_text(
        "from metaflow.decorators import StepDecorator\n\n\n"
        "class FrobnicateDecorator(StepDecorator):\n"
        '    """Frobnicates.\n\n    Parameters\n    ----------\n'
        '    level : int, default 7\n        How hard.\n    """\n\n'
        '    name = "frobnicate"\n'
        '    defaults = {"level": 7}\n'
    )
    init = plugins / "__init__.py"
    text = init.read_text().replace(
        "STEP_DECORATORS_DESC = [\n",
        'STEP_DECORATORS_DESC = [\n    ("frobnicate", ".frobnicate_decorator.FrobnicateDecorator"),\n',
    )
    init.write_text(text)
    retry = plugins / "retry_decorator.py"
    retry.write_text(retry.read_text().replace('{"times": "3"', '{"times": "5"'))
    src = locate_source(metaflow_copy)
    assert src.origin == "explicit"
    cat = load_catalog(src, cache_dir=tmp_path)
    spec = cat.step["frobnicate"]
    assert spec.arg("level").default_src == "7" and spec.arg("level").doc == "How hard."
    assert cat.step["retry"].arg("times").default_src == '"5"'
    # editing the file again invalidates the disk cache
    retry.write_text(retry.read_text().replace('{"times": "5"', '{"times": "1"'))
    assert load_catalog(src, cache_dir=tmp_path).step["retry"].arg("times").default_src == '"1"'


def test_extension_decorators(tmp_path: Path, source):
    ext = tmp_path / "ext" / "metaflow_extensions" / "acme" / "plugins"
    ext.mkdir(parents=True)
    (ext / "mfextinit_acme.py").write_text(
        'STEP_DECORATORS_DESC = [("acme_gpu", ".acme_deco.AcmeGpuDecorator")]\n'
    )
    (ext / "acme_deco.py").write_text(
        "from metaflow.decorators import StepDecorator\n\n\n"
        "class AcmeGpuDecorator(StepDecorator):\n"
        '    name = "acme_gpu"\n'
        '    defaults = {"count": 1}\n'
    )
    src = MetaflowSource(
        source.root, source.version, "explicit", (tmp_path / "ext" / "metaflow_extensions",)
    )
    cat, _ = build_catalog(src)
    spec = cat.step["acme_gpu"]
    assert spec.origin == "extension:acme"
    assert spec.path == "metaflow_extensions/acme/plugins/acme_deco.py"
    assert spec.arg_names == ["count"]
    assert "retry" in cat.step


def test_derived_checks_cite_real_lines(source, cache_dir):
    cat = load_catalog(source, cache_dir=cache_dir)
    for spec in cat.all():
        path, line = spec.registry_cite.rsplit(":", 1)
        assert f'"{spec.name}"' in _line(source, path, int(line))
        if spec.defaults_line:
            assert "defaults" in _line(source, spec.defaults_path, spec.defaults_line)
        if spec.allow_multiple_cite:
            path, line = spec.allow_multiple_cite.rsplit(":", 1)
            assert "allow_multiple" in _line(source, path, int(line))
        for method, line in spec.methods.items():
            assert f"def {method}(" in _line(source, spec.path, line)
        for arg, convs in spec.conversions.items():
            for kind, line in convs:
                text = _line(source, spec.path, line)
                assert ("is_integer" if kind == "integer" else f"{kind}(") in text, (arg, text)
        for items in spec.checks.values():
            for _names, cite in items:
                path, line = cite.rsplit(":", 1)
                assert "raise" in _line(source, path, int(line))
        for _others, line in spec.conflicts:
            assert "raise" in _line(source, spec.path, line)
    for name, cite in cat.toplevel_plugins.items():
        path, line = cite.rsplit(":", 1)
        assert f'"{name}"' in _line(source, path, int(line))
    for qual, cite in cat.framework.items():
        path, line = cite.rsplit(":", 1)
        text = _line(source, path, int(line))
        assert ("raise" in text) if qual.endswith(":raise") else (qual.split(".")[-1] in text)
