"""``explain.quoted`` without a client: which strings are names and which entries they name;
and ``explain.completions`` inside an environment key (the stdio behaviour is in
test_lsp_kinds.py)."""

from __future__ import annotations

import time

import pytest

from metaflow_expert.explain import completions, quoted
from metaflow_expert.knowledge.entries import CLI_OPTION, CONFIG, ENV_VAR

MB = 1_000_000


@pytest.fixture(scope="module")
def entries():
    from metaflow_expert.knowledge.index import load_index

    return load_index().entries


def test_only_a_whole_name_in_quotes_is_a_quoted_name():
    line = 'x = os.environ.get("METAFLOW_HOME", "a b")  # "METAFLOW_X"'
    assert quoted.quoted_at(line, line.index("METAFLOW_HOME") + 3) == (
        "METAFLOW_HOME",
        line.index("METAFLOW_HOME"),
        line.index("METAFLOW_HOME") + len("METAFLOW_HOME"),
    )
    assert quoted.quoted_at(line, line.index("a b") + 1) is None  # not a name
    assert quoted.quoted_at(line, line.index("os.environ") + 1) is None  # not in a string
    assert quoted.quoted_at("['--max-workers']", 4)[0] == "--max-workers"


def test_names_are_matched_as_written(entries):
    assert quoted.named(entries, "METAFLOW_DEFAULT_DATASTORE")[0].kind == CONFIG
    # the Python name, a bare word and a lower-case spelling are not the variable or the flag
    assert quoted.named(entries, "DEFAULT_DATASTORE") == []
    assert quoted.named(entries, "max-workers") == []
    assert quoted.named(entries, "metaflow_default_datastore") == []
    assert {e.kind for e in quoted.named(entries, "--max-workers")} == {CLI_OPTION}
    assert {e.kind for e in quoted.named(entries, "METAFLOW_HOME")} == {ENV_VAR}


def test_hover_first_line_names_kind_default_and_place(entries):
    md = quoted.hover_markdown(entries, "METAFLOW_DEFAULT_DATASTORE", lambda p, n: f"{p}:{n}")
    first = md.split("\n", 1)[0]
    assert first.startswith("**`METAFLOW_DEFAULT_DATASTORE`** — config variable · default ")
    assert first.endswith(".py:" + first.rsplit(":", 1)[1]) and "metaflow_config.py" in first
    assert quoted.hover_markdown(entries, "not_a_metaflow_name", lambda p, n: "") is None


def test_environment_key_completion(entries):
    items = completions.env_key_items('v = os.environ.get("METAFLOW_DE', entries)
    assert items and {i.kind for i in items} == {"variable"}
    kinds = [i.detail.split(" · ")[0] for i in items]
    # config variables first (they have a default and a precedence), then the raw env reads
    assert kinds == sorted(kinds, key=["config variable", "environment variable"].index)
    for before in ('v = os.getenv("', "v = os.environ['M", 'v = os.environ [ "'):
        assert completions.env_key_items(before, entries), before
    for before in ('v = print("METAFLOW', "v = os.environ.get(", 'x = "'):
        assert completions.env_key_items(before, entries) is None, before
    assert completions.env_key_items('os.getenv("', None) is None


def test_completion_decides_the_environment_key_itself(entries):
    """The pure core, not the LSP glue, picks the names Metaflow reads over the flow's own
    completions inside ``os.environ["``; without the index the flow's completions apply."""
    from metaflow_expert.parsing import parse_flow_file

    text = (
        "import os\nfrom metaflow import FlowSpec, step\n\n"
        "class F(FlowSpec):\n    @step\n    def start(self):\n"
        '        v = os.environ.get("METAFLOW_DE\n'
    )
    file = parse_flow_file(text)
    line = 6
    col = len(file.lines[line].rstrip("\n"))
    got = completions.complete(file, line, col, None, entries)
    assert got == completions.env_key_items(file.lines[line][:col], entries)
    assert got and {i.kind for i in got} == {"variable"}
    assert all(i.kind != "variable" for i in completions.complete(file, line, col, None))


def test_scans_stay_linear_on_a_huge_line(entries):
    """A pasted blob reaches these scans on every hover and completion (see
    test_linear_text_scans.py): each stays far below a quadratic time on 1 MB."""
    for line in ('"' + "a" * MB, '"' * MB, "x" * MB + '"', ("'a' " * (MB // 4))):
        t0 = time.perf_counter()
        quoted.quoted_at(line, len(line) - 1)
        completions.env_key_items(line, entries)
        assert time.perf_counter() - t0 < 2.0
