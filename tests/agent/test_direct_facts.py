"""Offline answers lead with the fact the question names, and show only close passages."""

from __future__ import annotations

from metaflow_expert.agent.offline import KEEP_RATIO, SHOW_PASSAGES, answer_offline, prune

RETRY = "metaflow/plugins/retry_decorator.py"
CONFIG = "metaflow/metaflow_config.py"


def _facts(answer_text: str) -> str:
    """The first block after the answer's heading: the fact it leads with."""
    return answer_text.split("\n\n")[1]


def test_decorator_default_leads(index) -> None:
    answer = answer_offline("what is the default number of retries of @retry", index)
    assert not answer.not_found
    spec = index.catalog.lookup("retry")
    assert spec is not None
    times = next(a for a in spec.args if a.name == "times")
    assert f"| `times` | `{times.default_src}` |" in answer.answer
    assert answer.citations[0].path == RETRY
    assert all(c.verified for c in answer.citations)


def test_cli_option_default_leads_for_the_named_command(index) -> None:
    answer = answer_offline("step-functions create --max-workers default value", index)
    first = answer.citations[0]
    assert first.path == "metaflow/plugins/aws/step_functions/step_functions_cli.py"
    assert first.verified and "--max-workers" in index.lines(first.path)[first.line - 1]
    lead = _facts(answer.answer)
    assert "`--max-workers`" in lead and "default `100`" in lead
    assert "airflow" not in lead  # another deployer's option is not the answer


def test_run_option_default(index) -> None:
    answer = answer_offline("python flow.py run --max-workers what is the default", index)
    assert answer.citations[0].path == "metaflow/cli_components/run_cmds.py"
    assert "default `16`" in _facts(answer.answer)


def test_config_variable_leads_with_default_and_precedence(index) -> None:
    answer = answer_offline("kubernetes namespace default METAFLOW_KUBERNETES_NAMESPACE", index)
    first = answer.citations[0]
    assert (first.path, first.verified) == (CONFIG, True)
    assert "KUBERNETES_NAMESPACE" in index.lines(CONFIG)[first.line - 1]
    lead = _facts(answer.answer)
    assert "`METAFLOW_KUBERNETES_NAMESPACE` is the config `KUBERNETES_NAMESPACE`" in lead
    assert 'default `"default"`' in lead
    assert "Which value wins" in lead and "Environment" in lead
    assert any(
        c.path == "metaflow/metaflow_config_funcs.py" and c.verified for c in answer.citations
    )


def test_pasted_error_leads_with_raising_line_and_condition(index) -> None:
    pasted = "AttributeError: Flow BranchFlow has no attribute 'test_var'   why?? i set it in start"
    answer = answer_offline(pasted, index)
    assert not answer.not_found  # the user's own names are not a missing feature
    first = answer.citations[0]
    assert (first.path, first.verified) == ("metaflow/flowspec.py", True)
    assert "has no attribute" in index.lines(first.path)[first.line - 1]
    assert "Triggered when:" in answer.answer and "FlowSpec.__getattr__" in answer.answer
    assert all(c.verified for c in answer.citations)


def test_auto_envvar_is_explained(index) -> None:
    answer = answer_offline("METAFLOW_RUN_MAX_WORKERS env var works?", index)
    assert not answer.not_found
    assert "auto_envvar_prefix" in answer.answer
    assert {c.path for c in answer.citations[:2]} == {
        "metaflow/cli_components/run_cmds.py",
        "metaflow/cli.py",
    }


def test_passages_pruned_to_close_scores(index) -> None:
    from metaflow_expert.agent.offline import Passage

    ps = [Passage("a.py", 1, 1, "a", 1.0), Passage("b.py", 1, 1, "b", 0.9)]
    ps += [Passage("c.py", 1, 1, "c", KEEP_RATIO - 0.01), Passage("d.py", 1, 1, "d", 0.1)]
    assert [p.path for p in prune(ps, "plain words", index)] == ["a.py", "b.py"]
    many = [Passage(f"{i}.py", 1, 1, "x", 1.0) for i in range(10)]
    assert len(prune(many, "plain words", index)) == SHOW_PASSAGES


def test_decorator_question_brings_no_other_decorator(index) -> None:
    answer = answer_offline("What arguments does @retry take and what are the defaults?", index)
    decorator_files = {s.path for s in index.catalog.step.values()} - {RETRY}
    assert not [c.path for c in answer.citations if c.path in decorator_files]


def test_missing_tool_is_not_a_typo(index) -> None:
    for q in ("deploy my flow to prefect", "python flow.py delete-run 123"):
        assert answer_offline(q, index).not_found, q
    assert not answer_offline("retyr decorater", index).not_found


def test_auto_envvar_names_the_commands_own_flag_and_cites_it(index) -> None:
    """``METAFLOW_RUN_TAGS`` is ``run``'s ``--tag`` (parameter ``tags``), declared with the
    run options, not the ``--tag`` of another command; the citation is on the flag's line."""
    answer = answer_offline("METAFLOW_RUN_TAGS='a b' python flow.py run", index)
    assert "`run --tag`" in answer.answer
    first = answer.citations[0]
    assert first.path == "metaflow/cli_components/run_cmds.py" and first.verified
    assert '"--tag"' in index.lines(first.path)[first.line - 1]
    assert all(c.verified for c in answer.citations)


def test_auto_envvar_of_resume_uses_the_shared_run_options(index) -> None:
    answer = answer_offline("METAFLOW_RESUME_TAGS=a python flow.py resume", index)
    assert "`resume --tag`" in answer.answer
    assert answer.citations[0].path == "metaflow/cli_components/run_cmds.py"
    assert answer.citations[0].verified
