"""Reading what a run needs from the Metaflow source: the records of :mod:`run_model`.

Why: ``@batch`` on a flow run with the default local datastore fails at once ("The *@batch*
decorator requires --datastore=s3."), and ``@pypi`` without ``--environment=pypi`` likewise.
Those demands live in each decorator's own ``step_init``/``flow_init`` as
``if flow_datastore.TYPE != "s3": raise …``; the settings they test are top-level options of
the flow's CLI (``cli.py``: ``--datastore``, ``default=DEFAULT_DATASTORE``) whose defaults
``from_conf`` resolves from the environment and the config files. Reading all of it here, with
``ast`` and never importing Metaflow (the option and config declarations through
:mod:`declarations`, the same reader the index's entries use), lets the editor warn before a run with the exact line
that would raise, for the Metaflow version in use.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from metaflow_expert.knowledge.declarations import (
    CONFIG_FUNCS,
    CONFIG_MODULE,
    WILDCARD,
    click_option,
    config_declarations,
    config_prefix,
    env_read,
    environment_read_line,
    from_conf_function,
    top_function,
    value_types,
)
from metaflow_expert.knowledge.entries import message_text
from metaflow_expert.knowledge.modules import Definition, ModuleReader
from metaflow_expert.knowledge.registry_lists import registered_names
from metaflow_expert.knowledge.run_model import (
    CliFlag,
    ConfigFiles,
    Requirement,
    RunFacts,
    RunSetting,
)

CLI = "metaflow/cli.py"
CONFIG = CONFIG_MODULE
PARAMETERS = "metaflow/parameters.py"
CONFIG_OPTIONS = "metaflow/user_configs/config_options.py"
#: the top-level option adding a decorator to every step (looked up by name, cited where found)
WITH_OPTION = "--with"


def read_run_facts(
    reader: ModuleReader, decorators: Iterable[tuple[str, str, Definition]]
) -> RunFacts:
    """The run facts of one source tree; ``decorators`` are the catalog's (kind, name, class)."""
    # the one reading of the environment prefix ``from_conf`` puts before a key, for both the
    # settings' variables and the config files' record
    conf_prefix = from_conf_prefix(reader)
    settings, type_attrs, with_flag = _cli_settings(reader, conf_prefix)
    requirements: list[Requirement] = []
    for kind, name, d in decorators:
        requirements += _requirements(reader, kind, name, d, settings, type_attrs)
    prefix, prefix_cite = _parameter_prefix(reader)
    file_flag, value_flag = _config_flags(reader)
    return RunFacts(
        settings=settings,
        requirements=requirements,
        config_files=_config_files(reader, conf_prefix),
        parameter_prefix=prefix,
        parameter_cite=prefix_cite,
        config_file_flag=file_flag,
        config_value_flag=value_flag,
        with_flag=with_flag,
    )


# -- the flow CLI's top-level options ------------------------------------------------------------
def _cli_settings(
    reader: ModuleReader, conf_prefix: str
) -> tuple[dict[str, RunSetting], dict[str, str], CliFlag | None]:
    """Options of ``cli.py``'s commands declared as ``click.option("--x", default=NAME,
    type=click.Choice([...]))`` with ``NAME = from_conf(...)`` in ``metaflow_config.py``: the
    settings a decorator can demand. Also the attribute the choices read (``d.TYPE``), which is
    what a decorator's check compares, and the ``--with`` option."""
    tree = reader.tree(CLI)
    configs = _config_defaults(reader, conf_prefix)
    settings: dict[str, RunSetting] = {}
    type_attrs: dict[str, str] = {}
    with_flag: CliFlag | None = None
    for fn in ast.walk(tree) if tree is not None else []:
        if not isinstance(fn, ast.FunctionDef):
            continue
        for dec in fn.decorator_list:
            decl = click_option(dec) if isinstance(dec, ast.Call) else None
            if decl is None or decl.runtime or not decl.is_option:
                continue
            option = decl.names[0].text
            cite = f"{CLI}:{decl.names[0].line}"
            if option == WITH_OPTION and with_flag is None:
                with_flag = CliFlag(option, cite)
            default = decl.kw("default")
            choice = decl.kw("type")
            if not (
                option.startswith("--")
                and isinstance(default, ast.Name)
                and default.id in configs
                and isinstance(choice, ast.Call)
                and choice.args
            ):
                continue
            name = option[2:]
            if name in settings:
                continue
            key, value, default_cite = configs[default.id]
            choices, attr = _choices(reader, choice.args[0])
            settings[name] = RunSetting(name, option, cite, choices, key, value, default_cite)
            if attr:
                type_attrs[name] = attr
    return settings, type_attrs, with_flag


