"""How Metaflow declares its CLI options and configuration variables: the one reader of each.

Why a module of its own: two consumers need the same facts. :mod:`entries` indexes every click
option and every ``from_conf`` variable for search; :mod:`run_build` reads the run settings
(an option whose default is a ``from_conf`` value), the Parameter flag prefix and the
``--config``/``--config-value`` flags for "Run with…". Each used to recognise the declarations
with its own ``ast`` matching, so a change of shape in Metaflow could be followed by one and
not the other. Here each declaration is recognised once and handed over as a typed record;
what a consumer then keeps (help text, choices, a cite) stays with it.
"""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

#: where ``from_conf`` (and the config files it reads) is defined
CONFIG_FUNCS = "metaflow/metaflow_config_funcs.py"
#: where Metaflow declares its configuration variables (``NAME = from_conf(...)``)
CONFIG_MODULE = "metaflow/metaflow_config.py"
#: what stands for a varying part of a text (a message's ``%s``, a flag's built name)
WILDCARD = "{}"


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def dotted(node: ast.AST) -> str:
    """``a.b.c`` of a name, an attribute chain or the function of a call; "" otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else node.attr
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return ""


# -- click options -------------------------------------------------------------------------------
class OptionName(NamedTuple):
    """One name of an option: ``--datastore``, or ``--{}`` for a name built at run time
    (``"--" + arg.name``, then ``built_from`` is ``arg.name``)."""

    text: str
    line: int
    built_from: str = ""


class OptionDecl(NamedTuple):
    """A click option or argument as declared: ``@click.option("--x", default=…)`` on a
    command (``runtime`` False), or ``click.Option(["--x", "x"], …)`` built at run time and
    inserted into a command's params (``runtime`` True; only its dashed names are kept)."""

    call: ast.Call
    names: tuple[OptionName, ...]
    runtime: bool

    def kw(self, name: str) -> ast.expr | None:
        return kwarg(self.call, name)

    @property
    def is_option(self) -> bool:
        """An option (``click.option``/``click.Option``), not a positional argument."""
        return isinstance(self.call.func, ast.Attribute) and self.call.func.attr.lower() == "option"


def click_option(call: ast.Call) -> OptionDecl | None:
    """The declaration ``call`` makes, when it is ``click.option``/``click.argument`` or
    ``click.Option``/``click.Argument`` with at least one name; else None."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and dotted(func.value).split(".")[-1] == "click"):
        return None
    if func.attr in ("option", "argument"):
        names = tuple(
            OptionName(a.value, a.lineno)
            for a in call.args
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value
        )
        return OptionDecl(call, names, False) if names else None
    if func.attr not in ("Option", "Argument"):
        return None
    first = call.args[0] if call.args else None
    if not isinstance(first, (ast.List, ast.Tuple)):
        return None
    built: list[OptionName] = []
    for el in first.elts:
        if isinstance(el, ast.Constant) and isinstance(el.value, str):
            built.append(OptionName(el.value, el.lineno))
        elif (
            isinstance(el, ast.BinOp)
            and isinstance(el.left, ast.Constant)
            and isinstance(el.left.value, str)
        ):
            built.append(OptionName(el.left.value + WILDCARD, el.lineno, dotted(el.right)))
    if func.attr == "Option":
        built = [n for n in built if n.text.startswith("-")]  # the Python name is no flag
    return OptionDecl(call, tuple(built), True) if built else None


def value_types(option: OptionDecl) -> list[str]:
    """The class of each value an option of ``nargs`` > 1 takes, from its tuple type
    (``MultipleTuple([click.Choice(names), ConvertPath()])`` → ``Choice``, ``ConvertPath``);
    empty for an option of one value."""
    nargs, typ = option.kw("nargs"), option.kw("type")
    if not (isinstance(nargs, ast.Constant) and isinstance(nargs.value, int) and nargs.value > 1):
        return []
    if not isinstance(typ, ast.Call) or not typ.args:
        return []
    values = typ.args[0]
    if not isinstance(values, (ast.List, ast.Tuple)):
        return []
    out = [dotted(v.func if isinstance(v, ast.Call) else v).split(".")[-1] for v in values.elts]
    return [c for c in out if c]


# -- configuration variables ---------------------------------------------------------------------
class ConfigDecl(NamedTuple):
    """``NAME = from_conf("KEY", default)``: the Python name, the key (without the prefix
    ``from_conf`` adds), the default expression (None when there is none) and the lines."""

    name: str
    key: str
    default: ast.expr | None
    line: int
    end_line: int


def config_declarations(tree: ast.Module | None) -> list[ConfigDecl]:
    """Every top-level ``NAME = from_conf(...)`` of a module (``metaflow_config.py``), in
    order: the one walk the generated docs and the run settings share."""
    out = []
    for node in tree.body if tree is not None else []:
        conf = from_conf_assignment(node) if isinstance(node, ast.Assign) else None
        if conf is not None:
            out.append(conf)
    return out


def from_conf_assignment(node: ast.Assign) -> ConfigDecl | None:
    call = node.value
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "from_conf"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return None
    default = call.args[1] if len(call.args) > 1 else kwarg(call, "default")
    return ConfigDecl(
        node.targets[0].id,
        call.args[0].value,
        default,
        node.lineno,
        node.end_lineno or node.lineno,
    )


def from_conf_function(tree: ast.Module | None) -> ast.FunctionDef | None:
    """``def from_conf`` at the top of ``metaflow_config_funcs.py``."""
    return top_function(tree, "from_conf")


def top_function(tree: ast.Module | None, name: str) -> ast.FunctionDef | None:
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def config_prefix(text: str) -> str:
    """The environment prefix ``from_conf`` puts before a key (``"METAFLOW_%s" % name``),
    read from the function's source text."""
    m = re.search(r"""["'](\w+)%s["']""", text)
    return m.group(1) if m else ""


