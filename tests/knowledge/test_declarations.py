"""The one reader of CLI and configuration declarations (``knowledge/declarations.py``), on
source written here: each shape entries and run_build rely on, and what is not one."""

from __future__ import annotations

import ast

from metaflow_expert.knowledge.declarations import (
    WILDCARD,
    click_option,
    env_prefix,
    env_read,
    environment_read_line,
    from_conf_assignment,
    from_conf_function,
    value_types,
)

SOURCE = """
import os
import click

@click.option("--datastore", "-d", default=DEFAULT_DATASTORE, help="Where data goes.")
@click.argument("flow_name")
@other.option("--not-click")
def cli(): ...

def insert(cmd, arg, config_seen):
    cmd.params.insert(0, click.Option(("--" + arg.name,), default=1))
    cmd.params.insert(0, click.Option(
        ["--config", "config"],
        nargs=2,
        type=MultipleTuple([click.Choice(config_seen), ConvertPath()]),
    ))

DEFAULT_DATASTORE = from_conf("DEFAULT_DATASTORE", "local")
DEFAULT_METADATA = from_conf("DEFAULT_METADATA", default="local")
NO_DEFAULT = from_conf("NO_DEFAULT")
NOT_ONE = something("X", "y")

def reads():
    a = os.environ.get("A_VAR", "a")
    b = os.getenv("B_VAR")
    c = os.environ["C_VAR"]
    d = "D_VAR" in os.environ
    e = os.environ.get(name)
    f = settings.get("F_VAR")
"""


def _calls(tree: ast.Module) -> list[ast.Call]:
    return sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    )


def test_click_options_decorators_and_run_time_objects() -> None:
    tree = ast.parse(SOURCE)
    decls = [d for c in _calls(tree) if (d := click_option(c)) is not None]
    texts = [[n.text for n in d.names] for d in decls]
    assert texts == [["--datastore", "-d"], ["flow_name"], ["--" + WILDCARD], ["--config"]]
    datastore, argument, built, config = decls
    assert not datastore.runtime and datastore.is_option and not argument.is_option
    assert isinstance(datastore.kw("default"), ast.Name) and datastore.names[0].line == 5
    assert built.runtime and built.names[0].built_from == "arg.name"
    assert config.runtime and value_types(config) == ["Choice", "ConvertPath"]
    assert value_types(datastore) == []  # one value: no tuple type


def test_from_conf_assignments_keep_key_and_default() -> None:
    tree = ast.parse(SOURCE)
    confs = [c for n in tree.body if isinstance(n, ast.Assign) and (c := from_conf_assignment(n))]
    assert [(c.name, c.key) for c in confs] == [
        ("DEFAULT_DATASTORE", "DEFAULT_DATASTORE"),
        ("DEFAULT_METADATA", "DEFAULT_METADATA"),
        ("NO_DEFAULT", "NO_DEFAULT"),
    ]
    defaults = [
        c.default.value if isinstance(c.default, ast.Constant) else c.default for c in confs
    ]
    assert defaults == ["local", "local", None]


def test_environment_reads_of_literal_keys() -> None:
    tree = ast.parse(SOURCE)
    reads = [r for n in ast.walk(tree) if (r := env_read(n)) is not None]
    assert sorted(r.key.value for r in reads) == ["A_VAR", "B_VAR", "C_VAR", "D_VAR"]
    (a,) = [r for r in reads if r.key.value == "A_VAR"]
    assert isinstance(a.default, ast.Constant) and a.default.value == "a"


def test_from_conf_prefix_and_its_environment_read() -> None:
    funcs = '''
def from_conf(name, default=None):
    """doc"""
    value = os.environ.get(
        "PREFIX_%s" % name.upper(), default
    )
    return value
'''
    assert env_prefix(funcs) == "PREFIX_"
    fn = from_conf_function(ast.parse(funcs))
    assert fn is not None and environment_read_line(fn) == 4
    assert env_prefix("def other(): pass") == "" and env_prefix("def (") == ""
