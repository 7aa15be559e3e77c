"""The pure layer under the language server: what is under the cursor, hover markdown from the
real catalog, completions on half-typed text, settings parsing, position encodings."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from metaflow_expert.explain import completions, cursor, references, render
from metaflow_expert.lsp.settings import parse_settings
from metaflow_expert.parsing import parse_flow_file

FLOW = Path(__file__).parent / "flows" / "train_flow.py"


@pytest.fixture(scope="module")
def catalog():
    from metaflow_expert.knowledge.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="module")
def model():
    return parse_flow_file(FLOW.read_text(), str(FLOW))


def at(model, needle: str, offset: int = 1, occurrence: int = 0):
    text = model.text
    idx = -1
    for _ in range(occurrence + 1):
        idx = text.index(needle, idx + 1)
    line = text.count("\n", 0, idx)
    col = idx - (text.rfind("\n", 0, idx) + 1) + offset
    return line, col


@pytest.mark.parametrize(
    ("needle", "offset", "kind", "name"),
    [
        ("@batch", 2, "decorator", "batch"),
        ("cpu=4", 1, "decorator_arg", "batch"),
        ("@step\n    def start", 2, "step_decorator", "step"),
        ("def start", 5, "step_def", "start"),
        ("self.train", 6, "step_ref", "train"),
        ("next(self.train", 1, "next_call", "next"),
        ('"items"', 2, "artifact", "items"),
        ("self.input", 6, "input", "input"),
        ("self.alpha", 6, "parameter", "alpha"),
        ("retry_count", 2, "metaflow_attr", "current"),
        ("i.value for i in inputs", 18, "inputs", "inputs"),
        ("class TrainFlow", 7, "flow_class", "TrainFlow"),
        ("(FlowSpec)", 2, "metaflow_name", "FlowSpec"),
    ],
)
def test_locate(model, needle, offset, kind, name):
    t = cursor.locate(model, *at(model, needle, offset))
    assert t is not None and (t.kind, t.name) == (kind, name)


def test_render_batch_cites_class_line(model, catalog):
    from metaflow.plugins.aws.batch.batch_decorator import BatchDecorator

    t = cursor.locate(model, *at(model, "@batch", 2))
    md = render.render(t, catalog=catalog)
    assert f"batch_decorator.py:{inspect.getsourcelines(BatchDecorator)[1]}" in md
    # every argument is shown: the ones this use sets first, by name, the rest in the table
    head, _, table = md.partition("| argument |")
    assert "This use sets:" in head and "- `cpu` = `4`" in head and "- `memory` = `1000`" in head
    for arg in catalog.step["batch"].args:
        assert f"| `{arg.name}` |" in table or f"- `{arg.name}` = " in head


def test_render_without_catalog_says_index_is_building(model):
    t = cursor.locate(model, *at(model, "@batch", 2))
    assert render.INDEX_PENDING in render.render(t, catalog=None)
    note = "_Metaflow is not indexed: no source_"
    assert note in render.render(t, catalog=None, pending_note=note)


def test_references_of_a_step(model):
    flow = model.flows[0]
    spans = references.step_occurrences(flow, "join")
    assert [model.lines[s.start_line][s.start_col : s.end_col] for s in spans] == ["join", "join"]


def _complete(text: str, needle: str, catalog, after: bool = True):
    m = parse_flow_file(text, "<memory>")
    idx = text.index(needle) + (len(needle) if after else 0)
    line = text.count("\n", 0, idx)
    col = idx - (text.rfind("\n", 0, idx) + 1)
    return [i.label for i in completions.complete(m, line, col, catalog)]


def test_completions_on_half_typed_text(catalog):
    text = FLOW.read_text()
    assert {"train", "join", "end"} <= set(
        _complete(text.replace('self.train, foreach="items")', ""), "self.next(self.", catalog)
    )
    assert set(catalog.step) <= set(
        _complete(text.replace("@retry(times=2)", "@"), "    @\n", catalog, after=False)
        or _complete(text.replace("@retry(times=2)", "@"), "    @", catalog)
    )
    labels = _complete(text.replace("@retry(times=2)", "@retry("), "@retry(", catalog)
    assert [a.name for a in catalog.step["retry"].args] == labels
    assert "items" in _complete(text.replace('foreach="items"', 'foreach="'), 'foreach="', catalog)


def test_settings_parse_and_reject_bad_values():
    s, warnings = parse_settings(
        {
            "metaflowExpert": {
                "lint": {
                    "run": "sometimes",
                    "severity": {"mf101": "off", "MF2": "loud"},
                    "debounceMs": 0,
                },
                "logLevel": 3,
            }
        }
    )
    assert (
        s.lint.run == "onType" and s.lint.severity == {"MF101": "off"} and s.lint.debounce_ms == 0
    )
    assert s.log_level == "info" and len(warnings) == 3
    s, warnings = parse_settings(None)
    assert s.lint.run == "onType" and warnings == []
    assert s.lint.doc_url("MF101") is None or "mf101" in s.lint.doc_url("MF101")


def test_ask_settings_reach_the_agent_including_the_deadline():
    s, warnings = parse_settings(
        {"metaflowExpert": {"ask": {"maxTurns": 7, "deadlineSeconds": 30}}}
    )
    assert warnings == [] and s.ask.max_turns == 7 and s.ask.deadline_s == 30
    s, warnings = parse_settings({"metaflowExpert": {"ask": {"deadlineSeconds": "soon"}}})
    assert s.ask.deadline_s is None and len(warnings) == 1


def test_positions_round_trip_utf16_and_utf8():
    from pygls.workspace.position_codec import PositionCodec

    from metaflow_expert.lsp import positions
    from metaflow_expert.model import Span

    lines = ['x = "😀é"; self.next(self.a)\n']
    col = lines[0].index("self")
    for enc, expected in (("utf-16", col + 1), ("utf-8", col + 4), ("utf-32", col)):
        codec = PositionCodec(enc)
        rng = positions.to_range(codec, lines, Span(0, col, 0, col + 4))
        assert rng.start.character == expected
        assert positions.from_position(codec, lines, rng.start) == (0, col)


def test_step_start_argument_explains_the_annotation(catalog):
    text = "from metaflow import FlowSpec, step\n\n\nclass F(FlowSpec):\n    @step(start=True)\n    def begin(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n"
    m = parse_flow_file(text, "<memory>")
    t = cursor.locate(m, 4, 11)
    assert t is not None and t.kind == "step_decorator"
    md = render.render(t, catalog=catalog)
    assert "start=False" in md and "`begin` is annotated as the start step." in md
    assert f"decorators.py:{catalog.api['step'].line}" in md


def test_every_decorator_hover_citation_points_at_what_it_names(catalog):
    """Render every decorator's hover and each argument's; each cited line must name the thing."""
    root = Path(catalog.root)
    cited: list[tuple[str, int, str]] = []

    def link_for(expect: str):
        def link(path: str, line: int) -> str:
            cited.append((path, line, expect))
            return f"`{path}:{line}`"

        return link

    for spec in catalog.all():
        render.decorator_markdown(spec, catalog, link_for(spec.class_name))
        for a in spec.args:
            render.decorator_arg_markdown(spec, a.name, None, link_for(a.name))
    assert cited
    for path, line, expect in cited:
        text = (root / path).read_text().splitlines()[line - 1]
        assert expect in text or "defaults" in text, (path, line, expect, text)
