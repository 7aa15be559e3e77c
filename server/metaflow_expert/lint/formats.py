"""Output formats of ``metaflow-expert lint``: text, json, SARIF 2.1.0, GitHub annotations.

All formats print 1-based lines and columns (the model is 0-based). Columns count Unicode code
points, which SARIF is told via ``columnKind``. Each formatter takes the findings of all files
as ``(path, finding)`` pairs, already sorted, and returns the whole text to print.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from metaflow_expert import __version__
from metaflow_expert.model import Finding, Related

Item = tuple[str, Finding]
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def severity_of(f: Finding) -> str:
    return getattr(f.severity, "value", str(f.severity))


def related_dict(path: str, r: Related) -> dict[str, Any]:
    """One related place of a finding (``path``: the finding's file unless it names another)."""
    s = r.span
    return {
        "path": r.path or path,
        "line": s.start_line + 1,
        "column": s.start_col + 1,
        "end_line": s.end_line + 1,
        "end_column": s.end_col + 1,
        "message": r.message,
    }


def finding_dict(path: str, f: Finding) -> dict[str, Any]:
    """The JSON record of one finding (1-based positions; end column is exclusive), with its
    related places (a folded follow-on finding is one, ``lint/fold.py``)."""
    s = f.span
    return {
        "path": path,
        "line": s.start_line + 1,
        "column": s.start_col + 1,
        "end_line": s.end_line + 1,
        "end_column": s.end_col + 1,
        "code": f.code,
        "severity": severity_of(f),
        "message": f.message,
        "mirrors": f.mirrors,
        "cites": f.cites,
        "related": [related_dict(path, r) for r in f.related],
    }


def format_text(items: Sequence[Item], **_: Any) -> str:
    """``path:line:col: CODE message`` per finding (what editors and ``grep`` understand),
    each related place below it, indented: ``    path:line:col: note: message``."""
    out: list[str] = []
    for p, f in items:
        out.append(f"{p}:{f.span.start_line + 1}:{f.span.start_col + 1}: {f.code} {f.message}\n")
        for r in f.related:
            s = r.span
            out.append(
                f"    {r.path or p}:{s.start_line + 1}:{s.start_col + 1}: note: {r.message}\n"
            )
    return "".join(out)


def format_json(items: Sequence[Item], **_: Any) -> str:
    return json.dumps([finding_dict(p, f) for p, f in items], indent=2) + "\n"


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def format_github(items: Sequence[Item], **_: Any) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=CODE::message``
    (related places as further lines of the message)."""
    out = []
    for p, f in items:
        s = f.span
        level = _GITHUB_LEVEL.get(severity_of(f), "warning")
        props = (
            f"file={_gh_escape_prop(p)},line={s.start_line + 1},col={s.start_col + 1},"
            f"endLine={s.end_line + 1},endColumn={s.end_col + 1},title={_gh_escape_prop(f.code)}"
        )
        notes = "".join(f"\n{r.path or p}:{r.span.start_line + 1}: {r.message}" for r in f.related)
        out.append(f"::{level} {props}::{_gh_escape_data(f.message + notes)}\n")
    return "".join(out)


def _sarif_rules(items: Sequence[Item], rules: dict[str, Any]) -> list[dict[str, Any]]:
    codes = sorted({f.code for _, f in items} | set(rules))
    out = []
    for code in codes:
        r = rules.get(code)
        entry: dict[str, Any] = {"id": code}
        if r is not None:
            entry.update(
                {
                    "name": r.name,
                    "shortDescription": {"text": r.summary},
                    "fullDescription": {"text": r.summary},
                    "help": {"text": r.doc, "markdown": r.doc},
                    "defaultConfiguration": {
                        "level": _SARIF_LEVEL.get(getattr(r.severity, "value", ""), "warning")
                    },
                    "properties": {"origin": r.origin, "mirrors": r.mirrors},
                }
            )
        out.append(entry)
    return out


def _sarif_related(i: int, path: str, r: Related) -> dict[str, Any]:
    s = r.span
    return {
        "id": i,
        "message": {"text": r.message},
        "physicalLocation": {
            "artifactLocation": {"uri": (r.path or path).replace("\\", "/")},
            "region": {
                "startLine": s.start_line + 1,
                "startColumn": s.start_col + 1,
                "endLine": s.end_line + 1,
                "endColumn": s.end_col + 1,
            },
        },
    }


def format_sarif(items: Sequence[Item], rules: dict[str, Any] | None = None, **_: Any) -> str:
    """A SARIF 2.1.0 log with one run; the driver lists every rule (with its documentation as
    help text) so code-scanning UIs can explain each result."""
    rules = rules or {}
    rule_list = _sarif_rules(items, rules)
    index = {r["id"]: i for i, r in enumerate(rule_list)}
    results = []
    for p, f in items:
        s = f.span
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL.get(severity_of(f), "warning"),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": p.replace("\\", "/")},
                        "region": {
                            "startLine": s.start_line + 1,
                            "startColumn": s.start_col + 1,
                            "endLine": s.end_line + 1,
                            "endColumn": s.end_col + 1,
                        },
                    }
                }
            ],
        }
        if f.related:
            result["relatedLocations"] = [
                _sarif_related(i, p, r) for i, r in enumerate(f.related, start=1)
            ]
        props = {k: v for k, v in (("mirrors", f.mirrors), ("cites", f.cites)) if v}
        if props:
            result["properties"] = props
        results.append(result)
    log = {
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "metaflow-expert",
                        "version": __version__,
                        "rules": rule_list,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}