def _config_defaults(reader: ModuleReader, prefix: str) -> dict[str, tuple[str, str, str]]:
    """``NAME = from_conf("KEY", "literal")`` → NAME: (``METAFLOW_KEY``, literal, cite)."""
    out: dict[str, tuple[str, str, str]] = {}
    for conf in config_declarations(reader.tree(CONFIG)):
        default = conf.default
        if not (isinstance(default, ast.Constant) and isinstance(default.value, str)):
            continue
        out[conf.name] = (f"{prefix}{conf.key}", default.value, f"{CONFIG}:{conf.line}")
    return out


def from_conf_prefix(reader: ModuleReader) -> str:
    """The prefix ``from_conf`` puts before a key (``METAFLOW_``), "" when it cannot be read
    (the index's entries read the same from the file's text: :func:`declarations.env_prefix`)."""
    fn = from_conf_function(reader.tree(CONFIG_FUNCS))
    if fn is None:
        return ""
    return config_prefix(reader.segment(CONFIG_FUNCS, fn))


def _choices(reader: ModuleReader, node: ast.AST) -> tuple[list[str], str]:
    """``["local"] + [m.TYPE for m in ENVIRONMENTS]`` → the literals plus the names of the
    ``ENVIRONMENTS_DESC`` registry list, and the attribute compared (``TYPE``)."""
    out: list[str] = []
    attr = ""
    for sub in ast.walk(node):
        if isinstance(sub, ast.List):
            out += [
                e.value
                for e in sub.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
        elif isinstance(sub, ast.ListComp) and len(sub.generators) == 1:
            gen = sub.generators[0]
            if isinstance(sub.elt, ast.Attribute) and isinstance(gen.iter, ast.Name):
                attr = sub.elt.attr
                out += registered_names(reader, f"{gen.iter.id}_DESC")
    return list(dict.fromkeys(out)), attr


# -- decorator requirements ----------------------------------------------------------------------
def _requirements(
    reader: ModuleReader,
    kind: str,
    name: str,
    d: Definition,
    settings: dict[str, RunSetting],
    type_attrs: dict[str, str],
) -> list[Requirement]:
    """The checks of the class's methods and of its plugin base classes' (a subclass inherits
    its base's ``step_init``); a method the subclass overrides is not inherited."""
    out: list[Requirement] = []
    seen_methods: set[str] = set()
    for cls in reader.plugin_lineage(d):
        assert isinstance(cls.node, ast.ClassDef)  # what the lineage yields
        for fn in cls.node.body:
            if not isinstance(fn, ast.FunctionDef) or fn.name in seen_methods:
                continue
            seen_methods.add(fn.name)
            out += _method_checks(kind, name, cls.rel, fn, settings, type_attrs)
    return out


def _method_checks(
    kind: str,
    name: str,
    rel: str,
    fn: ast.FunctionDef,
    settings: dict[str, RunSetting],
    type_attrs: dict[str, str],
) -> list[Requirement]:
    """``if <param>.TYPE != "s3"`` / ``not in ("s3", "azure")`` / ``not in <local list>``
    followed by a ``raise``, where ``<param>`` is a hook parameter named after a setting
    (``flow_datastore`` → ``datastore``, ``environment`` → ``environment``)."""
    params = {a.arg: s for a in fn.args.args if (s := _setting_of(a.arg, settings))}
    if not params:
        return []
    lists = _local_lists(fn)
    out: list[Requirement] = []
    for node in ast.walk(fn):
        if not isinstance(node, ast.If):
            continue
        raised = next((b for b in node.body if isinstance(b, ast.Raise)), None)
        test = node.test
        if raised is None or not (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.left, ast.Attribute)
            and isinstance(test.left.value, ast.Name)
            and test.left.value.id in params
        ):
            continue
        setting = params[test.left.value.id]
        if test.left.attr != type_attrs.get(setting, test.left.attr):
            continue
        allowed = _allowed(test.ops[0], test.comparators[0], lists)
        if not allowed:
            continue
        exc = raised.exc
        msg_node = exc.args[0] if isinstance(exc, ast.Call) and exc.args else exc
        got = message_text(msg_node) if msg_node is not None else None
        out.append(
            Requirement(
                decorator=name,
                kind=kind,
                hook=fn.name,
                setting=setting,
                allowed=allowed,
                message=got[0] if got else "",
                path=rel,
                line=test.lineno,
            )
        )
    return out


def _setting_of(param: str, settings: dict[str, RunSetting]) -> str | None:
    return next((s for s in settings if param == s or param.endswith("_" + s)), None)


def _strings(node: ast.AST) -> list[str] | None:
    if isinstance(node, (ast.List, ast.Tuple)):
        vals = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(vals) == len(node.elts) and all(isinstance(v, str) for v in vals):
            return [str(v) for v in vals]
    return None


