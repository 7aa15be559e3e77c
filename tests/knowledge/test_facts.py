"""MetaflowFacts against the installed Metaflow (read independently here), and the catalog
carrying them through the disk cache."""

from __future__ import annotations

import ast
import json
import marshal
import re
from pathlib import Path

from metaflow_expert.knowledge import catalog as catalog_mod
from metaflow_expert.knowledge.catalog import DecoratorCatalog, flowspec_members_of, load_catalog
from metaflow_expert.knowledge.facts import (
    EMPTY_FACTS,
    default_facts,
    facts_for,
    facts_stamps,
    read_facts,
)
from metaflow_expert.knowledge.source import MetaflowSource, locate_source


def _lint_function(source: MetaflowSource, name: str) -> ast.FunctionDef:
    tree = ast.parse((source.package_dir / "lint.py").read_text(encoding="utf-8"))
    (fn,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    return fn


def test_parallel_decorators_are_the_is_parallel_classes(source: MetaflowSource) -> None:
    from metaflow.plugins import STEP_DECORATORS

    expected = {d.name for d in STEP_DECORATORS if getattr(d, "IS_PARALLEL", False)}
    assert expected  # @parallel at least: the test would prove nothing on an empty set
    assert read_facts(source.root).parallel_decorators == frozenset(expected)


def test_reserved_step_names_are_lint_py_set(source: MetaflowSource) -> None:
    fn = _lint_function(source, "check_reserved_words")
    (literal,) = [n for n in ast.walk(fn) if isinstance(n, ast.Set)]
    expected = frozenset(ast.literal_eval(literal))
    assert "next" in expected
    assert read_facts(source.root).reserved_step_names == expected


def test_step_name_pattern_is_lint_py_pattern(source: MetaflowSource) -> None:
    fn = _lint_function(source, "check_step_names")
    text = ast.get_source_segment((source.package_dir / "lint.py").read_text(), fn) or ""
    m = re.search(r"re\.search\(\s*(['\"])(.*?)\1", text)
    assert m is not None
    pattern = read_facts(source.root).step_name_pattern
    assert pattern == m.group(2)
    assert re.search(pattern, "Bad-Name") and not re.search(pattern, "good_name")


def test_reserved_parameter_names_and_their_cite(source: MetaflowSource) -> None:
    f = read_facts(source.root)
    assert {"tags", "namespace", "run_id", "run-id"} <= f.reserved_parameter_names
    assert all(
        n.replace("-", "_") in f.reserved_parameter_names for n in f.reserved_parameter_names
    )
    assert f.reserved_parameter_cite is not None
    path, line = f.reserved_parameter_cite.rsplit(":", 1)
    assert path == "metaflow/parameters.py"
    text = (Path(source.root) / path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert "reserved" in text  # the assignment the names come from starts on that line


def test_default_facts_are_those_of_the_interpreters_metaflow() -> None:
    root = locate_source().root
    assert facts_for(None) == default_facts() == read_facts(root)
    assert facts_for(None).root == str(root)


def test_no_metaflow_gives_empty_facts(tmp_path: Path) -> None:
    f = read_facts(tmp_path)
    assert f == EMPTY_FACTS
    assert facts_stamps(tmp_path) == {}


def _tiny_tree(root: Path, marker: str = "True") -> Path:
    pkg = root / "metaflow"
    (pkg / "plugins").mkdir(parents=True)
    (pkg / "lint.py").write_text(
        "import re\n\n"
        "def check_reserved_words(graph):\n"
        "    RESERVED = {'name', 'next'}\n\n"
        "def check_step_names(graph):\n"
        "    if re.search('[^a-z]', 'x'):\n"
        "        pass\n"
    )
    (pkg / "parameters.py").write_text(
        "class Parameter(object):\n"
        "    def __init__(self):\n"
        "        reserved_params = [\n"
        "            'run-id',\n"
        "        ]\n"
    )
    deco = pkg / "plugins" / "gang.py"
    deco.write_text(
        f"class GangDecorator(StepDecorator):\n    name = 'gang'\n    IS_PARALLEL = {marker}\n\n"
        "class SubGang(GangDecorator):\n    name = 'subgang'\n"
    )
    return deco


def test_read_facts_of_a_tree_and_reread_when_a_file_changes(tmp_path: Path) -> None:
    deco = _tiny_tree(tmp_path)
    f = read_facts(tmp_path)
    assert f.root == str(tmp_path)
    assert f.parallel_decorators == {"gang", "subgang"}
    assert f.reserved_step_names == {"name", "next"}
    assert f.step_name_pattern == "[^a-z]"
    assert f.reserved_parameter_names == {"run-id", "run_id"}
    assert f.reserved_parameter_cite == "metaflow/parameters.py:3"
    assert read_facts(tmp_path) is f  # memoized
    assert set(facts_stamps(tmp_path)) == {
        "metaflow/lint.py",
        "metaflow/parameters.py",
        "metaflow/plugins/gang.py",
    }
    deco.write_text(deco.read_text().replace("IS_PARALLEL = True", "IS_PARALLEL = False"))
    assert read_facts(tmp_path).parallel_decorators == frozenset()


# -- the catalog carries them ----------------------------------------------------------------


def test_catalog_facts_and_flowspec_members(source: MetaflowSource, cache_dir: Path) -> None:
    cat = load_catalog(source, cache_dir=cache_dir)
    assert cat.facts == read_facts(source.root)
    assert facts_for(cat) is cat.facts
    assert {"next", "input", "merge_artifacts", "foreach_stack", "index"} <= cat.flowspec_members
    assert set(cat.reserved_names) <= cat.flowspec_members
    assert cat.flowspec_members == flowspec_members_of(cat.reserved_names, cat.api)


def test_catalog_names_are_computed_once_per_catalog(
    source: MetaflowSource, cache_dir: Path
) -> None:
    """``DecoratorCatalog.derived_names`` is memoized per catalog object (rules ask on every analysis), and a copy
    of the catalog, equal but another object, gets its own equal names."""
    cat = load_catalog(source, cache_dir=cache_dir)
    names = cat.derived_names
    assert cat.derived_names is names
    assert {"step", "FlowSpec", "Parameter", "current"} <= names.importable
    assert set(cat.step) | set(cat.flow) <= names.importable
    providers = names.current_providers
    assert "card" in providers and "card" in providers["card"][0]
    assert all(f"current.{attr}" not in cat.api for attr in providers)
    copy = DecoratorCatalog.from_dict(json.loads(json.dumps(cat.to_dict())))
    assert copy.derived_names is not names and copy.derived_names == names


def test_catalog_round_trips_with_facts(source: MetaflowSource, tmp_path: Path) -> None:
    cat = load_catalog(source, cache_dir=tmp_path)
    again = DecoratorCatalog.from_dict(json.loads(json.dumps(cat.to_dict())))
    assert again == cat
    catalog_mod._MEMO.clear()  # force the disk cache
    cached = load_catalog(source, cache_dir=tmp_path)
    assert cached is not cat
    assert cached == cat
    assert cached.facts == cat.facts and cached.flowspec_members == cat.flowspec_members


def test_old_layout_cache_is_rebuilt(source: MetaflowSource, tmp_path: Path) -> None:
    cat = load_catalog(source, cache_dir=tmp_path)
    (path,) = tmp_path.glob("catalog-*.marshal")
    data = marshal.loads(path.read_bytes())
    old = dict(data["catalog"])
    del old["facts"], old["flowspec_members"]
    old["parallel_step_decorators"] = sorted(cat.facts.parallel_decorators)
    path.write_bytes(marshal.dumps({**data, "catalog": old}))
    catalog_mod._MEMO.clear()
    rebuilt = load_catalog(source, cache_dir=tmp_path)
    assert rebuilt == cat
    assert "facts" in marshal.loads(path.read_bytes())["catalog"]  # and saved anew


def test_catalog_cache_follows_the_facts_files(metaflow_copy: Path, tmp_path: Path) -> None:
    """Every file the facts were read from is stamped with the catalog: an edit to any plugin
    file (not only a registered decorator's) rebuilds it."""
    src = locate_source(metaflow_copy)
    _, build_stamps = catalog_mod.build_catalog(src)
    plugin_files = sorted(facts_stamps(src.root))
    assert len(plugin_files) > 50 and set(plugin_files) <= set(build_stamps)
    cat = load_catalog(src, cache_dir=tmp_path)
    assert "frobpar" not in cat.facts.parallel_decorators
    target = Path(src.root) / plugin_files[-1]
    target.write_text(
        target.read_text()
        + "\n\nclass FrobPar(object):\n    name = 'frobpar'\n    IS_PARALLEL = True\n"
    )
    catalog_mod._MEMO.clear()
    assert "frobpar" in load_catalog(src, cache_dir=tmp_path).facts.parallel_decorators
