"""Lint settings from ``[tool.metaflow-expert]`` in the nearest ``pyproject.toml``, and ``# noqa``.

Why a project file: the same settings must apply in the editor, on the command line and in CI.
The table mirrors ruff's vocabulary so nobody has to learn a new one::

    [tool.metaflow-expert]
    select = ["MF1", "MF2"]          # code prefixes; empty = the default set
    ignore = ["MF205"]
    nested-foreach = true            # also run Metaflow's optional nested-foreach check
    [tool.metaflow-expert.severity]  # per code or prefix: error | warning | info | off
    MF203 = "info"
    [tool.metaflow-expert.per-file-ignores]
    "tests/*.py" = ["MF2"]

Suppression comments on a finding's first line: ``# noqa`` (everything) or
``# noqa: MF201, MF105``; a ``# metaflow-expert: noqa[: codes]`` line anywhere silences the
whole file.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

TABLE = "metaflow-expert"
PYPROJECT = "pyproject.toml"
SEVERITIES = ("error", "warning", "info", "hint", "off")
#: the keys of the table, as users write them
KEYS = ("select", "ignore", "extend-select", "per-file-ignores", "severity", "nested-foreach")


class ConfigError(ValueError):
    """A settings file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class LintSettings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    nested_foreach: bool = False
    #: added to ``select`` (or to the default set when ``select`` is empty), like ruff's
    extend_select: tuple[str, ...] = ()
    #: folder of the pyproject.toml the settings came from (per-file globs are relative to it)
    root: Path | None = None
    #: where the settings were read from, for messages
    source: str | None = None

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """Codes (prefixes) that ``per_file_ignores`` turns off for ``path``."""
        if not self.per_file_ignores or not path:
            return ()
        candidates = _path_forms(path, self.root)
        out: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
                out.extend(codes)
        return tuple(out)

    def severity_for(self, code: str) -> str | None:
        """The override for ``code``: an exact code, else the longest matching prefix."""
        if code in self.severity:
            return self.severity[code]
        best = None
        for prefix, level in self.severity.items():
            if code.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, level)
        return best[1] if best else None

    def selectors(self) -> Iterator[tuple[str, str]]:
        """Every rule code or prefix these settings name, with the key that names it."""
        for key, values in (
            ("select", self.select),
            ("ignore", self.ignore),
            ("extend-select", self.extend_select),
        ):
            for v in values:
                yield key, v
        for glob, codes in self.per_file_ignores.items():
            for v in codes:
                yield f"per-file-ignores.{glob}", v
        for code in self.severity:
            yield "severity", code


def unknown_selector(
    selector: str, known: Collection[str], *, allow_all: bool = False
) -> str | None:
    """Why ``selector`` selects nothing, with the closest code; None when some rule matches.

    A typo in a selection must not switch checks off in silence: ``--select MF999`` used to
    print "All checks passed". ``ALL`` is a selector only where ``select`` reads it."""
    sel = selector.upper()
    if (allow_all and sel == "ALL") or any(code.startswith(sel) for code in known):
        return None
    from metaflow_expert.rules.suggest import closest

    guess = closest(sel, known)
    hint = f"did you mean {guess}?" if guess else "'metaflow-expert rule' lists the rules"
    return f"unknown rule code {selector!r} ({hint})"


def _path_forms(path: str, root: Path | None) -> list[str]:
    p = PurePath(path)
    forms = [p.as_posix(), p.name]
    if root is not None:
        try:
            forms.append(Path(path).resolve().relative_to(root.resolve()).as_posix())
        except (ValueError, OSError):
            pass
    return forms


