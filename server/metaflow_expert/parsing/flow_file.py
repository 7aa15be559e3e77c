"""``parse_flow_file``: text in, :class:`FlowFile` out, never an exception.

The order of work is what keeps it fast: one tree-sitter parse (long comment runs blanked
first, see :func:`segments.mask_comment_runs`), module-level statements for imports and
definitions, class bodies for members, then one walk per step for artifacts. Nothing else
of the tree is visited in Python.

When the parse has errors the file is parsed again piecewise (:mod:`segments`): every
top-level statement and every class member on its own, so a half-typed method cannot hide the
steps around it. Syntax issues then come from the pieces, which also places them better.
"""

from __future__ import annotations

from tree_sitter import Node

from metaflow_expert.model import FlowClass, FlowFile, ImportBinding, Span, SyntaxIssue
from metaflow_expert.parsing import (
    artifacts,
    classes,
    names,
    python_check,
    segments,
    source,
    syntax,
)
from metaflow_expert.parsing.gc_pause import paused_gc
from metaflow_expert.parsing.tree import code_children, parse, parse_ranges

NOT_UTF8 = "file is not valid UTF-8 (undecodable bytes were replaced)"


def parse_flow_file(text: str | bytes, path: str = "<memory>") -> FlowFile:
    """Parse a flow file into the model. Half-typed text still yields flows and steps."""
    decoded, valid = source.decode(text)
    try:
        with paused_gc():
            ff = read_text(decoded, path)
    except RecursionError:
        ff = _empty(decoded, path, "file is nested too deeply to analyse")
    except Exception as exc:  # never let a parser bug take the editor down
        ff = _empty(decoded, path, f"internal parser error: {type(exc).__name__}: {exc}")
    if not valid:
        ff.syntax_issues.insert(0, SyntaxIssue(_first_bad_span(text), NOT_UTF8))
    return ff


class _Pieces:
    """The file as parsed: module-level definitions, the roots to query, the syntax issues."""

    def __init__(self) -> None:
        self.defs: list[tuple[Node, Node, list[Node] | None]] = []  # (outer, def, members)
        self.roots: list[Node] = []
        self.issues: list[SyntaxIssue] = []


def _whole(src: source.SourceText, root: Node) -> _Pieces:
    p = _Pieces()
    p.roots = [root]
    p.defs = [(o, d, None) for o, d in classes.top_level_definitions(root)]
    return p


