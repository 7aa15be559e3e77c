"""The engine: one file's text → model, graphs and findings, with settings applied.

Order of work: parse (never raises), build a graph per flow, run the selected rules — file
rules once, flow rules once per **leaf** flow (a base class subclassed in the same file is
linted through its subclasses, because Metaflow only ever builds graphs of the flows you run) —
then settings: per-file ignores, ``# noqa``, severity overrides; dedupe and sort; finally
findings that only restate a step's mistake fold into the one stating it (``lint/fold.py``).
Every rule call is guarded: an exception becomes one ``MF000`` finding naming the rule.
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from metaflow_expert.graph import FlowGraph, build_graph
from metaflow_expert.knowledge.facts import facts_for
from metaflow_expert.lint.config import (
    LintSettings,
    file_noqa,
    load_settings,
    parse_noqa,
    suppressed,
)
from metaflow_expert.lint.fold import fold_restated
from metaflow_expert.model import Finding, FlowClass, FlowFile, Severity, Span, Step
from metaflow_expert.parsing import parse_flow_file
from metaflow_expert.parsing.gc_pause import paused_gc
from metaflow_expert.rules import REGISTRY, Rule, RuleContext, load_all_rules
from metaflow_expert.rules.facts import FileFacts, FlowFacts
from metaflow_expert.rules.file_rules import INTERNAL_ERROR
from metaflow_expert.rules.registry import select_rules

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog

#: The Metaflow lint check that ``LintSettings.nested_foreach`` turns on.
NESTED_FOREACH_CHECK = "check_nested_foreach"

_LOADED = threading.Lock()
_loaded = False


@dataclass
class Analysis:
    """Everything the front ends show for one file."""

    file: FlowFile
    graphs: dict[str, FlowGraph] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    #: codes of the rules that ran (after selection)
    rules_run: list[str] = field(default_factory=list)
    #: files besides the flow the rules read (``FileFacts.side_files``, sorted): the editor
    #: analyses the flow again when one of them changes
    side_files: tuple[str, ...] = ()


def _ensure_rules() -> None:
    global _loaded
    if _loaded:
        return
    with _LOADED:
        if not _loaded:
            load_all_rules()
            _loaded = True


#: selections already computed: every analysis asks, with a handful of distinct settings.
#: The one process-wide memo of the engine: it is keyed by the settings and the size of the
#: registry (tests add probe rules); per-analysis facts live in ``rules.facts``, not here.
_SELECTED: dict[tuple[object, ...], list[Rule]] = {}


def active_rules(settings: LintSettings, path: str = "") -> list[Rule]:
    """Rules selected by ``settings`` for the file at ``path``."""
    _ensure_rules()
    key = (
        tuple(settings.select),
        tuple(settings.ignore),
        tuple(settings.extend_select),
        settings.nested_foreach,
        len(REGISTRY),
    )
    rules = _SELECTED.get(key)
    if rules is None:
        if len(_SELECTED) > 64:
            _SELECTED.clear()
        rules = _SELECTED[key] = _selected(settings)
    off = settings.ignored_for(path)
    if off:
        return [r for r in rules if not any(r.code.startswith(c) for c in off)]
    return list(rules)


def _selected(settings: LintSettings) -> list[Rule]:
    rules = select_rules(settings.select, settings.ignore)
    chosen = {r.code for r in rules}  # codes, not ``r in rules``: Rule equality is slow
    ignored = [i.upper() for i in settings.ignore]
    extra = [e.upper() for e in settings.extend_select]
    for r in REGISTRY.values():
        if r.code in chosen or any(r.code.startswith(i) for i in ignored):
            continue
        wanted = (settings.nested_foreach and r.mirrors == NESTED_FOREACH_CHECK) or any(
            r.code == e or (r.default_enabled and r.code.startswith(e)) for e in extra
        )
        if wanted:
            rules.append(r)
    return sorted(rules, key=lambda r: r.code)


def analyze_path(
    path: str | Path,
    *,
    settings: LintSettings | None = None,
    catalog: DecoratorCatalog | None = None,
) -> Analysis:
    """Read and analyse a file; settings default to the nearest pyproject's. Raises OSError
    only when the file cannot be read."""
    data = Path(path).read_bytes()
    if settings is None:
        try:
            settings = load_settings(path)
        except Exception:
            settings = LintSettings()
    return analyze_text(data, str(path), settings=settings, catalog=catalog)


def analyze_text(
    text: str | bytes,
    path: str = "<memory>",
    *,
    settings: LintSettings | None = None,
    catalog: DecoratorCatalog | None = None,
) -> Analysis:
    """Parse, build graphs, run rules, apply settings. Never raises."""
    settings = settings if settings is not None else LintSettings()
    with paused_gc():  # see parsing.gc_pause: ~20% of a large file's time otherwise
        ff = parse_flow_file(text, path)
        analysis = Analysis(ff)
        try:
            _run(analysis, settings, catalog)
        except Exception as exc:  # the engine itself must not take a front end down
            analysis.findings = [_internal(None, "engine", exc, _first_span(ff))]
    return analysis


def _run(analysis: Analysis, settings: LintSettings, catalog: DecoratorCatalog | None) -> None:
    ff = analysis.file
    rules = active_rules(settings, ff.path)
    analysis.rules_run = [r.code for r in rules]
    internal_on = any(r.code == INTERNAL_ERROR for r in rules)
    source = facts_for(catalog)  # what Metaflow's source says: the graphs' and the rules'
    parallel = source.parallel_decorators
    raw: list[Finding] = []
    for flow in ff.flows:
        try:
            analysis.graphs[flow.name] = build_graph(flow, parallel_decorators=parallel)
        except Exception as exc:
            raw.append(_internal(flow, "graph", exc, flow.name_span))
    options: dict[str, object] = {"nested_foreach": settings.nested_foreach}
    # one set of facts for the whole analysis: file facts once, flow facts once per flow,
    # whatever the number of rules or flows asking (a file may hold thousands of flows)
    facts = FileFacts(ff, catalog, source)
    file_ctx = RuleContext(ff, catalog=catalog, options=options, facts=facts)
    flow_ctxs = []
    for flow in ff.flows:
        if flow.is_leaf:
            graph = analysis.graphs.get(flow.name)
            flow_facts = FlowFacts(facts, flow, graph)
            flow_ctxs.append(
                RuleContext(ff, flow, graph, catalog, dict(options), facts, flow_facts)
            )
    for r in rules:
        if r.code == INTERNAL_ERROR:
            continue
        if r.scope == "file":
            raw.extend(_call(r, file_ctx, None))
        else:
            for ctx in flow_ctxs:
                raw.extend(_call(r, ctx, ctx.flow))
    if not internal_on:
        raw = [f for f in raw if f.code != INTERNAL_ERROR]
    analysis.side_files = tuple(sorted(facts.side_files))
    # after settings: a follow-on whose root is ignored or suppressed stays visible
    by_flow = {ctx.flow.name: ctx.flow_facts for ctx in flow_ctxs if ctx.flow and ctx.flow_facts}
    analysis.findings = fold_restated(_finish(raw, ff, settings, catalog), by_flow)


def _call(r: Rule, ctx: RuleContext, flow: FlowClass | None) -> list[Finding]:
    """The rule's reports on ``ctx`` as findings, or one MF000 finding if it raised."""
    name = flow.name if flow is not None else None
    out: list[Finding] = []
    try:
        # a plain loop, not a comprehension: most rules report nothing, and a comprehension
        # is one more frame per rule and flow
        for report in r.check(ctx):
            out.append(r.finding(report, name))
        return out
    except Exception as exc:
        return [
            _internal(
                flow, f"{r.code} ({r.name})", exc, flow.name_span if flow else _first_span(ctx.file)
            )
        ]


