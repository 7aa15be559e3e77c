"""Run facts read from the installed Metaflow: each decorator's own datastore/environment check
(cited at the line that checks), the run settings and their from_conf defaults, the flags."""

from __future__ import annotations

from pathlib import Path

from metaflow_expert.knowledge.catalog import load_catalog
from metaflow_expert.knowledge.catalog_model import DecoratorCatalog
from metaflow_expert.knowledge.declarations import WILDCARD
from metaflow_expert.knowledge.entries import CLI_OPTION, CONFIG, Entry
from metaflow_expert.knowledge.source import MetaflowSource, locate_source


def _line(source: MetaflowSource, cite: str) -> str:
    path, line = cite.rsplit(":", 1)
    return source.absolute(path).read_text().splitlines()[int(line) - 1]


def test_batch_requires_the_s3_datastore_cited_at_its_check(source, cache_dir):
    run = load_catalog(source, cache_dir=cache_dir).run
    (req,) = run.requirements_of("batch")
    assert (req.setting, req.allowed, req.hook) == ("datastore", ["s3"], "step_init")
    line = _line(source, req.cite)
    assert "flow_datastore.TYPE" in line and '"s3"' in line
    assert "--datastore=s3" in req.message


def test_kubernetes_and_the_virtual_environments(source, cache_dir):
    run = load_catalog(source, cache_dir=cache_dir).run
    (k8s,) = run.requirements_of("kubernetes")
    assert k8s.setting == "datastore" and "s3" in k8s.allowed and "local" not in k8s.allowed
    for name, kind in (("pypi", "step"), ("conda", "step"), ("pypi_base", "flow")):
        reqs = run.requirements_of(name, kind)
        assert reqs, name
        assert all(r.setting == "environment" for r in reqs)
        # the supported list is built in the method itself (``_supported_virtual_envs``)
        assert {"conda", "pypi"} <= set(reqs[0].allowed) and "local" not in reqs[0].allowed
        assert "environment.TYPE" in _line(source, reqs[0].cite)
    # a decorator without such a check demands nothing
    assert run.requirements_of("retry") == []


def test_settings_defaults_and_flags_come_from_the_cited_source(source, cache_dir):
    run = load_catalog(source, cache_dir=cache_dir).run
    ds = run.settings["datastore"]
    assert ds.option == "--datastore" and '"--datastore"' in _line(source, ds.option_cite)
    assert ds.config_key == "METAFLOW_DEFAULT_DATASTORE"
    assert f'"{ds.default}"' in _line(source, ds.default_cite)
    assert "s3" in ds.choices and ds.default in ds.choices
    env = run.settings["environment"]
    assert "pypi" in env.choices and env.default in env.choices
    assert run.parameter_prefix == "--" and "arg.name" in _line(source, run.parameter_cite)
    assert run.config_file_flag is not None and run.config_value_flag is not None
    assert '"--config"' in _line(source, run.config_file_flag.cite)
    assert '"--config-value"' in _line(source, run.config_value_flag.cite)
    assert run.with_flag is not None and '"--with"' in _line(source, run.with_flag.cite)
    files = run.config_files
    assert files is not None and files.prefix == "METAFLOW_"
    assert files.home_var and files.profile_var and "%s" in files.profile_file
    assert "environ.get" in _line(source, files.cite)


def test_run_facts_survive_the_cache_round_trip(source, cache_dir):
    cat = load_catalog(source, cache_dir=cache_dir)
    assert DecoratorCatalog.from_dict(cat.to_dict()).run == cat.run


def test_a_new_check_in_a_copy_is_read(metaflow_copy: Path, tmp_path):
    """A decorator of the copy that refuses every datastore but azure, with a local list."""
    plugins = metaflow_copy / "metaflow" / "plugins"
    (plugins / "frob_decorator.py").write_text(
        "from metaflow.decorators import StepDecorator\n\n\n"
        "class FrobDecorator(StepDecorator):\n"
        '    name = "frob"\n'
        "    defaults = {}\n\n"
        "    def step_init(self, flow, graph, step, decos, environment, flow_datastore, logger):\n"
        '        ok = ["azure"]\n'
        '        ok.append("gs")\n'
        "        if flow_datastore.TYPE not in ok:\n"
        '            raise Exception("frob needs azure")\n'
    )
    init = plugins / "__init__.py"
    init.write_text(
        init.read_text().replace(
            "STEP_DECORATORS_DESC = [\n",
            'STEP_DECORATORS_DESC = [\n    ("frob", ".frob_decorator.FrobDecorator"),\n',
        )
    )
    src = locate_source(metaflow_copy)
    (req,) = load_catalog(src, cache_dir=tmp_path).run.requirements_of("frob")
    assert (req.allowed, req.message, req.line) == (["azure", "gs"], "frob needs azure", 11)


def test_run_facts_and_index_entries_read_the_same_declarations(source, cache_dir, index):
    """One reader per declaration (``knowledge/declarations.py``): every CLI flag and config
    default the "Run with…" facts cite is the very option or config entry the search index
    holds, at the same line, with the same names and values."""
    run = load_catalog(source, cache_dir=cache_dir).run
    by_cite: dict[str, list[Entry]] = {}
    for e in index.entries.all:
        by_cite.setdefault(e.cite, []).append(e)

    def entry(cite: str, kind: str) -> Entry:
        (found,) = [e for e in by_cite.get(cite, []) if e.kind == kind]
        return found

    for setting in run.settings.values():
        option = entry(setting.option_cite, CLI_OPTION)
        assert option.text.split(" / ")[0] == setting.option
        config = entry(setting.default_cite, CONFIG)
        assert config.text == setting.config_key and config.default == f'"{setting.default}"'
    flags = [run.with_flag, run.config_file_flag, run.config_value_flag]
    for flag in flags:
        assert flag is not None
        assert entry(flag.cite, CLI_OPTION).text.split(" / ")[0] == flag.option
    parameter = entry(run.parameter_cite, CLI_OPTION)
    assert parameter.text == run.parameter_prefix + WILDCARD
