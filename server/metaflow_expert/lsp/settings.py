"""Editor settings for the language server, parsed from ``initializationOptions`` and
``workspace/didChangeConfiguration``.

Why a typed copy: editors send whatever JSON the user typed; every handler reads one
:class:`ServerSettings` and never a raw dict, and a wrong type falls back to the default with
a warning instead of crashing a handler later. The shape is the contract in
``docs/architecture.md`` (``settings.metaflowExpert``); keys added here (``lint.debounceMs``,
``lint.ruleDocUrl``, ``lint.nestedForeach``, ``runs``) only extend it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from metaflow_expert.parsing.source import MAX_SOURCE_CHARS

LintRun = Literal["onType", "onSave"]
SEVERITIES = ("error", "warning", "info", "hint", "off")
LOG_LEVELS = ("error", "warning", "info", "debug")


def _default_rule_doc_url() -> str | None:
    """``docs/rules.md`` of a source checkout as a file URI template, when it is there."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "docs" / "rules.md"
        if candidate.is_file():
            return candidate.as_uri() + "#{code_lower}"
        if (parent / "pyproject.toml").is_file():
            break
    return None


@dataclass(frozen=True)
class LintOptions:
    run: LintRun = "onType"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    debounce_ms: int = 200
    rule_doc_url: str | None = None
    nested_foreach: bool | None = None
    max_file_chars: int = MAX_SOURCE_CHARS

    def doc_url(self, code: str) -> str | None:
        """The link a diagnostic's ``codeDescription`` carries (a file or https URL)."""
        template = self.rule_doc_url if self.rule_doc_url is not None else _RULE_DOC_DEFAULT
        if not template:
            return None
        return template.replace("{code}", code).replace("{code_lower}", code.lower())


_RULE_DOC_DEFAULT = _default_rule_doc_url()


@dataclass(frozen=True)
class AskOptions:
    model: str | None = None
    base_url: str | None = None
    max_turns: int | None = None
    max_tokens: int | None = None
    #: seconds one answer may take in all (turns, retries, streaming); None: the agent's default
    deadline_s: int | None = None


@dataclass(frozen=True)
class RunOptions:
    """Values from the latest run shown in artifact hovers (read in a subprocess)."""

    enabled: bool = True
    timeout_s: float = 20.0
    ttl_s: float = 30.0


@dataclass(frozen=True)
class ServerSettings:
    interpreter: str | None = None
    metaflow_source: str | None = None
    extra_docs: tuple[str, ...] = ()
    lint: LintOptions = field(default_factory=LintOptions)
    ask: AskOptions = field(default_factory=AskOptions)
    runs: RunOptions = field(default_factory=RunOptions)
    log_level: str = "info"

    def knowledge_key(self) -> tuple[object, ...]:
        """What, when changed, means the Metaflow index must be rebuilt."""
        return (self.interpreter, self.metaflow_source, self.extra_docs)


def unwrap(raw: Any) -> dict[str, Any]:
    """Accept ``{metaflowExpert: {...}}``, ``{settings: {metaflowExpert: ...}}`` or the bare dict."""
    if not isinstance(raw, dict):
        return {}
    if isinstance(raw.get("settings"), dict):
        raw = raw["settings"]
    if isinstance(raw.get("metaflowExpert"), dict):
        raw = raw["metaflowExpert"]
    return raw


def _str(v: Any, warn: list[str], key: str) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return v
    warn.append(f"setting {key} should be a string, got {type(v).__name__}")
    return None


def _strs(v: Any, warn: list[str], key: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    warn.append(f"setting {key} should be a list of strings")
    return ()


def _int(v: Any, warn: list[str], key: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        warn.append(f"setting {key} should be a number")
        return None
    return int(v)


def parse_settings(raw: Any) -> tuple[ServerSettings, list[str]]:
    """Settings from editor JSON, plus warnings for values that were ignored. Never raises."""
    warn: list[str] = []
    d = unwrap(raw)
    lint_raw: dict[str, Any] = d["lint"] if isinstance(d.get("lint"), dict) else {}
    ask_raw: dict[str, Any] = d["ask"] if isinstance(d.get("ask"), dict) else {}
    runs_raw: dict[str, Any] = d["runs"] if isinstance(d.get("runs"), dict) else {}

    run = lint_raw.get("run", "onType")
    if run not in ("onType", "onSave"):
        warn.append(f"setting lint.run must be onType or onSave, got {run!r}")
        run = "onType"
    severity: dict[str, str] = {}
    sev_raw = lint_raw.get("severity") or {}
    if isinstance(sev_raw, dict):
        for code, level in sev_raw.items():
            if isinstance(level, str) and level.lower() in SEVERITIES:
                severity[str(code).upper()] = level.lower()
            else:
                warn.append(f"setting lint.severity.{code}: unknown level {level!r}")
    debounce = _int(lint_raw.get("debounceMs"), warn, "lint.debounceMs")
    nested = lint_raw.get("nestedForeach")
    max_chars = _int(lint_raw.get("maxFileChars"), warn, "lint.maxFileChars")
    lint = LintOptions(
        run=run,
        select=_strs(lint_raw.get("select"), warn, "lint.select"),
        ignore=_strs(lint_raw.get("ignore"), warn, "lint.ignore"),
        severity=severity,
        debounce_ms=max(0, debounce) if debounce is not None else 200,
        rule_doc_url=lint_raw.get("ruleDocUrl")
        if isinstance(lint_raw.get("ruleDocUrl"), str)
        else None,
        nested_foreach=nested if isinstance(nested, bool) else None,
        max_file_chars=max_chars if max_chars and max_chars > 0 else MAX_SOURCE_CHARS,
    )
    ask = AskOptions(
        model=_str(ask_raw.get("model"), warn, "ask.model"),
        base_url=_str(ask_raw.get("baseUrl"), warn, "ask.baseUrl"),
        max_turns=_int(ask_raw.get("maxTurns"), warn, "ask.maxTurns"),
        max_tokens=_int(ask_raw.get("maxTokens"), warn, "ask.maxTokens"),
        deadline_s=_int(ask_raw.get("deadlineSeconds"), warn, "ask.deadlineSeconds"),
    )
    timeout = runs_raw.get("timeoutSeconds", 20.0)
    ttl = runs_raw.get("cacheSeconds", 30.0)
    runs = RunOptions(
        enabled=bool(runs_raw.get("enabled", True)),
        timeout_s=float(timeout) if isinstance(timeout, (int, float)) else 20.0,
        ttl_s=float(ttl) if isinstance(ttl, (int, float)) else 30.0,
    )
    level = d.get("logLevel", "info")
    if not isinstance(level, str) or level.lower() not in LOG_LEVELS:
        warn.append(f"setting logLevel must be one of {', '.join(LOG_LEVELS)}")
        level = "info"
    settings = ServerSettings(
        interpreter=_str(d.get("interpreter"), warn, "interpreter"),
        metaflow_source=_str(d.get("metaflowSource"), warn, "metaflowSource"),
        extra_docs=_strs(d.get("extraDocs"), warn, "extraDocs"),
        lint=lint,
        ask=ask,
        runs=runs,
        log_level=level.lower(),
    )
    return settings, warn
