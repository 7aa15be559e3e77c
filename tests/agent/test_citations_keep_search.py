"""Offline Ask keeps what its ranking found (task i12c): its first three citations hold the
best two files of its fused ranking unless it states a reason (facts lead, a written
``@decorator`` leads), a fluke best passage gives way to the file both rankings agree on, the
search's best two files are shown even when the best one stands far above the rest, a
decorator named by a plain word excludes no other decorator's file, and a file's second
place waits until every cited file has its first. Questions written here, not taken from the
evaluation set."""

from __future__ import annotations

from metaflow_expert.agent import ask
from metaflow_expert.agent.entry_facts import direct_facts
from metaflow_expert.agent.offline import MIN_SHOWN, Passage, prune, rank_passages, spread_files
from metaflow_expert.agent.types import Citation

KUBE = "metaflow/plugins/kubernetes/kubernetes_decorator.py"
SECRETS = "metaflow/plugins/secrets/secrets_decorator.py"


def test_the_search_best_two_files_are_shown_below_the_closeness_bar(index) -> None:
    # the best hit is a fluke on two words (a class named like them): the next file, far
    # below it, is still the search's second answer and is shown
    ps = [
        Passage("fluke.py", 1, 1, "PythonCode", 1.0),
        Passage("deployer.py", 1, 1, "Deployer", 0.45),
        Passage("far.py", 1, 1, "far", 0.3),
    ]
    assert MIN_SHOWN == 2
    assert [p.path for p in prune(ps, "plain words", index)] == ["fluke.py", "deployer.py"]


def test_a_plain_word_decorator_excludes_no_other_decorator_file(index) -> None:
    ps = [
        Passage(SECRETS, 16, 16, "SecretsDecorator", 2.0, boost=1.0),
        Passage(KUBE, 54, 54, "KubernetesDecorator", 0.8),
        Passage("metaflow/metaflow_config.py", 1, 1, "X", 0.7),
    ]
    plain = [p.path for p in prune(ps, "mount the same secrets into every pod", index)]
    assert KUBE in plain
    # written ``@secrets``, the question is about that decorator alone
    ps[0] = Passage(SECRETS, 16, 16, "SecretsDecorator", 3.0, boost=2.0)
    written = [p.path for p in prune(ps, "mount @secrets into every pod", index)]
    assert KUBE not in written and written[0] == SECRETS


def test_a_file_second_place_waits_for_every_file_first() -> None:
    cites = [Citation(p, n, None, True) for p, n in [("a", 1), ("b", 6), ("b", 28), ("c", 3)]]
    assert [(c.path, c.line) for c in spread_files(cites)] == [
        ("a", 1),
        ("b", 6),
        ("c", 3),
        ("b", 28),
    ]


def test_the_fused_best_files_are_among_ask_first_three_citations(index) -> None:
    # plain questions (no fact to lead with, no written decorator): Ask has no stated reason
    # to drop the best two files of its fused ranking (passages and whole files)
    for q in (
        "start a flow run from python instead of the command line",
        "trigger a deployment of my flow on argo from a python script, not from the shell",
        "give every kubernetes pod the same secrets",
        "change the default batch job queue via config",
        "how are artifacts of a task serialized before they are saved",
    ):
        assert not direct_facts(q, index).citations, q
        best = [p.path for p in rank_passages(q, index)[:MIN_SHOWN]]
        # and the fused best two hold what one ranking alone puts first: the search's top hit
        # or the best whole file
        assert {index.search(q, k=1)[0].path, index.file_ranking(q)[0]} & set(best), q
        answer = ask(q, index=index, offline=True)
        assert not answer.not_found, q
        assert set(best) <= {c.path for c in answer.citations[:3]}, q
        # and they name different files first, when there are that many
        firsts = [c.path for c in answer.citations[:3]]
        assert len(set(firsts)) == len(firsts), q


def test_an_entry_of_a_kind_the_facts_do_not_state_follows_them(index) -> None:
    # the option's fact leads (``--datastore`` is written), but the question is about the
    # setting: the search's top hit, a config entry, is not a repeat of an option's fact
    q = "make s3 the default datastore via config rather than passing --datastore on each run"
    facts = direct_facts(q, index)
    assert facts.kinds == {"cli option"}
    top = index.search(q, k=1)[0]
    assert (top.path, top.kind) == ("metaflow/metaflow_config.py", "config")
    answer = ask(q, index=index, offline=True)
    places = [(c.path, c.line) for c in answer.citations]
    assert places[: len(facts.citations)] == [(c.path, c.line) for c in facts.citations]
    assert (top.path, top.line) in places[:3]


def test_entries_of_the_kind_the_facts_state_are_not_repeated(index) -> None:
    # the same option of other commands would only pad the option's fact
    q = "what does --max-workers default to for run"
    facts = direct_facts(q, index)
    answer = ask(q, index=index, offline=True)
    extra = [c for c in answer.citations if c not in facts.citations]
    opts = {
        (e.path, e.line) for e in index.entries.lookup("--max-workers") if e.kind == "cli option"
    }
    assert not [c for c in extra if (c.path, c.line) in opts]


def test_a_fluke_best_passage_gives_way_to_the_file_both_rankings_agree_on(index) -> None:
    # "python code" is the name of a card component (``PythonCode``): a high passage, yet
    # no file about running a flow; the whole-file ranking and the passages agree on the
    # Runner's module
    q = "which python code wraps my flow in a subprocess when i launch it with a Runner"
    files = [p.path for p in rank_passages(q, index)]
    assert files[0] != "metaflow/plugins/cards/card_modules/components.py"
    runner = "metaflow/runner/metaflow_runner.py"
    assert runner in files[:2]
    assert runner in [c.path for c in ask(q, index=index, offline=True).citations[:3]]
    assert runner in index.file_ranking(q)[:5]


def test_the_best_whole_file_is_shown_below_the_closeness_bar(index) -> None:
    # a file that gathers the question's words (the whole-file ranking's first) is as close an
    # answer as a passage near the best score; a third file that is neither is not shown
    ps = [
        Passage("a.py", 1, 1, "a", 1.0, file_rank=3),
        Passage("b.py", 1, 1, "b", 0.9, file_rank=2),
        Passage("gathers.py", 1, 1, "gathers", 0.4, file_rank=0),
        Passage("far.py", 1, 1, "far", 0.3, file_rank=1),
    ]
    shown = [p.path for p in prune(ps, "a question in plain words", index)]
    assert shown == ["a.py", "b.py", "gathers.py"]
