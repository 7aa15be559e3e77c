"""``metaflow-expert lint``: check flow files from the command line, CI or pre-commit.

Exit status: 0 when no error-severity finding, 1 when there is one, 2 on usage or I/O problems
(unreadable or non-UTF-8 files, a FIFO or device named as a file, a fix that could not be
written: the remaining files are still checked). Usage problems stop before linting: an
unknown rule code, a broken configuration, a ``--metaflow-source`` that is not there — a typo
must never pass CI by switching checks off. Findings go to stdout
in the chosen format, the one-line summary and notes to stderr, so ``--format json > out``
stays machine-readable.

This module must stay light: the lint path never imports the language server (lsprotocol) or
the Anthropic SDK (``tests/test_import_budget.py`` checks it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from metaflow_expert.lint.formats import FORMATTERS, severity_of

if TYPE_CHECKING:  # the catalog is loaded lazily (and only when asked for)
    from metaflow_expert.knowledge.catalog import DecoratorCatalog
    from metaflow_expert.lint.config import LintSettings
    from metaflow_expert.lint.runner import FileResult
    from metaflow_expert.model import Finding
    from metaflow_expert.rules.registry import Rule


def _codes(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or directories (default: current directory)"
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="with PATH '-': the name to report (and to match per-file-ignores against)",
    )
    parser.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    parser.add_argument(
        "--select",
        action="append",
        metavar="CODES",
        help="comma-separated codes or prefixes (MF1,MF203)",
    )
    parser.add_argument(
        "--ignore", action="append", metavar="CODES", help="codes or prefixes to skip"
    )
    parser.add_argument(
        "--extend-select",
        action="append",
        metavar="CODES",
        help="codes or prefixes to add to the selection (e.g. rules off by default)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="pyproject.toml with [tool.metaflow-expert] (default: the nearest one above the first path)",
    )
    parser.add_argument("--isolated", action="store_true", help="ignore configuration files")
    parser.add_argument(
        "--metaflow-source", metavar="DIR", help="folder containing the metaflow/ package to index"
    )
    parser.add_argument(
        "--python", metavar="PY", help="interpreter whose installed Metaflow is used"
    )
    parser.add_argument(
        "--no-catalog",
        action="store_true",
        help="do not index Metaflow (skips decorator-argument checks and citations)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="worker processes (default: idle cores; never more than the cores or the files)",
    )
    parser.add_argument(
        "--fix", action="store_true", help="apply quick fixes in place, then report what is left"
    )
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when errors are found (report only)"
    )
    parser.add_argument(
        "--statistics", action="store_true", help="print a count per rule instead of findings"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no summary line")


class UsageError(Exception):
    """A problem with what the user asked for; the message is one line, the exit status 2."""


def _settings(args: argparse.Namespace, first_path: str) -> LintSettings:
    """LintSettings from the config file, with the command line's selection applied on top.

    Raises :class:`UsageError` for a broken configuration or a rule code no rule has."""
    from metaflow_expert.lint import config
    from metaflow_expert.rules import REGISTRY

    settings = config.LintSettings()
    if not args.isolated:
        try:
            settings = config.load_settings(args.config or first_path, strict=True)
        except config.ConfigError as exc:
            raise UsageError(str(exc)) from None
    known = list(REGISTRY)
    problems = [
        f"{settings.source}: '{key}': {why}"
        for key, code in settings.selectors()
        if (why := config.unknown_selector(code, known, allow_all=key == "select"))
    ]
    select, ignore = _codes(args.select), _codes(args.ignore)
    extend = _codes(args.extend_select)
    for flag, codes in (("--select", select), ("--ignore", ignore), ("--extend-select", extend)):
        problems.extend(
            f"{flag}: {why}"
            for code in codes
            if (why := config.unknown_selector(code, known, allow_all=flag == "--select"))
        )
    if problems:
        raise UsageError("; ".join(problems))
    changes: dict[str, Any] = {}
    if select:
        changes["select"] = tuple(select)
    if ignore:
        changes["ignore"] = (*settings.ignore, *ignore)
    if extend:
        changes["extend_select"] = (*settings.extend_select, *extend)
    if changes:
        settings = replace(settings, **changes)
    return settings


def load_catalog_for(
    metaflow_source: str | None, python: str | None, disabled: bool, *, strict: bool = False
) -> tuple[DecoratorCatalog | None, str | None]:
    """The decorator catalog, or None and a note saying why.

    ``strict`` raises :class:`UsageError` when the Metaflow the user named
    (``--metaflow-source``, ``--python``) is not the one found: linting against the bundled
    Metaflow instead would check other decorators than the user asked for."""
    if disabled:
        return None, None
    try:
        from metaflow_expert.knowledge.catalog import load_catalog
        from metaflow_expert.knowledge.cli_common import named_source_missing
        from metaflow_expert.knowledge.source import locate_source
    except ImportError as exc:
        return None, f"decorator catalog unavailable ({exc}); decorator checks skipped"
    if python and os.sep in python:
        python = os.path.abspath(python)  # a relative path means relative to here
    try:
        source = locate_source(explicit=metaflow_source, python=python)
        problem = named_source_missing(source, metaflow_source, python) if strict else None
        if problem:
            raise UsageError(problem)
        skipped = "; ".join(source.notes)
        note = (
            f"skipped {skipped}; using Metaflow {source.version} at {source.root}"
            if skipped
            else None
        )
        return load_catalog(source), note
    except UsageError:
        raise
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return None, f"Metaflow source not found ({first}); decorator checks skipped"


def _summary(
    n_files: int, n_flow_files: int, findings: list[tuple[str, Finding]], n_errors: int
) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for _, f in findings:
        sev = severity_of(f)
        counts[sev] = counts.get(sev, 0) + 1
    checked = f"{n_flow_files} flow file{'s' if n_flow_files != 1 else ''}"
    if n_files != n_flow_files:
        checked += f" of {n_files} checked"
    if not findings:
        text = f"All checks passed ({checked})."
    else:
        parts = [f"{v} {k}{'s' if v != 1 and k != 'info' else ''}" for k, v in counts.items() if v]
        text = f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} ({', '.join(parts)}) in {checked}."
    if n_errors:
        text += f" {n_errors} file{'s' if n_errors != 1 else ''} could not be read."
    return text


def _read_stdin() -> tuple[str | None, str | None]:
    """stdin's text, or ``(None, "one-line reason")``.

    At most ``MAX_SOURCE_CHARS`` characters are taken (4 bytes each at most in UTF-8, so
    the read stops there): a pipe that never ends (``lint - < /dev/zero``) used to be read
    until memory ran out."""
    from metaflow_expert.parsing.source import MAX_SOURCE_CHARS

    limit = MAX_SOURCE_CHARS
    too_long = f"<stdin>: more than {limit:,} characters (the limit for one source); not read"
    data = sys.stdin.buffer.read(4 * limit + 1)
    if len(data) > 4 * limit:
        return None, too_long
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"<stdin>: not valid UTF-8 (offset {exc.start})"
    return (None, too_long) if len(text) > limit else (text, None)


def _fix(
    results: list[FileResult],
    settings: LintSettings,
    catalog: DecoratorCatalog | None,
    skip: str | None,
) -> tuple[int, int]:
    """Apply quick fixes in place and re-lint the changed files.

    Returns ``(fixes applied, files that could not be fixed)``; the latter is an I/O problem
    (exit 2), not a finding."""
    from metaflow_expert.lint.runner import fix_file, lint_file

    fixed = failed = 0
    for i, r in enumerate(results):
        if r.error or r.path == skip:
            continue
        applied, err = fix_file(r.path, r.findings, settings, catalog)
        if err:
            failed += 1
            print(f"metaflow-expert: {err}", file=sys.stderr)
        elif applied:
            fixed += applied
            results[i] = lint_file(r.path, settings, catalog)
    return fixed, failed


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.lint.runner import discover, lint_files, lint_text
    from metaflow_expert.rules import REGISTRY, load_all_rules

    paths = args.paths or ["."]
    if args.config and not os.path.isfile(args.config):
        print(f"metaflow-expert: {args.config}: no such configuration file", file=sys.stderr)
        return 2
    stdin_text: str | None = None
    stdin_name = args.stdin_filename or "<stdin>"
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        stdin_text, err = _read_stdin()
        if stdin_text is None:
            print(f"metaflow-expert: {err}", file=sys.stderr)
            return 2
    load_all_rules()
    try:
        settings = _settings(args, paths[0] if paths else (args.stdin_filename or "."))
        catalog, note = load_catalog_for(
            args.metaflow_source, args.python, args.no_catalog, strict=True
        )
    except UsageError as exc:
        print(f"metaflow-expert: {exc}", file=sys.stderr)
        return 2
    if note:
        print(f"metaflow-expert: note: {note}", file=sys.stderr)
    files, errors = discover(paths)
    for e in errors:
        print(f"metaflow-expert: {e}", file=sys.stderr)

    results = lint_files(files, settings=settings, catalog=catalog, jobs=args.jobs)
    if stdin_text is not None:
        results.insert(0, lint_text(stdin_text, stdin_name, settings, catalog))
        files = [stdin_name, *files]
    fixed = fix_failed = 0
    if args.fix:
        skip = stdin_name if stdin_text is not None else None
        fixed, fix_failed = _fix(results, settings, catalog, skip)

    items: list[tuple[str, Finding]] = []
    read_errors = 0
    for r in results:
        if r.error:
            read_errors += 1
            print(f"metaflow-expert: {r.error}", file=sys.stderr)
        items.extend((r.path, f) for f in r.findings)
    if args.statistics:
        sys.stdout.write(_statistics(items, REGISTRY))
    else:
        sys.stdout.write(FORMATTERS[args.format](items, rules=REGISTRY))
    sys.stdout.flush()
    if not args.quiet:
        if args.fix:
            print(f"Fixed {fixed} problem{'s' if fixed != 1 else ''}.", file=sys.stderr)
        n_flow = sum(1 for r in results if r.has_flows)
        print(_summary(len(files), n_flow, items, read_errors), file=sys.stderr)
    if errors or read_errors or fix_failed:
        return 2
    if args.exit_zero:
        return 0
    return 1 if any(severity_of(f) == "error" for _, f in items) else 0


def _statistics(items: list[tuple[str, Finding]], rules: Mapping[str, Rule]) -> str:
    """``count  CODE  name`` per rule, most frequent first (like ``ruff --statistics``)."""
    counts: dict[str, int] = {}
    for _, f in items:
        counts[f.code] = counts.get(f.code, 0) + 1
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(
        f"{n:>5}  {code}  {r.name if (r := rules.get(code)) is not None else ''}\n"
        for code, n in rows
    )
