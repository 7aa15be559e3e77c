"""The oracle: what Metaflow's own ``lint.py`` says about a flow file, next to what we say.

Why: the MF1xx rules promise to report what ``python flow.py check`` reports, on the same
line. The only trustworthy reference is Metaflow itself, so this harness imports each flow
module, builds Metaflow's ``FlowGraph`` for every leaf ``FlowSpec`` subclass, and runs each
registered lint check *individually* (Metaflow stops at the first; we want all of them),
recording ``(check, lineno, message)`` or a crash. ``compare`` then matches our findings.

Used by ``tests/oracle/test_oracle.py`` and ``scripts/oracle_metaflow_repo.py``.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class MFResult:
    """One check's outcome on one flow: a LintWarn (lineno 0/None = no line) or a crash."""

    check: str
    lineno: int | None
    message: str
    crash: bool = False


@dataclass
class FileOracle:
    """Metaflow's verdict on one file: per leaf flow, the results of each check that fired."""

    path: str
    import_error: str | None = None
    flows: dict[str, list[MFResult]] = field(default_factory=dict)

    def warnings(self) -> list[tuple[str, MFResult]]:
        return [(f, r) for f, rs in self.flows.items() for r in rs if not r.crash]

    def crashes(self) -> list[tuple[str, MFResult]]:
        return [(f, r) for f, rs in self.flows.items() for r in rs if r.crash]


def lint_module() -> Any:
    from metaflow import lint

    return lint


def check_names_in_source(lint_py: Path) -> list[str]:
    """Names of the functions decorated with ``@linter.check`` in a ``lint.py`` (by ``ast``)."""
    tree = ast.parse(lint_py.read_text(encoding="utf-8"))
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                if isinstance(d, ast.Attribute) and d.attr == "check":
                    out.append(node.name)
    return out


def _enabled(linter: Any, check: Any, options: dict[str, bool]) -> bool:
    # Exactly FlowLinter.run_checks' condition.
    return any(getattr(linter, a) or options.get(a) for a in check.attrs)


def _import(path: Path) -> Any:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    name = f"_mfx_oracle_{digest}_{path.stem.replace('-', '_')}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # Flows import sibling modules (``from my_base import BaseFlow``), as `python flow.py` would.
    folder = str(path.parent.resolve())
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return module


def leaf_flows(module: Any) -> list[type]:
    from metaflow import FlowSpec

    classes = [
        c
        for c in vars(module).values()
        if inspect.isclass(c)
        and issubclass(c, FlowSpec)
        and c is not FlowSpec
        and c.__module__ == module.__name__
    ]
    return [c for c in classes if not any(o is not c and issubclass(o, c) for o in classes)]


@cache
def run_metaflow(path_str: str, nested_foreach: bool = False) -> FileOracle:
    """Metaflow's lint results for every leaf flow of ``path`` (cached per process)."""
    path = Path(path_str)
    result = FileOracle(path=path_str)
    lint = lint_module()
    from metaflow.graph import FlowGraph

    try:
        module = _import(path)
    except BaseException as e:  # a broken decorator fails at import, like `python flow.py`
        result.import_error = f"{type(e).__name__}: {e}".splitlines()[0]
        return result
    options = {"require_non_nested_foreach": nested_foreach}
    for cls in leaf_flows(module):
        rs: list[MFResult] = []
        try:
            graph = FlowGraph(cls)
        except Exception as e:
            rs.append(MFResult("FlowGraph", None, f"{type(e).__name__}: {e}", crash=True))
            result.flows[cls.__name__] = rs
            continue
        for check in lint.linter._checks:
            if not _enabled(lint.linter, check, options):
                continue
            try:
                check(graph)
            except lint.LintWarn as w:
                rs.append(MFResult(check.__name__, w.line_no or None, w.message))
            except RecursionError:
                rs.append(MFResult(check.__name__, None, "RecursionError", crash=True))
            except Exception as e:
                rs.append(MFResult(check.__name__, None, f"{type(e).__name__}: {e}", crash=True))
        result.flows[cls.__name__] = rs
    return result


@dataclass
class Comparison:
    """Disagreements between Metaflow and our engine on one file."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra


def our_findings(path: Path, *, select: tuple[str, ...] = ()) -> list[Any]:
    from metaflow_expert.lint.engine import analyze_text

    settings = None
    if select:
        from metaflow_expert.lint.config import LintSettings

        settings = LintSettings(select=tuple(select))
    text = path.read_text(encoding="utf-8")
    return list(analyze_text(text, path=str(path), settings=settings).findings)


def compare(oracle: FileOracle, findings: list[Any]) -> Comparison:
    """Every Metaflow warning must be matched by one of ours (same ``mirrors``, same flow, same
    1-based line when Metaflow gives one); none of ours may mirror a check Metaflow did not
    fire on that flow, unless Metaflow's check crashed there (then either is acceptable)."""
    cmp = Comparison()
    if oracle.import_error:
        cmp.notes.append(f"import-time error: {oracle.import_error}")
        return cmp
    mirrored = [f for f in findings if f.mirrors and f.mirrors.startswith("check_")]
    for flow, r in oracle.warnings():
        cands = [f for f in mirrored if f.mirrors == r.check and f.flow == flow]
        if r.lineno:
            cands = [f for f in cands if f.line1 == r.lineno]
        if not cands:
            near = [
                f"{f.code}@{f.line1}" for f in mirrored if f.mirrors == r.check and f.flow == flow
            ]
            cmp.missing.append(
                f"{flow}: {r.check} line {r.lineno}: {r.message.splitlines()[0]!r}"
                + (f" (ours at: {', '.join(near)})" if near else "")
            )
    fired = {(flow, r.check) for flow, rs in oracle.flows.items() for r in rs}
    crashed = {(flow, r.check) for flow, r in oracle.crashes()}
    for flow, r in oracle.crashes():
        cmp.notes.append(f"{flow}: Metaflow {r.check} crashed: {r.message}")
    for f in mirrored:
        key = (f.flow, f.mirrors)
        if key not in fired:
            cmp.extra.append(
                f"{f.flow}: {f.code} ({f.mirrors}) line {f.line1}: {f.message.splitlines()[0]!r}"
            )
        elif key in crashed:
            cmp.notes.append(f"{f.flow}: ours {f.code} line {f.line1} where Metaflow crashed")
    return cmp
