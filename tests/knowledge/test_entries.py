"""Entries: every raise with a literal message, every click option and every ``from_conf``
variable of the installed Metaflow is indexed, cited at a line that contains it.

The expected sets are computed here with a plain ``ast.walk`` (not the indexer's visitor), so
a construct the indexer skips shows up as a difference.
"""

from __future__ import annotations

import ast
import re

import pytest

from metaflow_expert.knowledge import phrase
from metaflow_expert.knowledge.entries import (
    CLI_COMMAND,
    CLI_OPTION,
    CONFIG,
    ENTRY_KINDS,
    ENV_VAR,
    ERROR_MESSAGE,
    Entry,
)
from metaflow_expert.knowledge.entry_index import entry_symbol
from metaflow_expert.knowledge.symbols import iter_source_files


@pytest.fixture(scope="module")
def trees(source):
    out = {}
    for rel, path in iter_source_files(source):
        if rel.startswith("metaflow/_vendor/"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            out[rel] = (ast.parse(text), text.splitlines())
        except SyntaxError:
            continue
    return out


def _first_literal(node: ast.AST) -> tuple[str, int, int] | None:
    """The first string literal of a message expression and its lines (an independent,
    simpler reading than the indexer's)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, node.lineno, node.end_lineno or node.lineno
    if isinstance(node, ast.JoinedStr):
        consts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        end = node.end_lineno or node.lineno
        return ("".join(str(c) for c in consts), node.lineno, end) if consts else None
    if isinstance(node, ast.BinOp):
        return _first_literal(node.left) or _first_literal(node.right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _first_literal(node.func.value)
    return None


def _word(text: str) -> str:
    """The first word of a literal, as it appears in the source line (format fields aside)."""
    m = re.search(r"[A-Za-z]{3,}", re.sub(r"\{[^{}]*\}", " ", text))
    return m.group(0) if m else ""


def _at(index, kind):
    return {(e.path, e.line) for e in index.entries.all if e.kind == kind}


def test_every_raise_with_a_literal_message_is_indexed(index, trees):
    have = _at(index, ERROR_MESSAGE)
    expected = set()
    for rel, (tree, lines) in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                got = _first_literal(node.exc.args[0])
                if got and _word(got[0]):
                    text, first, last = got
                    # the line that shows the first word (a triple-quoted string starts a line
                    # early)
                    shown = [n for n in range(first, last + 1) if _word(text) in lines[n - 1]]
                    assert shown, (rel, got)
                    expected.add((rel, shown[0]))
    assert len(expected) > 500
    missing = sorted(expected - have)
    assert not missing, f"{len(missing)} raises not indexed, e.g. {missing[:5]}"


def test_every_click_option_is_indexed_at_its_name(index, trees):
    by_place = {(e.path, e.line): e for e in index.entries.all if e.kind == CLI_OPTION}
    expected = 0
    for rel, (tree, lines) in trees.items():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("option", "argument")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "click"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                expected += 1
                name = node.args[0].value
                entry = by_place.get((rel, node.args[0].lineno))
                assert entry is not None, (rel, node.args[0].lineno, name)
                assert name in entry.text.split(" / ")
                assert name in lines[entry.line - 1]
    assert expected > 200


def test_every_from_conf_variable_is_indexed_with_its_env_name(index, trees):
    config = {(e.name, e.line): e for e in index.entries.all if e.kind == CONFIG}
    tree, lines = trees["metaflow/metaflow_config.py"]
    expected = 0
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "from_conf"
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value.args[0], ast.Constant)
        ):
            expected += 1
            name = node.targets[0].id
            entry = config[name, node.lineno]
            assert entry.text == "METAFLOW_" + node.value.args[0].value
            assert name in lines[entry.line - 1]
    assert expected > 100


def test_options_built_at_run_time_are_indexed(index, trees):
    """``click.Option([...])`` objects inserted into a command (``--config``,
    ``--config-value``, a Parameter's ``"--" + name``) are CLI options too, cited at their
    first dashed name, with help read from the variable it is kept in."""
    by_place = {(e.path, e.line): e for e in index.entries.all if e.kind == CLI_OPTION}
    expected = 0
    for rel, (tree, lines) in trees.items():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "Option"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "click"
                and node.args
                and isinstance(node.args[0], (ast.List, ast.Tuple))
            ):
                expected += 1
                first = node.args[0].elts[0]
                entry = by_place.get((rel, first.lineno))
                assert entry is not None, (rel, first.lineno)
                assert entry.text.split(" / ")[0].split("{}")[0] in lines[entry.line - 1]
    assert expected >= 3
    (config,) = index.entries.lookup("--config")
    (value,) = index.entries.lookup("--config-value")
    for e in (config, value):
        assert e.path == "metaflow/user_configs/config_options.py"
        assert e.metavar.startswith("<name> ") and "Cannot be used with resume" in e.help
    assert config.metavar == "<name> <path>" and "METAFLOW_FLOW_CONFIG" in config.help


def test_env_var_reads_are_indexed(index, trees):
    names = {e.text for e in index.entries.all if e.kind == ENV_VAR}
    expected = set()
    for tree, _lines in trees.values():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "environ"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                expected.add(node.args[0].value)
    assert expected and expected <= names


def test_every_entry_cites_a_line_that_shows_it(index):
    """The hit a user sees (path:line, symbol) passes the citation check the agent applies."""
    for e in index.entries.all:
        assert e.kind in ENTRY_KINDS
        symbol = entry_symbol(e)
        head = symbol.split("{}")[0].split("\\")[0].strip()[:20]
        lines = index.lines(e.path)
        assert lines is not None and 1 <= e.line <= e.end_line <= len(lines), e
        if e.kind in (CLI_OPTION, CONFIG, ENV_VAR, CLI_COMMAND):
            # a name built at run time (``"--" + arg.name`` → ``--{}``): its literal part
            name = symbol.split(" / ")[0].split("{}")[0]
            assert name in lines[e.line - 1], e
        elif head and "'" not in head and '"' not in head:
            assert _word(head) in lines[e.line - 1], e
        # what offline Ask checks: a name-like last dotted part must be on the cited line
        short = symbol.rsplit(".", 1)[-1]
        if short.isidentifier():
            assert index.check_citation(e.path, e.line, None, short), e


def test_config_entries_know_default_readers_and_precedence(index):
    (store,) = index.entries.lookup("METAFLOW_DEFAULT_DATASTORE")
    assert store.kind == CONFIG and store.name == "DEFAULT_DATASTORE"
    assert store.default and store.read_at
    assert index.entries.lookup("DEFAULT_DATASTORE") == [store]
    rule = index.entries.precedence
    assert rule is not None and rule.path == "metaflow/metaflow_config_funcs.py"
    assert "environ" in index.lines(rule.path)[rule.line - 1]
    assert "1." in rule.text and "Default" in rule.text


def test_options_are_found_with_or_without_dashes(index):
    opts = index.entries.lookup("--max-workers")
    assert opts and all(o.kind == CLI_OPTION for o in opts)
    assert index.entries.lookup("max_workers") == opts
    assert any(o.default for o in opts) and any(o.help for o in opts)


def test_counts_by_kind(index):
    counts = index.entries.counts()
    assert set(counts) == set(ENTRY_KINDS)
    assert counts[ERROR_MESSAGE] > 1000 and counts[CLI_OPTION] > 200
    assert counts[CLI_COMMAND] > 50 and counts[CONFIG] > 100 and counts[ENV_VAR] > 50


def test_entries_survive_the_cache(source, cache_dir, index):
    from metaflow_expert.knowledge.index import load_index

    warm = load_index(source, cache_dir=cache_dir)
    assert warm.from_cache
    assert warm.entries.all == index.entries.all
    assert all(isinstance(e, Entry) for e in warm.entries.all[:5])


# -- phrase search --------------------------------------------------------------------------
def _pasted(entry: Entry) -> str:
    """The message as a user would paste it: its varying parts filled with other values."""
    text = entry.text
    for i, value in enumerate(("'my_step'", "HelloFlow", "42", "/tmp/x")):
        text = text.replace("{}", value if i % 2 else "frobnicate", 1)
    return text.replace("{}", "17")


def test_a_pasted_message_ranks_its_raise_line_first(index):
    raises = [
        e
        for e in index.entries.all
        if e.kind == ERROR_MESSAGE and "{}" in e.text and len(e.text) > 40
    ]
    assert len(raises) > 200
    wrong = []
    for e in raises:
        top = index.search(_pasted(e), k=3)[0]
        if top.symbol != entry_symbol(e):  # the same message raised in several places is fine
            wrong.append((e.cite, e.text, top.cite))
    assert len(wrong) <= len(raises) * 0.03, wrong[:10]


def test_a_traceback_finds_the_raise(index):
    (e,) = [
        x
        for x in index.entries.all
        if x.kind == ERROR_MESSAGE and "joins steps from unrelated splits" in x.text
    ]
    tb = (
        "Traceback (most recent call last):\n"
        '  File "flow.py", line 40, in <module>\n'
        "    MyFlow()\n"
        f"metaflow.lint.LintWarn: {_pasted(e)}\n"
    )
    hits = index.search(tb, k=5)
    assert hits[0].cite == e.cite and hits[0].kind == ERROR_MESSAGE
    assert index.entries.match_message(tb)[0].exact


def test_questions_are_not_taken_for_pasted_messages():
    assert not phrase.is_message_like("how do I set the default datastore?")
    assert not phrase.is_message_like("which env var sets the default datastore")
    assert phrase.is_message_like("Could not find the location of the datastore")
    assert phrase.is_message_like("'Step start failed'")


def test_phrase_normalisation_makes_varying_parts_wildcards():
    assert phrase.normalize("Step '{}' failed after {} tries", template=True) == phrase.normalize(
        "Step 'start' failed after 3 tries"
    )


def test_config_questions_find_their_entries(index):
    hits = index.search("which env var sets the default datastore", k=3)
    assert hits[0].kind == CONFIG and hits[0].symbol == "DEFAULT_DATASTORE"
    hits = index.search("--max-workers default", k=5)
    assert any(h.kind == CLI_OPTION and h.symbol == "--max-workers" for h in hits)


def test_a_command_line_names_its_options_and_commands(index):
    from metaflow_expert.knowledge.search import cli_names

    assert cli_names("python flow.py argo-workflows create --max-workers 4") == {
        "cli:argo-workflows",
        "cli:create",
        "cli:--max-workers",
    }
    hits = index.search("python flow.py run --tag a --tag b, several tags?", k=5)
    assert any(h.kind == CLI_OPTION and h.symbol.startswith("--tag") for h in hits)
    hits = index.search("python flow.py dump 12/start what does it print", k=5)
    assert any(h.kind == CLI_COMMAND and h.symbol == "dump" for h in hits)


def test_phrase_hits_keep_scores_in_order(index):
    hits = index.search("Step *c* joins steps from unrelated splits. Ensure that it works", k=10)
    assert hits[0].kind == ERROR_MESSAGE
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
