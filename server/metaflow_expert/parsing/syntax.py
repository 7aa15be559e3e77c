"""Syntax problems: one :class:`SyntaxIssue` per outermost ERROR or MISSING node.

Only subtrees flagged ``has_error`` are descended, so a clean file costs one attribute read.
A MISSING node is a token tree-sitter inserted to recover (``expected ':'``); an ERROR node is
text it had to skip (``invalid syntax``, with the first offending token quoted).
"""

from __future__ import annotations

from tree_sitter import Node

from metaflow_expert.model import SyntaxIssue
from metaflow_expert.parsing.source import SourceText

#: Stop collecting after this many issues: a binary file would otherwise yield thousands.
MAX_ISSUES = 200


def syntax_issues(src: SourceText, root: Node) -> list[SyntaxIssue]:
    if not root.has_error:
        return []
    out: list[SyntaxIssue] = []
    stack = [root]
    while stack and len(out) < MAX_ISSUES:
        node = stack.pop()
        if node.is_missing:
            out.append(SyntaxIssue(src.span(node), f"expected {_token_label(node.type)}"))
            continue
        if node.is_error:
            out.append(SyntaxIssue(src.span(node), _error_message(src, node)))
            continue
        children = [c for c in node.children if c.has_error or c.is_missing]
        stack.extend(reversed(children))
    out.sort(key=lambda i: (i.span.start_line, i.span.start_col))
    return out


def _token_label(kind: str) -> str:
    if kind and not kind[0].isalpha():
        return f"'{kind}'"
    return kind.replace("_", " ")


def _error_message(src: SourceText, node: Node) -> str:
    first = node.child(0)
    while first is not None and first.child_count and not first.is_error:
        first = first.child(0)
    token = src.node_text(first).strip() if first is not None else ""
    if token and len(token) <= 20 and "\n" not in token:
        return f"invalid syntax near '{token}'"
    return "invalid syntax"
