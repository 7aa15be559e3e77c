"""The real ``metaflow-checkpoint`` from the package registry, in a venv of its own.

Why: it registers ``@checkpoint``, ``@model`` and ``@huggingface_hub`` in
``metaflow_extensions/obcheckpoint/plugins/__init__.py`` (not an ``mfextinit_*.py``), the form
real extensions use; 51 uses in its own examples used to be MF302 errors. The venv lives in the
repository's ``.cache/`` (git-ignored) and is reused; it is built with the Metaflow version
installed here, and the test is skipped only when pip cannot reach the registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from metaflow_expert.explain import completions, cursor, render
from metaflow_expert.knowledge.catalog import load_catalog
from metaflow_expert.knowledge.source import locate_source
from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.parsing import parse_flow_file

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "ext-venv"
EXT = "metaflow_extensions/obcheckpoint/plugins/__init__.py"

FLOW = """\
from metaflow import FlowSpec, step, current, checkpoint, model, huggingface_hub


class CheckpointFlow(FlowSpec):
    @checkpoint(load_policy="fresh")
    @step
    def start(self):
        print(current.checkpoint)
        self.next(self.train)

    @model(load=None)
    @step
    def train(self):
        print(current.model)
        self.next(self.hub)

    @huggingface_hub(temp_dir_root=None)
    @step
    def hub(self):
        print(current.huggingface_hub)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CheckpointFlow()
"""


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.fixture(scope="module")
def venv_python() -> Path:
    py = _python()
    site = list(VENV.glob("lib/python*/site-packages")) if VENV.is_dir() else []
    if py.is_file() and site and (site[0] / EXT).is_file():
        return py
    version = locate_source().version
    try:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, timeout=300)
        pip = subprocess.run(
            [str(py), "-m", "pip", "install", "-q", f"metaflow=={version}", "metaflow-checkpoint"],
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot build the venv for metaflow-checkpoint: {exc}")
    if pip.returncode != 0:
        pytest.skip(f"pip cannot install metaflow-checkpoint: {pip.stderr.strip()[-400:]}")
    return py


@pytest.fixture(scope="module")
def catalog(venv_python, tmp_path_factory):
    source = locate_source(python=str(venv_python))
    assert source.origin == "interpreter" and source.extension_roots
    return load_catalog(source, cache_dir=tmp_path_factory.mktemp("catalog"))


def test_catalog_knows_the_extension_decorators(catalog):
    for name in ("checkpoint", "model", "huggingface_hub"):
        spec = catalog.step[name]
        assert spec.origin == "extension:obcheckpoint"
        assert spec.registry_cite.startswith(EXT + ":")
        line = (Path(catalog.root) / spec.path).read_text().splitlines()[spec.line - 1]
        assert line.startswith(f"class {spec.class_name}(")
        assert spec.args and spec.current_attrs[0].name == name
    assert "with_artifact_store" in catalog.flow


def test_flow_lints_clean_and_checks_with_metaflow(catalog, venv_python, tmp_path):
    found = analyze_text(FLOW, "flow.py", settings=LintSettings(), catalog=catalog).findings
    assert found == []
    path = tmp_path / "checkpoint_flow.py"
    path.write_text(FLOW)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "METAFLOW_USER": "tester"}
    run = subprocess.run(
        [str(venv_python), path.name, "--no-pylint", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]


def test_hover_and_completion(catalog):
    model = parse_flow_file(FLOW, "flow.py")
    lines = FLOW.splitlines()
    for name in ("checkpoint", "model", "huggingface_hub"):
        row = next(i for i, ln in enumerate(lines) if ln.startswith(f"    @{name}("))
        md = render.render(cursor.locate(model, row, 6), catalog=catalog)
        spec = catalog.step[name]
        assert md is not None and f"{spec.path}:{spec.line}" in md
    typed = FLOW.replace('    @checkpoint(load_policy="fresh")\n', "    @\n")
    m2 = parse_flow_file(typed, "flow.py")
    row = typed.splitlines().index("    @")
    labels = {i.label for i in completions.complete(m2, row, 5, catalog)}
    assert {"checkpoint", "model", "huggingface_hub"} <= labels
