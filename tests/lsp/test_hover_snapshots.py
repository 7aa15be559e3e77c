"""One hover per target kind: its first line says what this is (and, for a call, what this
call does), and the whole hover stays under a size budget (issue 14, items 4 and 5).

The budget: HOVER_BUDGET characters of markdown. ``@batch``, the largest decorator, is the
case that sets it: a summary line, the arguments this use sets with their docs, then a
shortened table of its ~20 other arguments. Everything longer is one link away.
"""

from __future__ import annotations

import re

import pytest

from metaflow_expert.explain import cursor, render
from metaflow_expert.parsing import parse_flow_file

HOVER_BUDGET = 3500

FLOW = '''from metaflow import Config, FlowSpec, Parameter, batch, current, retry, step


class SnapFlow(FlowSpec):
    """Snapshots."""

    alpha = Parameter("alpha", default=0.5, help="Learning rate.")
    cfg = Config("cfg", default="config.json")

    @step
    def start(self):
        self.folds = [1, 2, 3]
        self.next(self.train_fold, foreach="folds")

    @batch(cpu=4, memory=1000)
    @retry(times=2)
    @step
    def train_fold(self):
        self.score = self.input * self.alpha
        print(current.retry_count)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.best = max(i.score for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.best)
'''

# (needle, offset into it, expected target kind, expected start of the hover's first line)
CASES = [
    ("@batch", 2, "decorator", "**@batch** — step decorator"),
    ("times=2", 1, "decorator_arg", "**@retry(times=…)**"),
    (
        "self.next(self.train_fold",
        6,
        "next_call",
        "**self.next** — This call: a foreach over `self.folds` into `train_fold`.",
    ),
    ("self.input", 7, "input", "**self.input** — in `train_fold`, one item of `self.folds`"),
    ("def join", 5, "step_def", "**step `join`** of `SnapFlow`"),
    ("current.retry_count", 9, "metaflow_attr", "**current.retry_count**"),
    ("alpha = Parameter", 1, "parameter", "**Parameter `alpha`**"),
    ("cfg = Config", 1, "parameter", "**Config `cfg`**"),
    ("self.best)", 6, "artifact", "**artifact `self.best`** of `SnapFlow`"),
]


@pytest.fixture(scope="module")
def index():
    from metaflow_expert.knowledge.index import load_index

    return load_index()


@pytest.fixture(scope="module")
def catalog(index):
    return index.catalog


def _hover(needle: str, offset: int, catalog, entries=None) -> tuple[str, str]:
    m = parse_flow_file(FLOW, "<memory>")
    idx = FLOW.index(needle) + offset
    line = FLOW.count("\n", 0, idx)
    col = idx - (FLOW.rfind("\n", 0, idx) + 1)
    t = cursor.locate(m, line, col)
    assert t is not None, needle
    md = render.render(t, catalog=catalog, graph=None, entries=entries)
    assert md is not None, needle
    return t.kind, md


@pytest.mark.parametrize(("needle", "offset", "kind", "first"), CASES)
def test_hover_leads_with_this_use_and_stays_short(needle, offset, kind, first, catalog):
    got_kind, md = _hover(needle, offset, catalog)
    assert got_kind == kind
    assert md.split("\n", 1)[0].startswith(first), md[:300]
    assert len(md) <= HOVER_BUDGET, (needle, len(md))
    assert "(MetaflowNotFound)" not in md and "hover again" not in md


def test_a_config_hover_claims_no_made_up_flag(catalog):
    _kind, md = _hover("cfg = Config", 1, catalog)
    assert "--cfg" not in md


def test_a_config_hover_shows_its_real_flags_cited(index):
    """``--config <name> <path>`` / ``--config-value <name> <value>``: the run-time click
    options of ``config_options.py``, each cited at a line that names it (issue 14 item 4)."""
    _kind, md = _hover("cfg = Config", 1, index.catalog, index.entries)
    assert "--cfg" not in md
    assert md.split("\n", 1)[0] == "**Config `cfg`**"
    flags = re.findall(r"`(--config(?:-value)? cfg[^`]*)` \(`([^`]+):(\d+)`\)", md)
    assert [f.split()[0] for f, _p, _l in flags] == ["--config", "--config-value"], md
    for flag, path, line in flags:
        assert index.check_citation(path, int(line))
        assert flag.split()[0] in index.read_source(path, int(line), int(line))[0][1]
    assert len(md) <= HOVER_BUDGET


def test_a_parameter_flag_comes_from_the_cli_definition(index):
    """``--alpha``: the option Metaflow builds as ``"--" + name``, cited where it does."""
    _kind, md = _hover("alpha = Parameter", 1, index.catalog, index.entries)
    assert md.split("\n", 1)[0] == "**Parameter `alpha`** (`--alpha`)"
    m = re.search(r"`--alpha` \(`([^`]+):(\d+)`\)", md)
    assert m is not None, md
    text = index.read_source(m.group(1), int(m.group(2)), int(m.group(2)))[0][1]
    assert '"--"' in text and "Option" in text


def test_numpy_sections_become_lists():
    text = "Doc.\n\nParameters\n----------\nname : str\n    The name.\n"
    md = render.numpy_sections_as_lists(text)
    assert "**Parameters**" in md and "- `name : str` — The name." in md
    fenced = "Use:\n```\nx\n    y\n```\n"
    assert render.numpy_sections_as_lists(fenced) == fenced


def test_a_decorator_hover_gives_the_default_metaflow_applies(index):
    """``@batch``'s ``defaults`` say ``cpu: None`` while its doc says "default 1": the hover
    gives ``"1"``, read from the class-level dict the decorator hands to a call, citing both
    that dict's line and the call (issue 14 item 4)."""
    _kind, md = _hover("@batch", 2, index.catalog)
    line = next(x for x in md.splitlines() if x.startswith("- `cpu` = `4`"))
    assert 'Metaflow\'s default `"1"` when unset' in line, line
    cites = re.findall(r"`([^`]+\.py):(\d+)`", line)
    assert len(cites) == 2, line
    (dict_path, dict_line), (call_path, call_line) = cites
    assert '"cpu"' in index.read_source(dict_path, int(dict_line), int(dict_line))[0][1]
    call = index.read_source(call_path, int(call_line), int(call_line))[0][1]
    assert "resource_defaults" in call
    spec = index.catalog.step["batch"]
    assert spec.arg("cpu").default_src == "None" and spec.arg("cpu").shown_default == '"1"'
