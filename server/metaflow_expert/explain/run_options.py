"""What "Run with…" offers for a flow, and what would make its run fail at once.

Why: ``python flow.py run`` on a flow with ``@batch`` fails immediately when the datastore the
run would use is the local one, and the user only learns it from the traceback. Here, before
the run: the flow's Parameters and Configs with the flags Metaflow builds for them, the
decorators it uses, the run settings (``--datastore``, ``--environment``, …) as the run would
resolve them (the option the user picked, else ``from_conf``'s order: the environment, the
local config, the global config, the default), and a warning for every decorator whose own
``step_init``/``flow_init`` check would refuse them — each cited at the line that checks.

Everything Metaflow-specific comes from the catalog's run facts (:mod:`knowledge.run_model`);
this module only compares. Reading the environment and the config files is injected
(``env``, ``read_json``) so tests need no real home directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from metaflow_expert.knowledge.catalog_model import DecoratorCatalog
from metaflow_expert.knowledge.run_model import ConfigFiles, RunFacts, RunSetting
from metaflow_expert.model import CallArg, FlowClass, ParameterDecl
from metaflow_expert.safe_read import MAX_CONFIG_BYTES, read_regular_file

JsonReader = Callable[[Path], "dict[str, object] | None"]


@dataclass
class ParameterOption:
    """A Parameter (or IncludeFile) as the run command line takes it."""

    attr: str
    name: str
    flag: str
    kind: str
    type: str
    default: str
    has_default: bool
    help: str
    required: bool
    line: int


@dataclass
class ConfigOption:
    """A Config: ``--config NAME FILE`` or ``--config-value NAME JSON``; its static default."""

    attr: str
    name: str
    default_file: str
    default_value: str
    help: str
    line: int


@dataclass
class ResolvedSetting:
    """The value a run setting would have, where that value comes from, and its cite."""

    name: str
    option: str
    value: str
    source: str
    cite: str
    choices: list[str]
    config_key: str


@dataclass
class RunWarning:
    """A decorator whose own check refuses the resolved setting."""

    decorator: str
    steps: list[str]
    setting: str
    allowed: list[str]
    current: str
    source: str
    message: str
    metaflow_message: str
    cite: str


@dataclass
class RunOptions:
    """The "Run with…" payload of one flow (``line`` 0-based, like the graph's)."""

    name: str
    line: int
    parameters: list[ParameterOption] = field(default_factory=list)
    configs: list[ConfigOption] = field(default_factory=list)
    decorators: list[str] = field(default_factory=list)
    settings: list[ResolvedSetting] = field(default_factory=list)
    warnings: list[RunWarning] = field(default_factory=list)
    flags: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Choices:
    """What the user picked: run settings by name (``{"datastore": "s3"}``) and ``--with``
    decorator specs (``"retry:times=3"``)."""

    settings: dict[str, str] = field(default_factory=dict)
    with_specs: list[str] = field(default_factory=list)


def read_json_file(path: Path) -> dict[str, object] | None:
    """A config file's object, or None when missing or unreadable (Metaflow would raise on a
    broken one; the run itself reports that better than a warning could). Read by the one
    safe reader: a FIFO or a device under the name, or a file larger than any config
    (:data:`~metaflow_expert.safe_read.MAX_CONFIG_BYTES`), is refused, never read."""
    raw, _error = read_regular_file(path, MAX_CONFIG_BYTES)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


# -- parameters and configs ----------------------------------------------------------------------
def _shown(arg: CallArg | None) -> str:
    """A literal as the command line takes it: strings bare, other values as JSON."""
    if arg is None or not arg.is_literal:
        return ""
    if isinstance(arg.value, str):
        return arg.value
    if isinstance(arg.value, bool):
        return str(arg.value)  # click's bool type reads "True"/"False"
    try:
        return json.dumps(arg.value)
    except (TypeError, ValueError):
        return arg.source


def _type_of(decl: ParameterDecl, default: CallArg | None) -> str:
    typ = decl.kwarg("type")
    if typ is not None:
        return typ.source
    if decl.kind == "IncludeFile":
        return "file"
    if default is not None and default.is_literal and default.value is not None:
        return type(default.value).__name__
    return "str"


def parameter_options(flow: FlowClass, prefix: str) -> list[ParameterOption]:
    out = []
    for decl in flow.parameters:
        if decl.kind == "Config" or not decl.param_name:
            continue
        default = decl.kwarg("default")
        required = decl.kwarg("required")
        out.append(
            ParameterOption(
                attr=decl.attr,
                name=decl.param_name,
                flag=f"{prefix}{decl.param_name}" if prefix else "",
                kind=decl.kind,
                type=_type_of(decl, default),
                default=_shown(default) if default is not None else "",
                has_default=default is not None,
                help=_literal_help(decl),
                required=bool(required is not None and required.value is True),
                line=decl.span.start_line,
            )
        )
    return out


def _literal_help(decl: ParameterDecl) -> str:
    """A Parameter's or Config's ``help=`` when written as a literal."""
    help_arg = decl.kwarg("help")
    return str(help_arg.value) if help_arg is not None and help_arg.is_literal else ""


def config_options(flow: FlowClass) -> list[ConfigOption]:
    out = []
    for decl in flow.parameters:
        if decl.kind != "Config" or not decl.param_name:
            continue
        default = decl.kwarg("default")
        value = decl.kwarg("default_value")
        out.append(
            ConfigOption(
                attr=decl.attr,
                name=decl.param_name,
                default_file=_shown(default),
                default_value=_shown(value),
                help=_literal_help(decl),
                line=decl.span.start_line,
            )
        )
    return out


# -- run settings --------------------------------------------------------------------------------
def _local_config(files: ConfigFiles, cwd: Path) -> Path | None:
    """``init_local_config``: the first ``<dir>/<local_dir>`` up from the working directory."""
    if not files.local_dir or not files.local_file:
        return None
    current = cwd
    while True:
        candidate = current / files.local_dir
        if candidate.is_dir():
            return candidate / files.local_file
        if current.parent == current:
            return None
        current = current.parent


def _global_config(files: ConfigFiles, env: Mapping[str, str]) -> Path | None:
    if not files.file:
        return None
    home = env.get(files.home_var, files.home_default) if files.home_var else files.home_default
    profile = env.get(files.profile_var) if files.profile_var else None
    name = (
        files.profile_file.replace("%s", profile) if profile and files.profile_file else files.file
    )
    return Path(os.path.expanduser(os.path.join(home, name)))


def resolve_settings(
    run: RunFacts,
    choices: Choices,
    env: Mapping[str, str],
    cwd: Path,
    read_json: JsonReader = read_json_file,
) -> list[ResolvedSetting]:
    """Each run setting as the run would see it, in ``from_conf``'s order after the option."""
    files = run.config_files
    local = _local_config(files, cwd) if files else None
    global_ = _global_config(files, env) if files else None
    local_data = read_json(local) if local else None
    global_data = read_json(global_) if global_ else None
    out = []
    for s in run.settings.values():
        value, source, cite = _resolve(
            s, choices, env, files, local, local_data, global_, global_data
        )
        out.append(ResolvedSetting(s.name, s.option, value, source, cite, s.choices, s.config_key))
    return out


def _resolve(
    s: RunSetting,
    choices: Choices,
    env: Mapping[str, str],
    files: ConfigFiles | None,
    local: Path | None,
    local_data: Mapping[str, object] | None,
    global_: Path | None,
    global_data: Mapping[str, object] | None,
) -> tuple[str, str, str]:
    picked = choices.settings.get(s.name)
    if picked:
        return picked, f"{s.option} chosen for this run", s.option_cite
    from_conf = files.cite if files else s.default_cite
    if s.config_key in env:
        return env[s.config_key], f"environment variable {s.config_key}", from_conf
    for path, data in ((local, local_data), (global_, global_data)):
        if path is not None and data is not None and s.config_key in data:
            return str(data[s.config_key]), f"{s.config_key} in {path}", from_conf
    return s.default, f"default of {s.config_key}", s.default_cite


# -- decorators and warnings ---------------------------------------------------------------------
def _with_names(specs: Iterable[str]) -> list[str]:
    """``--with batch:cpu=4`` → ``batch``."""
    return [spec.split(":", 1)[0].strip() for spec in specs if spec.strip()]


def decorators_used(flow: FlowClass) -> tuple[dict[str, list[str]], list[str]]:
    """Step decorators (name → steps using it, in step order) and flow decorators."""
    steps: dict[str, list[str]] = {}
    for step in flow.steps.values():
        for d in step.decorators:
            if d.name != "step":
                steps.setdefault(d.name, [])
                if step.name not in steps[d.name]:
                    steps[d.name].append(step.name)
    return steps, list(dict.fromkeys(d.name for d in flow.decorators))


def run_warnings(
    run: RunFacts,
    step_decorators: Mapping[str, list[str]],
    flow_decorators: Iterable[str],
    settings: Iterable[ResolvedSetting],
    with_decorators: Iterable[str] = (),
) -> list[RunWarning]:
    """One warning per decorator use whose requirement the resolved settings fail."""
    resolved = {s.name: s for s in settings}
    used = [(name, "step", list(steps), "") for name, steps in step_decorators.items()]
    used += [(name, "flow", [], "") for name in flow_decorators]
    used += [(name, "step", [], "added with --with") for name in with_decorators]
    out = []
    for name, kind, steps, how in used:
        for req in run.requirements_of(name, kind):
            current = resolved.get(req.setting)
            if current is None or current.value in req.allowed:
                continue
            wanted = " or ".join(f"{current.option}={a}" for a in req.allowed)
            where = f" (step {', '.join(steps)})" if steps else f" ({how})" if how else ""
            message = (
                f"@{name}{where} needs {wanted}; this run would use "
                f"{current.option}={current.value} ({current.source})."
            )
            out.append(
                RunWarning(
                    decorator=name,
                    steps=steps,
                    setting=req.setting,
                    allowed=list(req.allowed),
                    current=current.value,
                    source=current.source,
                    message=message,
                    metaflow_message=req.message,
                    cite=req.cite,
                )
            )
    return out


def run_options(
    flow: FlowClass,
    catalog: DecoratorCatalog | None,
    choices: Choices | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    read_json: JsonReader = read_json_file,
) -> RunOptions:
    """The whole "Run with…" payload for one flow (without a catalog: parameters and configs
    only, flags unknown, no warnings)."""
    choices = choices or Choices()
    env = os.environ if env is None else env
    run = catalog.run if catalog is not None else RunFacts()
    step_decos, flow_decos = decorators_used(flow)
    with_decos = [n for n in _with_names(choices.with_specs) if n not in step_decos]
    settings = resolve_settings(run, choices, env, cwd or Path.cwd(), read_json)
    flags = {"parameterPrefix": run.parameter_prefix, "parameterCite": run.parameter_cite}
    for key, flag in (
        ("config", run.config_file_flag),
        ("configValue", run.config_value_flag),
        ("with", run.with_flag),
    ):
        if flag is not None:
            flags[key] = flag.option
            flags[f"{key}Cite"] = flag.cite
    return RunOptions(
        name=flow.name,
        line=flow.span.start_line,
        parameters=parameter_options(flow, run.parameter_prefix),
        configs=config_options(flow),
        decorators=sorted(set(step_decos) | set(flow_decos)),
        settings=settings,
        warnings=run_warnings(run, step_decos, flow_decos, settings, with_decos),
        flags=flags,
    )
