"""Call arguments as :class:`CallArg` values, and Python constants as Metaflow's AST sees them.

Two notions of "value" coexist on purpose: :func:`call_args` evaluates an argument with
``ast.literal_eval`` (so ``[1, 2]`` and ``-1`` are known), while :func:`constant_value` accepts
only what Python's AST makes an ``ast.Constant`` (strings, numbers, True/False/None, ...),
which is what ``metaflow/graph.py`` reads for ``foreach=``, ``condition=`` and switch keys.
"""

from __future__ import annotations

import ast
import re

from tree_sitter import Node

from metaflow_expert.model import NOT_LITERAL, CallArg
from metaflow_expert.parsing.source import SourceText
from metaflow_expert.parsing.tree import LANGUAGE, is_trivia, unparen

#: Literal sources longer than this are not evaluated (a 5 MB string argument gains nothing).
_MAX_LITERAL_CHARS = 100_000

_ARGLIST = LANGUAGE.id_for_node_kind("argument_list", True)
_KEYWORD = LANGUAGE.id_for_node_kind("keyword_argument", True)
_LIST_SPLAT = LANGUAGE.id_for_node_kind("list_splat", True)
_SPLATS = frozenset({_LIST_SPLAT, LANGUAGE.id_for_node_kind("dictionary_splat", True)})

_new = tuple.__new__
_CONSTANT_TYPES = frozenset({"integer", "float", "true", "false", "none", "ellipsis"})


_SIMPLE_STRING = re.compile(r"""(?:"[^"\\\n]*"|'[^'\\\n]*')\Z""")
_NAMES: dict[str, object] = {"True": True, "False": False, "None": None}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
#: ``0.5``, ``1e-3``, ``10.`` (what ``float()`` and Python agree on; no ``_`` separators)
_SIMPLE_FLOAT = re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?\Z")
_ITEM = r"""(?:"[^"\\\n]*"|'[^'\\\n]*'|0|[1-9][0-9]{0,8})"""
#: a list or tuple of plain strings and small ints, as ``exclude=["a", "b"]`` is written
_SIMPLE_SEQUENCE = re.compile(rf"(\[|\()\s*((?:{_ITEM}\s*,\s*)*{_ITEM})?\s*(,?)\s*(\]|\))\Z")
_SEQUENCE_ITEM = re.compile(_ITEM)


def _simple_item(text: str) -> object:
    return text[1:-1] if text[0] in "'\"" else int(text)


def literal(source: str) -> object:
    """``ast.literal_eval`` of an argument's source, or ``NOT_LITERAL``; never raises.

    Common shapes (small ints, plain strings, True/False/None, bare names) are decided without
    compiling anything: ``literal_eval`` costs ~10 µs a call and flows have many arguments."""
    if len(source) > _MAX_LITERAL_CHARS:
        return NOT_LITERAL
    if source.isascii() and source.isdigit() and (source == "0" or source[0] != "0"):
        return int(source)
    if source in _NAMES:
        return _NAMES[source]
    if _SIMPLE_STRING.match(source):
        return source[1:-1]
    if (
        len(source) >= 6
        and source[:3] in ('"""', "'''")
        and source.endswith(source[:3])
        and "\\" not in source
        and source[:3] not in source[3:-3]
        and "\r" not in source
    ):
        return source[3:-3]  # a plain docstring
    if _IDENTIFIER.match(source):
        return NOT_LITERAL
    if _SIMPLE_FLOAT.match(source):
        return float(source)
    m = _SIMPLE_SEQUENCE.match(source)
    if (
        m is not None
        and (m.group(2) or not m.group(3))  # not ``[,]``
        and (m.group(1) == "[") == (m.group(4) == "]")  # not ``[1)``
    ):
        # ``["a", "b"]`` / ``("a", 1)``: plain strings and small ints only
        items = [_simple_item(x) for x in _SEQUENCE_ITEM.findall(m.group(2) or "")]
        if m.group(1) == "[":
            return items
        if len(items) != 1 or m.group(3):
            return tuple(items)  # ``(x)`` without a comma is not a tuple: fall through
    try:
        # Parentheses let implicit concatenation span lines; the newline guards a trailing comment.
        return ast.literal_eval("(" + source + "\n)")
    except Exception:
        return NOT_LITERAL


def _is_fstring(src: SourceText, string_node: Node) -> bool:
    start = string_node.child(0)
    if start is None:
        return False
    prefix = src.node_text(start).lower()
    return "f" in prefix or "t" in prefix


def constant_value(src: SourceText, node: Node | None) -> tuple[bool, object]:
    """``(True, value)`` when ``node`` is what Python's AST calls an ``ast.Constant``."""
    node = unparen(node)
    if node is None:
        return False, None
    kind = node.type
    if kind == "string":
        if _is_fstring(src, node):
            return False, None
    elif kind == "concatenated_string":
        if any(c.type == "string" and _is_fstring(src, c) for c in node.children):
            return False, None
    elif kind not in _CONSTANT_TYPES:
        return False, None
    value = literal(src.node_text(node))
    if value is NOT_LITERAL:
        return False, None
    return True, value


def call_args(src: SourceText, arglist: Node | None) -> tuple[CallArg, ...]:
    """The arguments of an ``argument_list`` node, in source order (built with
    ``tuple.__new__``, every field given: what ``CallArg(...)`` makes, without its
    Python-level ``__new__``, for the commonest arguments)."""
    if arglist is None:
        return ()
    if arglist.kind_id != _ARGLIST:
        # ``f(x for x in y)``: a single generator argument.
        text = src.node_text(arglist)
        sp = src.span(arglist)
        return (CallArg(None, NOT_LITERAL, text, sp, sp),)
    out: list[CallArg] = []
    span, node_text = src.span, src.node_text
    for child in arglist.named_children:
        if is_trivia(child):  # a comment or a backslash continuation, not an argument
            continue
        kind = child.kind_id
        if kind == _KEYWORD:
            # keyword_argument is ``name = value``: children 0 and 2
            name: Node | None = child.child(0)
            value: Node | None = child.child(2)
            if value is None or not value.is_named or is_trivia(value):
                name = child.child_by_field_name("name")  # extras inside: ask by field
                value = child.child_by_field_name("value")
            if name is None or value is None:
                continue
            vtext = node_text(value)
            out.append(
                _new(
                    CallArg,
                    (
                        node_text(name),
                        literal(vtext),
                        vtext,
                        span(child),
                        span(value),
                        span(name),
                        None,
                    ),
                )
            )
        elif kind in _SPLATS:
            inner = next((c for c in child.named_children if not is_trivia(c)), child)
            out.append(
                CallArg(
                    None,
                    NOT_LITERAL,
                    node_text(inner),
                    span(child),
                    span(inner),
                    None,
                    "*" if kind == _LIST_SPLAT else "**",
                )
            )
        else:
            text = node_text(child)
            sp = span(child)
            out.append(_new(CallArg, (None, literal(text), text, sp, sp, None, None)))
    return tuple(out)