def _internal(flow: FlowClass | None, what: str, exc: BaseException, span: Span) -> Finding:
    msg = str(exc).splitlines()[0] if str(exc) else ""
    detail = f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
    return Finding(
        INTERNAL_ERROR,
        f"internal error in rule {what}: {detail}",
        span,
        Severity.WARNING,
        flow=flow.name if flow else None,
    )


def _first_span(ff: FlowFile) -> Span:
    return Span(0, 0, 0, 0)


def _finish(
    raw: Iterable[Finding], ff: FlowFile, settings: LintSettings, catalog: DecoratorCatalog | None
) -> list[Finding]:
    whole_file = file_noqa(ff.lines) if "metaflow-expert" in ff.text else None
    # A syntax error would drown in follow-on findings read from its broken statement
    # (no transition, unknown step...): only MF0xx findings are kept on the lines it costs.
    broken = broken_lines(ff) if ff.syntax_issues else []
    noqa_cache: dict[int, frozenset[str] | None] = {}
    seen: set[tuple[str, Span, str]] = set()
    out: list[Finding] = []
    for f in raw:
        key = (f.code, f.span, f.message)
        if key in seen:
            continue
        seen.add(key)
        if suppressed(f.code, whole_file):
            continue
        if broken and not f.code.startswith("MF0") and _on_any(f.span.start_line, broken):
            continue
        line = f.span.start_line
        if line not in noqa_cache:
            noqa_cache[line] = parse_noqa(ff.lines[line]) if 0 <= line < len(ff.lines) else None
        if suppressed(f.code, noqa_cache[line]):
            continue
        level = settings.severity_for(f.code)
        if level == "off":
            continue
        if level is not None:
            sev = Severity.INFO if level == "hint" else Severity(level)
            if sev != f.severity:
                f = dataclasses.replace(f, severity=sev)
        if f.cites is None and catalog is not None:
            cite = _cite(f, catalog)
            if cite:
                f = dataclasses.replace(f, cites=cite)
        out.append(f)
    out.sort(key=Finding.sort_key)
    return out