def find_pyproject(start: str | Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has our table."""
    here = Path(start)
    try:
        here = here.resolve()
    except OSError:
        here = here.absolute()
    if here.is_file() and here.name == PYPROJECT:
        return here
    if not here.is_dir():
        here = here.parent
    for d in (here, *here.parents):
        cand = d / PYPROJECT
        if cand.is_file():
            try:
                if f"[tool.{TABLE}" in cand.read_text(encoding="utf-8", errors="replace"):
                    return cand
            except OSError:
                continue
    return None


def load_settings(start: str | Path, *, strict: bool = False) -> LintSettings:
    """Settings for files at ``start`` (a flow file, a folder, or a toml file itself).

    No pyproject with a ``[tool.metaflow-expert]`` table → defaults. A broken table raises
    :class:`ConfigError` with a one-line message naming the file and the key. ``strict`` (the
    command line) also refuses a table that is not a table and keys it does not know: in CI a
    misspelled ``selct`` would otherwise lint with the defaults and pass. The editor is lenient
    and keeps linting with what it can use."""
    start_path = Path(start)
    if start_path.suffix == ".toml" and start_path.is_file():
        toml_path: Path | None = start_path
    else:
        toml_path = find_pyproject(start_path)
    if toml_path is None:
        return LintSettings()
    try:
        text = toml_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{toml_path}: cannot read ({exc})") from None
    try:
        data = _load_toml(text)
    except Exception as exc:
        raise ConfigError(f"{toml_path}: invalid TOML ({exc})") from None
    table = data.get("tool", {}).get(TABLE) if isinstance(data.get("tool"), dict) else None
    if table is None and toml_path.name != PYPROJECT:
        table = data.get(TABLE, data)  # a dedicated config file may hold the keys at top level
    if not isinstance(table, dict):
        if strict and table is not None:
            raise ConfigError(
                f"{toml_path}: [tool.{TABLE}] must be a table, not {type(table).__name__}"
            )
        return LintSettings(root=toml_path.parent, source=str(toml_path))
    if strict:
        _check_keys(table, str(toml_path))
    return settings_from_dict(table, root=toml_path.parent, source=str(toml_path))


def _check_keys(table: dict[str, Any], where: str) -> None:
    """Refuse a key the table does not have (kebab-case or snake_case), naming the closest."""
    accepted = {*KEYS, *(k.replace("-", "_") for k in KEYS)}
    for key in table:
        if str(key) not in accepted:
            from metaflow_expert.rules.suggest import closest

            guess = closest(str(key), KEYS)
            hint = f"did you mean '{guess}'?" if guess else f"known keys: {', '.join(KEYS)}"
            raise ConfigError(f"{where}: unknown key '{key}' in [tool.{TABLE}] ({hint})")


def settings_from_dict(
    table: dict[str, Any], *, root: Path | None = None, source: str | None = None
) -> LintSettings:
    """Validate a settings table (keys in kebab-case or snake_case)."""
    where = source or "settings"
    norm = {str(k).replace("-", "_"): v for k, v in table.items()}

    def codes(key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be a list of rule codes")
        return tuple(v.strip().upper() for v in value if v.strip())

    select = codes("select", norm.get("select", []))
    ignore = codes("ignore", norm.get("ignore", []))
    extend = codes("extend-select", norm.get("extend_select", []))
    pfi_raw = norm.get("per_file_ignores", {})
    if not isinstance(pfi_raw, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [codes]")
    pfi = {str(g): codes(f"per-file-ignores.{g}", v) for g, v in pfi_raw.items()}
    sev_raw = norm.get("severity", {})
    if not isinstance(sev_raw, dict):
        raise ConfigError(f"{where}: 'severity' must be a table of CODE = level")
    severity: dict[str, str] = {}
    for code, level in sev_raw.items():
        if not isinstance(level, str) or level.lower() not in SEVERITIES:
            raise ConfigError(
                f"{where}: 'severity.{code}' must be one of {', '.join(SEVERITIES)}, got {level!r}"
            )
        severity[str(code).upper()] = level.lower()
    nested = norm.get("nested_foreach", False)
    if not isinstance(nested, bool):
        raise ConfigError(f"{where}: 'nested-foreach' must be true or false")
    return LintSettings(select, ignore, pfi, severity, nested, extend, root, source)


# --------------------------------------------------------------------------------------------
# TOML: tomllib on 3.11+, a tiny reader for our own table on 3.10


def _load_toml(text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return _tiny_toml(text)
    return tomllib.loads(text)


_HEADER = re.compile(r"^\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def _tiny_toml(text: str) -> dict[str, Any]:
    """Enough TOML for our table: ``[a.b]`` headers, ``key = value`` with strings, booleans,
    numbers and (multi-line) arrays. Other tables are skipped."""
    root: dict[str, Any] = {}
    current: dict[str, Any] | None = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw if pending else raw
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        m = _HEADER.match(stripped) if not pending else None
        if m:
            keys = [k.strip().strip('"') for k in m.group(1).split(".")]
            current = root
            for k in keys:
                current = current.setdefault(k, {})
            continue
        if current is None or "=" not in stripped:
            continue
        if stripped.count("[") > stripped.count("]"):
            pending = line + "\n"
            continue
        pending = ""
        key, _, value = stripped.partition("=")
        key = key.strip().strip('"').strip("'")
        current[key] = _tiny_value(value.strip())
    return root


def _tiny_value(value: str) -> Any:
    lines = [
        ln.split(" #", 1)[0] if not ln.strip().startswith("#") else "" for ln in value.splitlines()
    ]
    src = "\n".join(lines).strip()
    src = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", src))
    return ast.literal_eval(src)


# --------------------------------------------------------------------------------------------

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_FILE_NOQA = re.compile(
    r"#\s*metaflow-expert:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)

#: ``parse_noqa`` result meaning "every code".
ALL = frozenset({"*"})


def parse_noqa(line: str) -> frozenset[str] | None:
    """Codes a line's ``# noqa`` comment suppresses: None (no comment), :data:`ALL`, or codes."""
    if "noqa" not in line.lower():
        return None
    m = _NOQA.search(line)
    if m is None:
        return None
    return _codes_of(m.group("codes"))


def file_noqa(lines: list[str]) -> frozenset[str] | None:
    """A ``# metaflow-expert: noqa[: codes]`` comment anywhere in the file."""
    out: set[str] = set()
    found = False
    for line in lines:
        if "metaflow-expert" not in line:
            continue
        m = _FILE_NOQA.search(line)
        if m is None:
            continue
        codes = _codes_of(m.group("codes"))
        if codes is ALL:
            return ALL
        found = True
        out |= codes
    return frozenset(out) if found else None


def _codes_of(group: str | None) -> frozenset[str]:
    if not group:
        return ALL
    return frozenset(c.upper() for c in re.split(r"[\s,]+", group) if c)


def suppressed(code: str, codes: frozenset[str] | None) -> bool:
    """``code`` is covered by a noqa code set (exact code or a prefix like ``MF2``)."""
    if codes is None:
        return False
    if codes is ALL:
        return True
    return any(code.startswith(c) for c in codes)
