"""The "Run with…" payload (pure): Parameters and Configs with Metaflow's flags, the run
settings as from_conf would resolve them, and a warning per decorator whose own check refuses
them. The environment and config files are the test's own."""

from __future__ import annotations

import json
from pathlib import Path

from metaflow_expert.explain.run_options import Choices, run_options
from metaflow_expert.knowledge.catalog import load_catalog
from metaflow_expert.parsing import parse_flow_file

FLOW = """
from metaflow import FlowSpec, Parameter, Config, step, batch, retry

class TrainFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5, help="Learning rate")
    n_rounds = Parameter("n_rounds", type=int, required=True)
    cfg = Config("cfg", default="config.json")

    @batch(cpu=2)
    @retry
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def _options(tmp_path: Path, env: dict[str, str] | None = None, choices: Choices | None = None):
    flow = parse_flow_file(FLOW).flows[0]
    return run_options(
        flow,
        load_catalog(),
        choices,
        env=env or {"METAFLOW_HOME": str(tmp_path / "home")},
        cwd=tmp_path,
    )


def _line(cite: str) -> str:
    path, line = cite.rsplit(":", 1)
    root = Path(load_catalog().root)
    return (root / path).read_text().splitlines()[int(line) - 1]


def test_parameters_configs_and_flags(tmp_path):
    opts = _options(tmp_path)
    params = {p.name: p for p in opts.parameters}
    assert params["alpha"].flag == "--alpha" and params["alpha"].default == "0.5"
    assert params["alpha"].type == "float" and params["alpha"].help == "Learning rate"
    assert params["n_rounds"].required and not params["n_rounds"].has_default
    assert params["n_rounds"].type == "int"
    (cfg,) = opts.configs
    assert (cfg.name, cfg.default_file) == ("cfg", "config.json")
    assert opts.flags["config"] == "--config" and opts.flags["configValue"] == "--config-value"
    assert opts.decorators == ["batch", "retry"]


def test_batch_on_the_default_local_datastore_warns_with_the_check_line(tmp_path):
    opts = _options(tmp_path)
    (warning,) = opts.warnings
    assert warning.decorator == "batch" and warning.steps == ["start"]
    assert warning.current == "local" and warning.allowed == ["s3"]
    assert "--datastore=s3" in warning.message and "METAFLOW_DEFAULT_DATASTORE" in warning.source
    assert "flow_datastore.TYPE" in _line(warning.cite)
    settings = {s.name: s for s in opts.settings}
    assert '"local"' in _line(settings["datastore"].cite)


def test_the_setting_is_resolved_like_from_conf(tmp_path):
    # the environment wins
    assert _options(tmp_path, {"METAFLOW_DEFAULT_DATASTORE": "s3"}).warnings == []
    # then the global config file (METAFLOW_HOME, METAFLOW_PROFILE)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config_team.json").write_text(json.dumps({"METAFLOW_DEFAULT_DATASTORE": "s3"}))
    env = {"METAFLOW_HOME": str(home), "METAFLOW_PROFILE": "team"}
    opts = _options(tmp_path, env)
    assert opts.warnings == []
    ds = next(s for s in opts.settings if s.name == "datastore")
    assert ds.value == "s3" and "config_team.json" in ds.source
    # the local config up from the flow's folder comes before the global one
    local = tmp_path / ".metaflow"
    local.mkdir()
    (local / "config.json").write_text(json.dumps({"METAFLOW_DEFAULT_DATASTORE": "local"}))
    assert [w.decorator for w in _options(tmp_path, env).warnings] == ["batch"]
    # an option picked for the run beats them all
    assert _options(tmp_path, env, Choices({"datastore": "s3"})).warnings == []


def test_a_with_decorator_is_checked_too(tmp_path):
    opts = _options(
        tmp_path, {"METAFLOW_DEFAULT_DATASTORE": "s3"}, Choices(with_specs=["pypi:python=3.11"])
    )
    (warning,) = opts.warnings
    assert warning.decorator == "pypi" and "--with" in warning.message
    assert warning.setting == "environment" and warning.current == "local"
    picked = Choices({"environment": "pypi"}, ["pypi:python=3.11"])
    assert _options(tmp_path, {"METAFLOW_DEFAULT_DATASTORE": "s3"}, picked).warnings == []


def test_without_a_catalog_only_the_flow_is_described(tmp_path):
    flow = parse_flow_file(FLOW).flows[0]
    opts = run_options(flow, None, env={}, cwd=tmp_path)
    assert [p.name for p in opts.parameters] == ["alpha", "n_rounds"]
    assert opts.warnings == [] and opts.settings == []


def test_the_clients_choices_are_read_defensively():
    from metaflow_expert.lsp.run_options import choices_of

    assert choices_of(None) == Choices()
    got = choices_of(
        {"settings": {"datastore": "s3", "environment": "", "x": 3}, "with": ["retry", 4]}
    )
    assert got == Choices({"datastore": "s3"}, ["retry"])
    assert choices_of({"settings": [], "with": "retry"}) == Choices()


def test_a_config_file_that_is_a_fifo_or_oversized_is_refused_not_read(tmp_path):
    """Metaflow's config file is read on the request workers: a FIFO under its name (opening
    it for reading would wait for a writer forever) or a file larger than any config is
    refused with a clear reason, and the setting falls back to its default."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from metaflow_expert.explain.run_options import read_json_file
    from metaflow_expert.safe_read import MAX_CONFIG_BYTES, read_regular_file

    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # nobody writes: a plain open() would block
    big = tmp_path / "big.json"
    big.write_bytes(b'{"METAFLOW_DEFAULT_DATASTORE": "s3"}' + b" " * MAX_CONFIG_BYTES)
    with ThreadPoolExecutor(1) as pool:  # a regression hangs this test, not the suite
        assert pool.submit(read_json_file, fifo).result(timeout=10) is None
        assert pool.submit(read_json_file, big).result(timeout=10) is None
    assert read_regular_file(fifo, MAX_CONFIG_BYTES) == (
        None,
        f"{fifo}: a FIFO, not a regular file; not read",
    )
    assert read_regular_file(big, MAX_CONFIG_BYTES) == (
        None,
        f"{big}: larger than {MAX_CONFIG_BYTES} bytes; not read",
    )
    home = tmp_path / "home"
    home.mkdir()
    os.mkfifo(home / "config.json")
    with ThreadPoolExecutor(1) as pool:
        opts = pool.submit(_options, tmp_path).result(timeout=60)
    ds = next(s for s in opts.settings if s.name == "datastore")
    assert ds.value == "local" and ds.source.startswith("default of ")