def broken_lines(ff: FlowFile) -> list[tuple[int, int]]:
    """``(first, last)`` line ranges (sorted, disjoint) whose findings rest on a syntax error.

    A syntax error costs its own statement: the lines of the statement it breaks. When that
    statement is, or reaches, a step's last statement, the step's way on is unknown too, so
    what is said about its transition goes as well: the findings on its ``def`` line (where
    Metaflow reports a missing ``self.next``) and on its other ``self.next`` calls (which one
    is the tail is not known). Everything else in the step, an artifact typo three lines up
    included, is still reported."""
    extents = [i.extent for i in ff.syntax_issues]
    ranges = [(e.start_line, e.end_line) for e in extents]
    seen: set[int] = set()
    for flow in ff.flows:
        for step in flow.steps.values():
            if not step.has_syntax_error or id(step) in seen:
                continue
            seen.add(id(step))
            if _tail_broken(step, extents):
                ranges.append((step.name_span.start_line, step.name_span.start_line))
                ranges.extend(
                    (c.span.start_line, c.span.end_line) for c in step.non_tail_next_calls
                )
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _tail_broken(step: Step, extents: list[Span]) -> bool:
    """A broken statement inside ``step`` reaches its last statement (or the step has none)."""
    tail = step.last_statement_span
    if tail is None:
        return True
    first, last = step.span.start_line, step.span.end_line
    return any(
        e.start_line <= last and e.end_line >= first and e.end_line >= tail.start_line
        for e in extents
    )


def _on_any(line: int, ranges: list[tuple[int, int]]) -> bool:
    """``line`` is inside one of ``ranges`` (sorted, disjoint)."""
    i = bisect.bisect_right(ranges, (line, 1 << 62)) - 1
    return i >= 0 and ranges[i][0] <= line <= ranges[i][1]


def _cite(f: Finding, catalog: DecoratorCatalog) -> str | None:
    """``path:line`` of the Metaflow check a finding mirrors, from the catalog."""
    m = f.mirrors
    if not m:
        return None
    try:
        if m.startswith("check_"):
            found = catalog.lint_checks.get(m)
            return f"{found[0]}:{found[1]}" if found else None
        if m.startswith("decorator:"):
            spec = catalog.lookup(m.split(":", 1)[1])
            return spec.cite if spec is not None else None
    except Exception:
        return None
    return None
