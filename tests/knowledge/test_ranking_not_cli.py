"""Two ways a question says it does not want the command line, each on questions written here
(task i12c): "from python, not the CLI" wants the Python API (``Runner``, ``Deployer``), and
"via config" wants the ``METAFLOW_*`` setting; in both the CLI's options and modules weigh
less, and "via config" asks for config entries as "setting" does."""

from __future__ import annotations

import pytest

from metaflow_expert.knowledge.search import kind_intent, rejects_cli


@pytest.fixture(scope="module")
def index(cache_dir):
    from metaflow_expert.knowledge.index import load_index

    return load_index(cache_dir=cache_dir)


def test_rejecting_the_command_line_is_told_from_using_it():
    assert rejects_cli("deploy it from python, not the CLI")
    assert rejects_cli("run it from my script rather than the command line")
    assert rejects_cli("start it without the shell")
    assert rejects_cli("instead of the command-line, from code")
    assert not rejects_cli("the cli option that sets the tag")
    assert not rejects_cli("run it from the command line with a tag")


def test_via_config_asks_for_a_setting():
    assert "config" in kind_intent("set the job queue via config")
    assert "config" in kind_intent("put the sysroot in the metaflow config")
    assert "config" in kind_intent("can i set it through my config")
    # a flow's Config is no setting
    assert "config" not in kind_intent("read a value from config in my step")
    assert "config" not in kind_intent("ship a config json with my flow")


def test_a_question_rejecting_the_cli_finds_the_python_api(index):
    hits = index.search(
        "trigger a deployment of my flow on argo from a python script, not the shell", k=3
    )
    assert "metaflow/runner/deployer.py" in [h.path for h in hits]
    assert not any(h.kind in ("cli option", "cli command") or "_cli" in h.path for h in hits)


def test_a_via_config_question_finds_the_setting_before_the_option(index):
    q = "run every kubernetes step under one service account"
    plain = [(h.path, h.kind) for h in index.search(q, k=2)]
    assert ("metaflow/plugins/kubernetes/kubernetes_cli.py", "cli option") in plain
    # said "via config", the setting takes the option's place
    hits = [(h.path, h.kind) for h in index.search(f"{q} via config", k=2)]
    assert ("metaflow/metaflow_config.py", "config") in hits
    assert not any(kind == "cli option" for _, kind in hits)
