"""One shared tree-sitter parser and the compiled queries the model builder runs.

Queries run in C over the whole tree, so Python only touches the nodes it needs; this is what
keeps a 3,000-line flow well under 20 ms. The parser object is reused (creating one per file
costs more than parsing a small file) and guarded by a lock for the language server's threads.
"""

from __future__ import annotations

import threading
from functools import cache

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Point, Query, QueryCursor, Range, Tree

LANGUAGE = Language(tree_sitter_python.language())
_PARSER = Parser(LANGUAGE)
_LOCK = threading.Lock()

#: ``self.<name>`` in every syntactic role the model distinguishes. Reads are the ``any``
#: captures left over once writes, augmented assignments, deletes and method calls are removed.
SELF_ATTR_QUERY = """
(assignment left: (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(pattern_list (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(tuple_pattern (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(list_pattern (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(list_splat_pattern (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(for_statement left: (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(for_in_clause left: (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(as_pattern_target (attribute object: (identifier) @_o attribute: (identifier)) @write (#eq? @_o "self"))
(augmented_assignment left: (attribute object: (identifier) @_o attribute: (identifier)) @aug (#eq? @_o "self"))
(delete_statement (attribute object: (identifier) @_o attribute: (identifier)) @del (#eq? @_o "self"))
(delete_statement (expression_list (attribute object: (identifier) @_o attribute: (identifier)) @del) (#eq? @_o "self"))
(call function: (attribute object: (identifier) @_o attribute: (identifier)) @callee (#eq? @_o "self")) @call
((attribute object: (identifier) @_o attribute: (identifier)) @any (#eq? @_o "self"))
"""

#: ``setattr(self, "x", v)`` / ``getattr(self, "x")`` / ``delattr(self, "x")`` with a literal name
#: (run in the same cursor pass as :data:`SELF_ATTR_QUERY`: one walk over the step bodies).
ATTR_FUNC_QUERY = """
(call function: (identifier) @attrfn
      arguments: (argument_list . (identifier) @_o . [(string) (concatenated_string)] @attrname)
      (#any-of? @attrfn "setattr" "getattr" "delattr") (#eq? @_o "self")) @attrcall
"""

#: Identifiers and ``x.attr`` pairs inside a join step, to follow its inputs parameter.
IDENT_QUERY = "(identifier) @id"
OBJ_ATTR_QUERY = "(attribute object: (identifier) @obj attribute: (identifier) @attr) @node"


#: Everything the artifact pass looks for, in one query.
BODY_QUERY = SELF_ATTR_QUERY + ATTR_FUNC_QUERY


def parse(data: bytes) -> Tree:
    with _LOCK:
        return _PARSER.parse(data)


def parse_ranges(data: bytes, ranges: list[tuple[int, int, int, int]]) -> list[Tree]:
    """Parse each ``(start_byte, end_byte, start_row, end_row)`` piece of ``data`` on its own.

    Pieces start and end at line starts; node positions stay those of the whole text."""
    out: list[Tree] = []
    with _LOCK:
        try:
            for sb, eb, sr, er in ranges:
                _PARSER.included_ranges = [Range(Point(sr, 0), Point(er, 0), sb, eb)]
                out.append(_PARSER.parse(data))
        finally:
            _PARSER.included_ranges = [
                Range(Point(0, 0), Point(0xFFFFFFFF, 0xFFFFFFFF), 0, 0xFFFFFFFF)
            ]
    return out


@cache
def query(source: str) -> Query:
    return Query(LANGUAGE, source)


def captures(
    source: str, node: Node, start: int | None = None, end: int | None = None
) -> dict[str, list[Node]]:
    cursor = QueryCursor(query(source))
    if start is not None and end is not None:
        cursor.set_byte_range(start, end)
    return cursor.captures(node)


def matches(
    source: str, node: Node, start: int | None = None, end: int | None = None
) -> list[tuple[int, dict[str, list[Node]]]]:
    cursor = QueryCursor(query(source))
    if start is not None and end is not None:
        cursor.set_byte_range(start, end)
    return cursor.matches(node)


def unparen(node: Node | None) -> Node | None:
    """The expression inside any number of parentheses (Python's AST drops them too)."""
    while node is not None and node.type == "parenthesized_expression":
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def code_children(node: Node) -> list[Node]:
    """Named children without comments (tree-sitter keeps comments as ``extra`` nodes)."""
    return [c for c in node.named_children if c.type != "comment"]
