"""Syntax problems: one :class:`SyntaxIssue` per outermost ERROR or MISSING node, with the
extent of the statement it breaks.

Only subtrees flagged ``has_error`` are descended, so a clean file costs one attribute read.
A MISSING node is a token tree-sitter inserted to recover (``expected ':'``); an ERROR node is
text it had to skip (``invalid syntax``, with the first offending token quoted).
"""

from __future__ import annotations

from dataclasses import replace

from tree_sitter import Node

from metaflow_expert.model import Span, SyntaxIssue
from metaflow_expert.parsing.source import SourceText

#: Stop collecting after this many issues: a binary file would otherwise yield thousands.
MAX_ISSUES = 200


def syntax_issues(
    src: SourceText, root: Node, *, ignore_missing_block: bool = False
) -> list[SyntaxIssue]:
    """Outermost ERROR/MISSING nodes of ``root``. ``ignore_missing_block``: the root is a class
    header parsed without its body (piecewise parsing), so an empty body is expected."""
    if not root.has_error:
        return []
    out: list[SyntaxIssue] = []
    stack = [root]
    while stack and len(out) < MAX_ISSUES:
        node = stack.pop()
        if node.is_missing:
            message = f"expected {_token_label(node.type)}"
            out.append(SyntaxIssue(src.span(node), message, src.span(statement_of(node))))
            continue
        if node.is_error:
            issue = _error_issue(src, node)
            out.append(replace(issue, statement=src.span(statement_of(node))))
            continue
        if ignore_missing_block and node.type == "block" and node.start_byte == node.end_byte:
            continue
        children = [c for c in node.children if c.has_error or c.is_missing]
        stack.extend(reversed(children))
    out.sort(key=lambda i: (i.span.start_line, i.span.start_col))
    return _first_per_statement(out)


def _first_per_statement(issues: list[SyntaxIssue]) -> list[SyntaxIssue]:
    """One issue per broken statement, the first: recovery inside one statement (prose typed
    outside a docstring, say) finds a new ERROR at every word, and each would be one more
    diagnostic for one mistake."""
    seen: set[Span | None] = set()
    out = []
    for issue in issues:
        if issue.statement in seen:
            continue
        seen.add(issue.statement)
        out.append(issue)
    return out


#: Nodes whose children are statements: climbing from an error stops below them.
_STATEMENT_HOLDERS = frozenset({"block", "module"})


def statement_of(node: Node) -> Node:
    """The statement ``node`` is part of: its ancestor whose parent holds statements (or the
    outermost ERROR, when recovery wrapped the whole definition in one)."""
    while True:
        parent = node.parent
        if parent is None or parent.type in _STATEMENT_HOLDERS:
            return node
        node = parent


def _token_label(kind: str) -> str:
    if kind and not kind[0].isalpha():
        return f"'{kind}'"
    return kind.replace("_", " ")


_OPEN = {"(": ")", "[": "]", "{": "}"}
_MAX_SCAN = 10_000


def _error_issue(src: SourceText, node: Node) -> SyntaxIssue:
    kids = node.children
    kinds = [c.type for c in kids]
    for kw in ("def", "class"):
        if kw in kinds:
            i = kinds.index(kw)
            rest = kinds[i + 1 : i + 5]
            if ":" not in rest and (kw == "class" or "parameters" in rest[:3]):
                # point at the header line itself, not the decorators above it
                last = kids[i]
                for c in kids[i + 1 : i + 4]:
                    if c.type in ("identifier", "parameters", "argument_list"):
                        last = c
                    else:
                        break
                return SyntaxIssue(
                    src.span_between(kids[i], last), f"expected ':' at the end of the {kw} line"
                )
    text = src.node_text(node) if node.end_byte - node.start_byte <= _MAX_SCAN else ""
    unclosed = _unclosed(text)
    if unclosed:
        return SyntaxIssue(src.span(node), f"'{unclosed}' was never closed")
    first = node.child(0)
    while first is not None and first.child_count and not first.is_error:
        first = first.child(0)
    token = src.node_text(first).strip() if first is not None else ""
    if token and len(token) <= 20 and "\n" not in token:
        return SyntaxIssue(src.span(node), f"invalid syntax near '{token}'")
    return SyntaxIssue(src.span(node), "invalid syntax")


def _unclosed(text: str) -> str | None:
    """The first bracket of ``text`` left open (strings and comments are not skipped: this is
    only a hint for the message)."""
    stack: list[str] = []
    for ch in text:
        if ch in _OPEN:
            stack.append(ch)
        elif ch in _OPEN.values() and stack and _OPEN[stack[-1]] == ch:
            stack.pop()
    return stack[0] if stack else None
