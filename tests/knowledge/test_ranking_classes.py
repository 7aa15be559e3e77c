"""Ranking classes added after the evaluation set's dev split, each on questions written
here: a message quoted inside a sentence is a phrase of its own, a question asking for a
kind (variable, setting, flag) lifts entries of that kind, and an ``--option`` written on a
command line is what the question is about."""

from __future__ import annotations

import pytest

from metaflow_expert.knowledge import phrase
from metaflow_expert.knowledge.search import kind_intent


@pytest.fixture(scope="module")
def index(cache_dir):
    from metaflow_expert.knowledge.index import load_index

    return load_index(cache_dir=cache_dir)


def test_quoted_messages_are_found_inside_a_sentence():
    q = "hi, i don't get why 'Step start failed because the thing broke' shows up, it's odd"
    assert phrase.quoted_messages(q) == ["Step start failed because the thing broke"]
    assert phrase.is_message_like("why do i get 'the thing broke again and again'?")
    # apostrophes inside words, a quoted name and a quoted command line are no messages
    assert phrase.quoted_messages("it's odd that i don't see it") == []
    assert phrase.quoted_messages("what is 'max_workers'") == []
    assert phrase.quoted_messages("i ran `python flow.py resume` today") == []
    assert "step start failed because the thing broke" in phrase.pasted_lines(q)


def test_kind_words_name_the_kinds_asked_for():
    assert kind_intent("which variable sets the s3 root") == {"config", "env var"}
    assert kind_intent("the flag that turns off pylint") == {"cli option"}
    assert kind_intent("ship a config json with my flow") == frozenset()  # a flow's Config


def test_a_question_asking_for_a_variable_finds_the_config_entry(index):
    hits = index.search("which variable holds the default container image for batch steps", k=5)
    assert any(h.kind == "config" and h.path == "metaflow/metaflow_config.py" for h in hits)


def test_an_option_written_on_a_command_line_ranks_first(index):
    hits = index.search("python flow.py --metadata local run to avoid the service", k=3)
    assert (hits[0].path, hits[0].symbol) == ("metaflow/cli.py", "--metadata")


def test_a_thin_wrapper_gives_way_to_the_class_it_wraps(index):
    # NBRunner repeats Runner's docstring in fewer words; unless the question says notebook,
    # the class it wraps is the answer
    names = [
        h.symbol.rsplit(".", 1)[-1]
        for h in index.search(
            "kick off my flow from a separate python script and wait until it is done", k=10
        )
    ]
    assert "Runner" in names
    assert "NBRunner" not in names or names.index("Runner") < names.index("NBRunner")
    said = [
        h.symbol.rsplit(".", 1)[-1]
        for h in index.search("kick off my flow from a notebook and wait until it is done", k=10)
    ]
    assert "NBRunner" in said
    assert "Runner" not in said or said.index("NBRunner") < said.index("Runner")


def test_abbreviations_of_a_wrapper_prefix():
    from metaflow_expert.knowledge.search import abbreviates

    assert abbreviates("nb", "notebook") and abbreviates("nb", "nb")
    assert not abbreviates("nb", "script") and not abbreviates("nb", "n")


def test_a_numeronym_names_the_one_package_it_abbreviates(index):
    si = index.search_index
    assert si.numeronym("k8s") == "kubernetes"
    assert si.numeronym("q9z") is None and si.numeronym("kubernetes") is None
    hits = index.search("k8s pod tolerations for every step", k=5)
    assert any("kubernetes" in h.path.lower() or "KUBERNETES" in h.symbol for h in hits)


def test_inside_questions_are_told_from_how_to_questions():
    from metaflow_expert.knowledge.search import asks_inside

    assert asks_inside("how does the scheduler pick the next task")
    assert asks_inside("what decides where a task's logs end up")
    assert not asks_inside("how do i pass a flag to my run")
    assert not asks_inside("how does --max-workers limit tasks")  # it names the option


def test_an_inside_question_prefers_the_implementing_code_to_cli_entries(index):
    # the resume command's --clone-* options name how a user drives cloning, not where it is
    # decided; the runtime module, which the question names, is
    hits = index.search("when i resume, how does the runtime decide what to clone", k=3)
    assert hits[0].path == "metaflow/runtime.py"
    assert not any(h.kind in ("cli option", "cli command") for h in hits)


@pytest.mark.parametrize(
    ("question", "member"),
    [
        ("task.stderr comes back empty for my task", "metaflow.client.core.Task.stderr"),
        ("step.task only gives me one of the tasks", "metaflow.client.core.Step.task"),
        ("run.code is None for my run", "metaflow.client.core.Run.code"),
    ],
)
def test_a_member_written_on_its_class_object_is_what_the_question_names(index, question, member):
    """``task.stderr`` names ``Task.stderr``: the attribute's plain word alone loses to
    longer names that share it (``stderr_size``, the ``--stderr`` option)."""
    assert index.search(question, k=1)[0].symbol == member


def test_an_object_not_named_after_a_class_names_no_member(index):
    """``my_run.code`` may be anything of the user's: it is not lifted as ``Run.code`` is."""
    named = index.search("run.code is None", k=1)[0]
    other = index.search("my_run.code is None", k=20)
    assert named.symbol == "metaflow.client.core.Run.code"
    assert all(h.score < named.score for h in other if h.symbol == named.symbol)
