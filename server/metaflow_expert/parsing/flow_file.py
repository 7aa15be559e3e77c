"""``parse_flow_file``: text in, :class:`FlowFile` out, never an exception.

The order of work is what keeps it fast: one tree-sitter parse, one import query, a walk over
module-level definitions and class bodies only, then one query pass over all step bodies for
artifacts. Nothing walks the whole tree in Python.
"""

from __future__ import annotations

from metaflow_expert.model import FlowFile, SyntaxIssue
from metaflow_expert.parsing import artifacts, classes, names, source, syntax
from metaflow_expert.parsing.tree import parse

NOT_UTF8 = "file is not valid UTF-8 (undecodable bytes were replaced)"


def parse_flow_file(text: str | bytes, path: str = "<memory>") -> FlowFile:
    """Parse a flow file into the model. Half-typed text still yields flows and steps."""
    decoded, valid = source.decode(text)
    try:
        ff = _parse(decoded, path)
    except RecursionError:
        ff = _empty(decoded, path, "file is nested too deeply to analyse")
    except Exception as exc:  # never let a parser bug take the editor down
        ff = _empty(decoded, path, f"internal parser error: {type(exc).__name__}: {exc}")
    if not valid:
        ff.syntax_issues.insert(0, SyntaxIssue(_first_bad_span(text), NOT_UTF8))
    return ff


def _parse(text: str, path: str) -> FlowFile:
    src = source.SourceText.of(text)
    tree = parse(src.data)
    root = tree.root_node
    imports = names.collect_imports(src, root)
    defs = classes.top_level_definitions(root)
    local_defs = set()
    for _, d in defs:
        n = d.child_by_field_name("name")
        if n is not None:
            local_defs.add(src.node_text(n))
    resolver = names.NameResolver(imports, local_defs)
    infos: dict[str, classes.ClassInfo] = {}
    for outer, d in defs:
        if d.type == "class_definition":
            info = classes.read_class(src, resolver, outer, d)
            if info is not None:
                infos[info.name] = info
    classes.classify_bases(src, resolver, infos)
    flows = classes.find_flows(infos)
    ranges = [
        artifacts.StepRange(
            m.node.start_byte,
            m.node.end_byte,
            m.step,
            m.tail_call_start,
            m.params[1] if len(m.params) >= 2 else None,
            m.node,
        )
        for info in infos.values()
        for m in info.methods
        if m.step is not None
    ]
    artifacts.collect(src, root, ranges)
    flow_names = {f.name for f in flows}
    return FlowFile(
        path=path,
        text=text,
        flows=flows,
        imports=imports,
        syntax_issues=syntax.syntax_issues(src, root),
        lines=src.lines,
        other_classes={n: i.name_span for n, i in infos.items() if n not in flow_names},
    )


def _empty(text: str, path: str, message: str) -> FlowFile:
    from metaflow_expert.model import Span

    lines = text.split("\n")
    return FlowFile(path, text, [], {}, [SyntaxIssue(Span(0, 0, 0, 0), message)], lines)


def _first_bad_span(data: str | bytes):  # type: ignore[no-untyped-def]
    from metaflow_expert.model import Span

    if isinstance(data, str):
        return Span(0, 0, 0, 0)
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError as e:
        prefix = bytes(data)[: e.start].decode("utf-8", errors="replace")
        line = prefix.count("\n")
        col = len(prefix) - (prefix.rfind("\n") + 1)
        return Span(line, col, line, col + 1)
    return Span(0, 0, 0, 0)
