"""Failure classes of offline Ask found on the evaluation set's dev split, each pinned with
questions written here (not taken from the set):

- a message quoted inside the user's own sentence is found as the message it is;
- a plain word the source has in another form (``hardcoding`` / ``hardcoded``) is no reason
  to answer "not found";
- a command after ``flow.py`` that the flow's CLI lacks is a missing feature even without a
  dash in its name, while an option's value (``--with retry run``) is no command.
"""

from __future__ import annotations

from metaflow_expert.agent import ask
from metaflow_expert.agent.relevance import missing_reasons
from metaflow_expert.agent.tools import Toolbox


def test_a_message_quoted_in_a_sentence_leads_to_its_raising_line(index):
    q = "after a resume i keep seeing 'A previous run id was not found. Specify --origin-run-id.' hmm"
    hits = index.search(q, k=3)
    assert hits[0].path == "metaflow/cli.py" and hits[0].kind == "error message"
    answer = ask(q, index=index, offline=True)
    assert not answer.not_found and answer.citations[0].path == "metaflow/cli.py"


def test_another_form_of_a_known_word_is_not_missing(index):
    tb = Toolbox(index)
    assert missing_reasons("avoid hardcoding the bucket name in my step", tb) == []
    # a word the source lacks in every form still is
    assert missing_reasons("integrate with quuxflorp for my step", tb)


def test_commands_of_the_flow_cli(index):
    tb = Toolbox(index)
    assert any("frobnicate" in r for r in missing_reasons("python flow.py frobnicate now", tb))
    assert not any("command" in r for r in missing_reasons("python flow.py resume train", tb))
    # after options a word may be an option's value: only a dashed name counts there
    assert not any("command" in r for r in missing_reasons("python flow.py --with retry run", tb))
    answer = ask("python flow.py --with retry run, is that the syntax?", index=index, offline=True)
    assert not answer.not_found


def test_a_lone_ordinary_word_the_source_lacks_is_wording_not_a_feature(index):
    tb = Toolbox(index)
    # one ordinary word says how, not what
    assert missing_reasons("keep my two flows apart when deploying them", tb) == []
    assert missing_reasons("make a flow parameter obligatory for every run", tb) == []
    # a noun naming a practice, or what to integrate with, still names a missing feature,
    # and so do two absent words
    assert missing_reasons("automatic quuxification of my step outputs", tb)
    assert missing_reasons("deploy my flow with quuxflorp", tb)
    assert missing_reasons("keep my flows apart, obligatory for all", tb)


def test_a_lone_absent_word_written_as_code_or_naming_the_feature_is_missing(index):
    tb = Toolbox(index)
    assert missing_reasons("how do i call FlowSpec.quuxify() on my flow", tb)
    assert missing_reasons("what does the --quuxify flag of run do", tb)
    # right before a content word, it is part of the feature's name
    assert missing_reasons("switch the card viewer to a quuxy layout", tb)


def test_the_users_own_values_names_and_files_are_not_missing_features(index):
    """A question about a real feature holds the user's own names: values written in code,
    variables and steps passed to a call, file names. None of them is Metaflow's to lack."""
    tb = Toolbox(index)
    assert (
        missing_reasons("@retry(times=3) on my step, labels={'Quuxteam': 'Zorblax'} ignored", tb)
        == []
    )
    assert (
        missing_reasons("@schedule(cron='0 6 * * *', timezone='Quux/Zorblax') on argo?", tb) == []
    )
    assert missing_reasons("run.add_tag(my_quuxly_tag) fails with a long tag", tb) == []
    assert missing_reasons("argo-workflows create zorblax_pipeline.py --help", tb) == []
    # a keyword's name is Metaflow's and still judged; so is a command after the file
    assert missing_reasons("@retry(quuxify_backoff=True) on my step", tb)
    assert any("frobnicate" in r for r in missing_reasons("python zorblax.py frobnicate", tb))


def test_placeholders_and_a_config_name_without_its_prefix_are_not_missing(index):
    tb = Toolbox(index)
    # what a user writes for the part that varies
    assert missing_reasons("my step leaves metaflow.s3.xxxxx folders behind", tb) == []
    assert missing_reasons("python flow.py logs <run-id>/start", tb) == []
    # ``METAFLOW_RUN_MAX_WORKERS`` resolved, then named again as the config module would
    q = "METAFLOW_RUN_MAX_WORKERS=4 python flow.py run, is RUN_MAX_WORKERS read at all?"
    assert not ask(q, index=index, offline=True).not_found


def test_users_own_keeps_what_is_metaflows_and_reaches_nested_calls(index):
    from metaflow_expert.agent.relevance import users_own

    tb = Toolbox(index)
    # a quoted phrase in prose is the user's wording about a name, still judged
    assert missing_reasons('what does the "--quuxify" flag of run do', tb)
    # a path into Metaflow's source is Metaflow's, still judged
    assert missing_reasons("where is metaflow/plugins/quuxify_decorator.py", tb)
    # the outer call of nested calls is blanked too; a called name and a keyword's name stay
    text = users_own("current.card.append(Markdown(my_quuxly_text), id=my_zorblax_id)")
    assert text == "current.card.append(Markdown(), id=)"
    assert missing_reasons("Run(Flow('x'), zorblax_var) fails", tb) == []


def test_users_own_is_linear_on_huge_tokens():
    """A long token (a pasted base64 blob, a run of dots or brackets) must not make the check
    backtrack: each shape below takes well under a second at 100 KB."""
    import time

    from metaflow_expert.agent.relevance import users_own

    for text in ("x" * 100_000, "a." * 50_000, "-" * 100_000 + ".py", "(" * 100_000, "'" * 100_000):
        start = time.perf_counter()
        users_own(text)
        assert time.perf_counter() - start < 2.0
