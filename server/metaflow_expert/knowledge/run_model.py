"""The records of what a run needs: top-level run settings, decorator requirements, CLI flags.

Why a module of its own: :mod:`run_build` reads these from the Metaflow source at catalog-build
time and the catalog caches them (``DecoratorCatalog.run``); the "Run with…" logic
(:mod:`metaflow_expert.explain.run_options`) reads them without importing the builder. Like the
catalog's other records they are plain data whose ``to_dict``/``from_dict`` round trip is the
cache format, checked field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metaflow_expert.knowledge import jsonshape as js
from metaflow_expert.knowledge.jsonshape import JSON


@dataclass
class Requirement:
    """A decorator's own hook refusing a run setting: ``if flow_datastore.TYPE != "s3": raise``
    in ``BatchDecorator.step_init`` → (batch, step, step_init, datastore, [s3]). ``line`` is the
    line of the check (the ``if``), ``message`` the text it raises (``{}`` for varying parts)."""

    decorator: str
    kind: str
    hook: str
    setting: str
    allowed: list[str]
    message: str
    path: str
    line: int

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class RunSetting:
    """A top-level option of the flow's CLI whose default comes from the configuration:
    ``--datastore`` (``default=DEFAULT_DATASTORE``, ``METAFLOW_DEFAULT_DATASTORE``, ``"local"``)."""

    name: str
    option: str
    option_cite: str
    choices: list[str]
    config_key: str
    default: str
    default_cite: str


@dataclass
class ConfigFiles:
    """How ``from_conf`` finds a value: the environment (``prefix`` + key), the local config
    (``local_dir``/``local_file`` searched up from the working directory), then the global one
    (``$home_var`` or ``home_default``, ``file``, or ``profile_file % $profile_var``)."""

    prefix: str
    home_var: str
    home_default: str
    profile_var: str
    file: str
    profile_file: str
    local_dir: str
    local_file: str
    cite: str


@dataclass
class CliFlag:
    """One CLI flag a run command line uses, with where Metaflow defines it."""

    option: str
    cite: str


@dataclass
class RunFacts:
    """Everything the "Run with…" command reads from the source. ``parameter_prefix`` is what
    Metaflow puts before a Parameter's name to make its option (``"--" + arg.name``)."""

    settings: dict[str, RunSetting] = field(default_factory=dict)
    requirements: list[Requirement] = field(default_factory=list)
    config_files: ConfigFiles | None = None
    parameter_prefix: str = ""
    parameter_cite: str = ""
    config_file_flag: CliFlag | None = None
    config_value_flag: CliFlag | None = None
    with_flag: CliFlag | None = None

    def requirements_of(self, decorator: str, kind: str = "step") -> list[Requirement]:
        return [r for r in self.requirements if r.decorator == decorator and r.kind == kind]

    @classmethod
    def from_dict(cls, x: object) -> RunFacts:
        """The inverse of ``dataclasses.asdict``; raises on data of another layout."""
        d = js.obj(x)
        return cls(
            settings={k: _setting_from(v) for k, v in js.obj(d["settings"]).items()},
            requirements=[_requirement_from(r) for r in js.arr(d["requirements"])],
            config_files=None if d["config_files"] is None else _files_from(d["config_files"]),
            parameter_prefix=js.text(d["parameter_prefix"]),
            parameter_cite=js.text(d["parameter_cite"]),
            config_file_flag=_flag_from(d["config_file_flag"]),
            config_value_flag=_flag_from(d["config_value_flag"]),
            with_flag=_flag_from(d["with_flag"]),
        )


def _requirement_from(x: object) -> Requirement:
    r = js.obj(x)
    return Requirement(
        decorator=js.text(r["decorator"]),
        kind=js.text(r["kind"]),
        hook=js.text(r["hook"]),
        setting=js.text(r["setting"]),
        allowed=js.texts(r["allowed"]),
        message=js.text(r["message"]),
        path=js.text(r["path"]),
        line=js.integer(r["line"]),
    )


def _setting_from(x: object) -> RunSetting:
    s = js.obj(x)
    return RunSetting(
        name=js.text(s["name"]),
        option=js.text(s["option"]),
        option_cite=js.text(s["option_cite"]),
        choices=js.texts(s["choices"]),
        config_key=js.text(s["config_key"]),
        default=js.text(s["default"]),
        default_cite=js.text(s["default_cite"]),
    )


def _files_from(x: object) -> ConfigFiles:
    f: JSON = js.obj(x)
    return ConfigFiles(
        prefix=js.text(f["prefix"]),
        home_var=js.text(f["home_var"]),
        home_default=js.text(f["home_default"]),
        profile_var=js.text(f["profile_var"]),
        file=js.text(f["file"]),
        profile_file=js.text(f["profile_file"]),
        local_dir=js.text(f["local_dir"]),
        local_file=js.text(f["local_file"]),
        cite=js.text(f["cite"]),
    )


def _flag_from(x: object) -> CliFlag | None:
    if x is None:
        return None
    f = js.obj(x)
    return CliFlag(option=js.text(f["option"]), cite=js.text(f["cite"]))