def _local_lists(fn: ast.FunctionDef) -> dict[str, list[str]]:
    """Lists of literals the method builds in its own body, in order: ``x = ["conda"]``,
    ``x.extend(["pypi"])``, ``x.append("y")``, ``x += ["z"]`` (conda's supported environments)."""
    out: dict[str, list[str]] = {}
    for stmt in fn.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            vals = _strings(stmt.value)
            if vals is not None:
                out[stmt.targets[0].id] = vals
            else:
                out.pop(stmt.targets[0].id, None)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            vals = _strings(stmt.value)
            if stmt.target.id in out and vals is not None:
                out[stmt.target.id] += vals
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and isinstance(stmt.value.func.value, ast.Name)
            and stmt.value.func.value.id in out
            and len(stmt.value.args) == 1
        ):
            target, arg = stmt.value.func.value.id, stmt.value.args[0]
            if stmt.value.func.attr == "extend" and (vals := _strings(arg)) is not None:
                out[target] += vals
            elif (
                stmt.value.func.attr == "append"
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
            ):
                out[target].append(arg.value)
    return out


def _allowed(op: ast.cmpop, right: ast.AST, lists: dict[str, list[str]]) -> list[str]:
    if isinstance(op, ast.NotEq) and isinstance(right, ast.Constant):
        return [right.value] if isinstance(right.value, str) else []
    if isinstance(op, ast.NotIn):
        if isinstance(right, ast.Name):
            return list(lists.get(right.id, []))
        return _strings(right) or []
    return []


# -- CLI flags -----------------------------------------------------------------------------------
def _parameter_prefix(reader: ModuleReader) -> tuple[str, str]:
    """``click.Option(("--" + arg.name,), …)`` in ``parameters.py`` → ("--", cite)."""
    tree = reader.tree(PARAMETERS)
    for node in ast.walk(tree) if tree is not None else []:
        decl = click_option(node) if isinstance(node, ast.Call) else None
        if decl is None or not decl.runtime or not decl.is_option:
            continue
        first = decl.names[0]
        if first.built_from.split(".")[-1] == "name" and first.text.endswith(WILDCARD):
            return first.text.removesuffix(WILDCARD), f"{PARAMETERS}:{first.line}"
    return "", ""


def _config_flags(reader: ModuleReader) -> tuple[CliFlag | None, CliFlag | None]:
    """The two-valued ``click.Option([...], nargs=2, type=MultipleTuple([names, T()]))`` of
    ``config_options.py``: the one converting a path takes a file, the other a value."""
    tree = reader.tree(CONFIG_OPTIONS)
    file_flag = value_flag = None
    for node in ast.walk(tree) if tree is not None else []:
        decl = click_option(node) if isinstance(node, ast.Call) else None
        if decl is None or not decl.runtime or not decl.is_option or decl.names[0].built_from:
            continue
        nargs = decl.kw("nargs")
        if not (isinstance(nargs, ast.Constant) and nargs.value == 2):
            continue
        types = value_types(decl)
        first = decl.names[0]
        flag = CliFlag(first.text, f"{CONFIG_OPTIONS}:{first.line}")
        if any("Path" in t for t in types):
            file_flag = file_flag or flag
        else:
            value_flag = value_flag or flag
    return file_flag, value_flag


# -- configuration files -------------------------------------------------------------------------
def _config_files(reader: ModuleReader, prefix: str) -> ConfigFiles | None:
    """``init_config``/``init_local_config``/``from_conf`` of ``metaflow_config_funcs.py``: the
    variables and file names ``from_conf`` reads, cited at its ``os.environ.get``."""
    tree = reader.tree(CONFIG_FUNCS)
    init, local = (top_function(tree, n) for n in ("init_config", "init_local_config"))
    conf = from_conf_function(tree)
    if init is None or conf is None:
        return None
    home_var = home_default = profile_var = file = profile_file = ""
    for sub in ast.walk(init):
        read = env_read(sub) if isinstance(sub, ast.Call) else None
        if read is not None:
            var = str(read.key.value)
            if isinstance(read.default, ast.Constant):
                home_var, home_default = var, str(read.default.value)
            elif not profile_var:
                profile_var = var
        elif (
            isinstance(sub, ast.Constant)
            and isinstance(sub.value, str)
            and sub.value.endswith(".json")
        ):
            if "%s" in sub.value:
                profile_file = profile_file or sub.value
            else:
                file = file or sub.value
    local_dir = local_file = ""
    if local is not None:
        imported = [
            a.name for sub in ast.walk(local) if isinstance(sub, ast.ImportFrom) for a in sub.names
        ]
        # the first imported name is the directory, the second the file (``DATASTORE_LOCAL_DIR,
        # LOCAL_CONFIG_FILE``), as init_local_config joins them
        values = [v for n in imported if (v := reader.string_constant(CONFIG, n)) is not None]
        if len(values) >= 2:
            local_dir, local_file = values[0], values[1]
    cite_line = environment_read_line(conf)
    return ConfigFiles(
        prefix=prefix,
        home_var=home_var,
        home_default=home_default,
        profile_var=profile_var,
        file=file,
        profile_file=profile_file,
        local_dir=local_dir,
        local_file=local_file,
        cite=f"{CONFIG_FUNCS}:{cite_line}",
    )
