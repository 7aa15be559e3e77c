"""Extensions read as Metaflow's loader reads them, on synthetic packages built per test.

Two namespace portions of ``metaflow_extensions`` (as two site-packages folders give): ``acme``
registers in ``plugins/__init__.py``, switches off core ``@batch`` and promotes a submodule;
``beta`` registers in ``plugins/mfextinit_beta.py`` (so its ``plugins/__init__.py`` is not the
configuration Metaflow reads). The real Metaflow beside metaflow-expert is the core.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from metaflow_expert.explain import completions, cursor, render
from metaflow_expert.knowledge.catalog import load_catalog
from metaflow_expert.knowledge.docs import generate_docs
from metaflow_expert.knowledge.extensions import plugin_modules
from metaflow_expert.knowledge.source import MetaflowSource, locate_source
from metaflow_expert.knowledge.symbols import SymbolIndex
from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.parsing import parse_flow_file

ACME_INIT = """\
STEP_DECORATORS_DESC = [
    ("acme_gpu", ".acme_gpu.AcmeGpuDecorator"),
    ("promoted", "metaflow.plugins.acme_tools.PromotedDecorator"),
    ("acme_gang", ".gang.GangDecorator"),
]
FLOW_DECORATORS_DESC = [("acme_board", ".board.BoardDecorator")]
TOGGLE_STEP_DECORATOR = ["-batch"]
__mf_promote_submodules__ = ["acme_tools"]
"""

ACME_GPU = '''\
from metaflow.decorators import StepDecorator


class AcmeGpuDecorator(StepDecorator):
    """
    Runs the step on an Acme GPU.

    Parameters
    ----------
    gpus : int
        How many GPUs.
    result : str
        Artifact that receives the result.
    """

    name = "acme_gpu"
    defaults = {"gpus": 1, "result": None}

    def task_post_step(self, step_name, flow, graph, retry_count, max_user_code_retries):
        flow.acme_log = "done"
        self._store(flow, "value")

    def _store(self, flow, value):
        setattr(flow, self.attributes["result"], value)
'''

BOARD = '''\
from metaflow.decorators import FlowDecorator


class BoardDecorator(FlowDecorator):
    """Adds a board to every step."""

    name = "acme_board"
    defaults = {}

    def flow_init(self, flow, graph, environment, flow_datastore, metadata, logger, echo, options):
        setattr(flow, "board", object())
'''

PROMOTED = '''\
from metaflow.decorators import StepDecorator


class PromotedDecorator(StepDecorator):
    """Reached through metaflow.plugins.acme_tools."""

    name = "promoted"
    defaults = {"level": 2}
'''

GANG = '''\
from metaflow.plugins.parallel_decorator import ParallelDecorator


class GangDecorator(ParallelDecorator):
    """A gang of workers (parallel, as its base class says)."""

    name = "acme_gang"
    defaults = {"workers": 2}
'''

BETA_CONFIG = """\
STEP_DECORATORS_DESC = [("beta_deco", ".beta.BetaDecorator")]
"""
BETA_INIT = """\
STEP_DECORATORS_DESC = [("not_read", ".beta.BetaDecorator")]
"""
BETA = '''\
from metaflow.decorators import StepDecorator


class BetaDecorator(StepDecorator):
    """Beta."""

    name = "beta_deco"
    defaults = {"mode": "fast"}
'''


def _write(root: Path, rel: str, text: str) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


@pytest.fixture
def ext_source(tmp_path: Path) -> MetaflowSource:
    site_a = tmp_path / "site_a" / "metaflow_extensions"
    site_b = tmp_path / "site_b" / "metaflow_extensions"
    _write(site_a, "acme/plugins/__init__.py", ACME_INIT)
    _write(site_a, "acme/plugins/acme_gpu.py", ACME_GPU)
    _write(site_a, "acme/plugins/board.py", BOARD)
    _write(site_a, "acme/plugins/acme_tools/__init__.py", PROMOTED)
    _write(site_a, "acme/plugins/gang.py", GANG)
    _write(site_a, "acme/toplevel/__init__.py", 'toplevel = "aliases"\n')
    _write(site_a, "acme/toplevel/aliases.py", "def acme_profile(f=None, **kw):\n    return f\n")
    _write(site_b, "beta/plugins/mfextinit_beta.py", BETA_CONFIG)
    _write(site_b, "beta/plugins/__init__.py", BETA_INIT)
    _write(site_b, "beta/plugins/beta.py", BETA)
    core = locate_source()
    return MetaflowSource(core.root, core.version, "explicit", (site_a, site_b))


def test_configuration_files_as_the_loader_picks_them(ext_source):
    mods = plugin_modules(ext_source)
    assert [(m.org, m.rel) for m in mods] == [
        ("acme", "metaflow_extensions/acme/plugins/__init__.py"),
        ("beta", "metaflow_extensions/beta/plugins/mfextinit_beta.py"),
    ]


def test_extension_decorators_toggles_and_promotions(ext_source, tmp_path):
    cat = load_catalog(ext_source, cache_dir=tmp_path / "cache")
    gpu = cat.step["acme_gpu"]
    assert gpu.origin == "extension:acme"
    assert gpu.cite == "metaflow_extensions/acme/plugins/acme_gpu.py:4"
    assert gpu.arg_names == ["gpus", "result"]
    assert gpu.arg("gpus").doc == "How many GPUs."
    assert gpu.registry_cite == "metaflow_extensions/acme/plugins/__init__.py:2"
    # attributes its code sets: a literal, and the argument naming one (through a helper)
    assert "acme_log" in gpu.sets_attrs and gpu.var_args == ["result"] and not gpu.sets_unknown
    assert cat.flow["acme_board"].sets_attrs == ["board"]
    # __mf_promote_submodules__: metaflow.plugins.acme_tools is the extension's module
    assert cat.step["promoted"].path == "metaflow_extensions/acme/plugins/acme_tools/__init__.py"
    # the second namespace portion, through its mfextinit_*.py (its __init__.py is not read)
    assert cat.step["beta_deco"].origin == "extension:beta"
    assert "not_read" not in cat.step
    # TOGGLE_STEP_DECORATOR = ["-batch"]: Metaflow no longer registers @batch
    assert "batch" not in cat.step and "kubernetes" in cat.step
    assert cat.disabled == {"batch": "metaflow_extensions/acme/plugins/__init__.py:7"}
    # the toplevel extension point adds names to ``metaflow`` itself
    assert "acme_profile" in cat.toplevel_names
    # a subclass of core's ParallelDecorator is a parallel decorator for the graph
    assert "acme_gang" in cat.facts.parallel_decorators


def test_a_new_extension_invalidates_the_cached_catalog(ext_source, tmp_path):
    cache = tmp_path / "cache"
    assert "gamma_deco" not in load_catalog(ext_source, cache_dir=cache).step
    site_b = ext_source.extension_roots[1]
    _write(site_b, "gamma/plugins/__init__.py", 'STEP_DECORATORS_DESC = [("gamma_deco", ".g.G")]\n')
    _write(site_b, "gamma/plugins/g.py", 'class G:\n    name = "gamma_deco"\n    defaults = {}\n')
    assert "gamma_deco" in load_catalog(ext_source, cache_dir=cache).step
    # and an edit to a configuration file does too (it is stamped)
    _write(
        ext_source.extension_roots[0],
        "acme/plugins/__init__.py",
        ACME_INIT.replace("-batch", "+batch"),
    )
    cat = load_catalog(ext_source, cache_dir=cache)
    assert "batch" in cat.step and not cat.disabled


FLOW = """\
from metaflow import FlowSpec, step, acme_gpu, acme_board, batch