def env_prefix(funcs_text: str) -> str:
    """The prefix ``from_conf`` puts before a key, from the text of ``metaflow_config_funcs.py``
    ("" when it cannot be read)."""
    try:
        fn = from_conf_function(ast.parse(funcs_text))
    except (SyntaxError, ValueError):
        return ""
    return config_prefix(ast.get_source_segment(funcs_text, fn) or "") if fn is not None else ""


# -- environment reads ---------------------------------------------------------------------------
def is_environ(node: ast.AST) -> bool:
    """``os.environ`` or a bare ``environ`` (``from os import environ``)."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def is_env_call(call: ast.Call) -> bool:
    """``os.environ.get(…)``, ``environ.get(…)`` or ``os.getenv(…)``/``getenv(…)``."""
    f = call.func
    if isinstance(f, ast.Attribute) and f.attr == "get":
        return is_environ(f.value)
    return (isinstance(f, ast.Attribute) and f.attr == "getenv") or (
        isinstance(f, ast.Name) and f.id == "getenv"
    )


class EnvRead(NamedTuple):
    """A read of a named environment variable: its key literal and the default expression
    (None when the read has none)."""

    key: ast.Constant
    default: ast.expr | None


def env_read(node: ast.AST) -> EnvRead | None:
    """``os.environ.get("K", d)``, ``os.getenv("K", d)``, ``os.environ["K"]`` or
    ``"K" in os.environ``, the key written as a string literal; else None."""
    args: list[ast.expr] = []
    if isinstance(node, ast.Call) and is_env_call(node):
        args = node.args
    elif isinstance(node, ast.Subscript) and is_environ(node.value):
        args = [node.slice] if isinstance(node.ctx, ast.Load) else []
    elif (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], (ast.In, ast.NotIn))
        and is_environ(node.comparators[0])
    ):
        args = [node.left]
    if not args or not isinstance(args[0], ast.Constant) or not isinstance(args[0].value, str):
        return None
    return EnvRead(args[0], args[1] if len(args) > 1 else None)


def environment_read_line(fn: ast.FunctionDef) -> int:
    """The line where ``from_conf`` reads the environment (its first ``os.environ.get``): what
    the configuration precedence is cited at. The function's own line when it has none."""
    return next(
        (s.lineno for s in ast.walk(fn) if isinstance(s, ast.Call) and is_env_call(s)),
        fn.lineno,
    )