def _piecewise(src: source.SourceText, data: bytes) -> _Pieces:
    p = _Pieces()
    offsets = [0]
    for line in src.data.split(b"\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    last = len(offsets) - 1

    def rng(a: int, b: int) -> tuple[int, int, int, int]:
        b = min(b, last)
        return offsets[a], min(offsets[b], len(src.data)), a, b

    segs = segments.segment(src.lines)
    plan: list[tuple[int, int, int, int]] = []
    for seg in segs:
        if seg.is_class:
            plan.append(rng(seg.start, seg.header_end))
            plan.extend(rng(a, b) for a, b in seg.members)
        else:
            plan.append(rng(seg.start, seg.end))
    trees = iter(parse_ranges(data, plan))
    for seg in segs:
        if seg.is_class:
            header = next(trees).root_node
            member_roots = [next(trees).root_node for _ in seg.members]
            p.roots.append(header)
            p.roots.extend(member_roots)
            found = [
                (o, d)
                for o, d in classes.top_level_definitions(header)
                if d.type == "class_definition"
            ] or [(e, e) for e in header.children if e.type == "ERROR"]
            members = [c for r in member_roots for c in code_children(r)]
            p.issues.extend(syntax.syntax_issues(src, header, ignore_missing_block=True))
            for r in member_roots:
                p.issues.extend(syntax.syntax_issues(src, r))
            if found:
                p.defs.append((found[0][0], found[0][1], members))
        else:
            root = next(trees).root_node
            p.roots.append(root)
            p.issues.extend(syntax.syntax_issues(src, root))
            p.defs.extend((o, d, None) for o, d in classes.top_level_definitions(root))
    return p


def read_text(text: str, path: str, *, piecewise: bool = False) -> FlowFile:
    """:func:`parse_flow_file` on decoded text, without its safety net (it may raise).

    ``piecewise`` forces the broken-file strategy, the fast whole-file parse's fallback
    (``tests/parsing/test_piecewise.py`` compares both on valid files)."""
    src = source.SourceText.of(text)
    data = segments.mask_comment_runs(src.data, src.lines)
    root = parse(data).root_node
    if root.has_error or piecewise:
        pieces = _piecewise(src, data)
        pieces.issues.sort(key=lambda i: (i.span.start_line, i.span.start_col))
        if not pieces.issues:  # the pieces parse cleanly: keep the whole-file diagnosis
            pieces.issues = syntax.syntax_issues(src, root)
    else:
        pieces = _whole(src, root)
    imports: dict[str, ImportBinding] = {}
    for r in pieces.roots:
        imports.update(names.collect_imports(src, r))
    local_defs = set()
    for _, d, _m in pieces.defs:
        n = d.child_by_field_name("name") if d.type != "ERROR" else None
        if n is not None:
            local_defs.add(src.node_text(n))
    resolver = names.NameResolver(imports, local_defs)
    infos: dict[str, classes.ClassInfo] = {}
    for outer, d, members in pieces.defs:
        if d.type in ("class_definition", "ERROR"):
            info = classes.read_class(src, resolver, outer, d, members)
            if info is not None:
                infos[info.name] = info
    classes.classify_bases(src, resolver, infos)
    flows = classes.find_flows(infos)
    ranges = []
    for info in infos.values():
        for m in info.methods:
            if m.step is None:
                continue
            body_start, body_end = m.parts.body_range
            ranges.append(
                artifacts.StepRange(
                    m.parts.fn.start_byte,
                    m.parts.fn.end_byte,
                    m.step,
                    m.tail_call_start,
                    m.params[1] if len(m.params) >= 2 else None,
                    m.parts.fn,
                    body_start,
                    body_end,
                    m.plain_call_end,
                )
            )
    artifacts.collect(src, ranges)
    if root.has_error or piecewise or _looks_unfinished(text, flows):
        pieces.issues = _agree_with_python(src, pieces, flows)
    flow_names = {f.name for f in flows}
    return FlowFile(
        path=path,
        text=text,
        flows=flows,
        imports=imports,
        syntax_issues=pieces.issues,
        lines=src.lines,
        other_classes={n: i.name_span for n, i in infos.items() if n not in flow_names},
    )


def _looks_unfinished(text: str, flows: list[FlowClass]) -> bool:
    """What text tree-sitter accepts and Python does not looks like in the model: a step other
    than ``end`` without a readable tail ``self.next`` (a line glued to the next one,
    ``x = self.input +``), a step with an empty body, a flow with no step, text ending in a
    block header (tree-sitter allows an empty block) or in a comma (``from metaflow import
    FlowSpec,``). Only decides whether Python's parser is worth running on a file tree-sitter
    found clean; a finished flow passes every test."""
    # the last 64 characters decide unless they are all blank (no copy of a long text)
    tail = text[-64:].rstrip() or text.rstrip()
    if tail.endswith((":", ",")):
        return True
    for f in flows:
        if not f.steps:
            return True
        for s in f.steps.values():
            if s.last_statement_span is None:
                return True
            if s.transition is None and not (s.name == "end" or s.is_end_annotated):
                return True
    return False


def _agree_with_python(
    src: source.SourceText, pieces: _Pieces, flows: list[FlowClass]
) -> list[SyntaxIssue]:
    """The issues, placed where Python's parser stops (:mod:`python_check`); a step holding
    Python's error is marked broken even when tree-sitter read it without one."""
    err = python_check.python_syntax_error(src.text, src.lines)
    if err is None:
        return pieces.issues
    issues = python_check.with_python_error(src, pieces.roots, pieces.issues, err)
    issues = python_check.confirmed_by_python(src, issues, err)
    row = err.span.start_line
    for flow in flows:
        for step in flow.steps.values():
            if step.span.start_line <= row <= step.span.end_line:
                step.has_syntax_error = True
    return issues


def _empty(text: str, path: str, message: str) -> FlowFile:
    lines = text.split("\n")
    return FlowFile(path, text, [], {}, [SyntaxIssue(source.make_span(0, 0, 0, 0), message)], lines)


def _first_bad_span(data: str | bytes) -> Span:
    if isinstance(data, str):
        return source.make_span(0, 0, 0, 0)
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError as e:
        prefix = bytes(data)[: e.start].decode("utf-8", errors="replace")
        line = prefix.count("\n")
        col = len(prefix) - (prefix.rfind("\n") + 1)
        return source.make_span(line, col, line, col + 1)
    return source.make_span(0, 0, 0, 0)