@acme_board
class F(FlowSpec):
    @acme_gpu(gpus=2, result="score")
    @step
    def start(self):
        self.next(self.end)

    @batch
    @step
    def end(self):
        print(self.score, self.acme_log, self.board)
"""


def _lint(text: str, cat):
    return analyze_text(textwrap.dedent(text), "flow.py", settings=LintSettings(), catalog=cat)


def test_lint_hover_completion_and_docs_know_extension_decorators(ext_source, tmp_path):
    cat = load_catalog(ext_source, cache_dir=tmp_path / "cache")
    found = {(f.code, f.severity.value) for f in _lint(FLOW, cat).findings}
    # @batch is switched off: an error; the extension's attributes are set, not missing
    assert found == {("MF302", "error")}
    gang = """\
    from metaflow import FlowSpec, step, acme_gang

    class G(FlowSpec):
        @step
        def start(self):
            self.next(self.train, num_parallel=2)

        @acme_gang
        @step
        def train(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.next(self.end)

        @step
        def end(self):
            pass
    """
    assert _lint(gang, cat).findings == []
    plain = _lint(gang.replace("@acme_gang", "@acme_gpu").replace("acme_gang", "acme_gpu"), cat)
    assert [f.code for f in plain.findings] == ["MF116"]
    (off,) = [f for f in _lint(FLOW, cat).findings if f.code == "MF302"]
    assert "switched off" in off.message and off.cites.endswith("__init__.py:7")
    bad = FLOW.replace("gpus=2", "gpu=2")
    (f,) = [f for f in _lint(bad, cat).findings if f.code == "MF301"]
    assert "Did you mean *gpus*?" in f.message
    model = parse_flow_file(FLOW, "flow.py")
    line = FLOW.splitlines().index('    @acme_gpu(gpus=2, result="score")')
    md = render.render(cursor.locate(model, line, 6), catalog=cat)
    # this use sets gpus=2: listed first, by name, not in the table of the other arguments
    assert "acme_gpu.py:4" in md and "- `gpus` = `2`" in md
    typed = FLOW.replace('    @acme_gpu(gpus=2, result="score")\n', "    @acme\n")
    m2 = parse_flow_file(typed, "flow.py")
    row = typed.splitlines().index("    @acme")
    labels = [i.label for i in completions.complete(m2, row, 9, cat)]
    assert "acme_gpu" in labels
    doc = generate_docs(ext_source, SymbolIndex([], []), cat)["apis_and_interfaces.md"]
    assert "### @acme_gpu" in doc and "From the extension package `acme`" in doc
    assert "switched off by installed extensions" in doc


def test_registry_resolution_follows_process_plugins():
    from metaflow_expert.knowledge.catalog_build import Entry, Toggle, resolve_registry

    core = [Entry("step", n, f"m.{n}", 1, "metaflow", "core") for n in ("batch", "retry")]
    ext = [Entry("step", "retry", "x.Retry", 2, "extension:x", "ext")]  # overrides core's
    toggles = [Toggle("step", "-batch", "ext:3"), Toggle("step", "+batch", "ext:4")]
    on, off = resolve_registry(core + ext, toggles, {})
    assert set(on["step"]) == {"batch", "retry"} and on["step"]["retry"].dotted == "x.Retry"
    on, off = resolve_registry(core, toggles[:1], {})
    assert set(on["step"]) == {"retry"} and off["step"] == {"batch": "ext:3"}
    # an ENABLED_STEP_DECORATOR list replaces the merged one, toggles ignored
    on, off = resolve_registry(core, toggles[1:], {"step": [Toggle("step", "batch", "ext:9")]})
    assert set(on["step"]) == {"batch"} and off["step"] == {"retry": "ext:9"}


def test_a_toplevel_function_decorator_is_known_but_opaque(ext_source, tmp_path):
    cat = load_catalog(ext_source, cache_dir=tmp_path / "cache")
    src = """\
    from metaflow import FlowSpec, step, acme_profile

    class P(FlowSpec):
        @acme_profile(interval=1)
        @step
        def start(self):
            self.next(self.end)

        @step
        def end(self):
            print(self.profile_report)
    """
    # importable (no MF302), and what it does to the step is unknown (no MF203)
    assert _lint(src, cat).findings == []
