"""Methods of a class body: decorators, parameters, docstrings, and :class:`Step` objects."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from tree_sitter import Node

from metaflow_expert.model import NOT_LITERAL, CallArg, DecoratorUse, Span, Step
from metaflow_expert.parsing.calls import call_args, literal
from metaflow_expert.parsing.names import NameResolver
from metaflow_expert.parsing.source import SourceText, make_span
from metaflow_expert.parsing.transition import parse_tail
from metaflow_expert.parsing.tree import LANGUAGE, code_children, is_trivia, unparen

_CALL = LANGUAGE.id_for_node_kind("call", True)
_EXPRESSION_STATEMENT = LANGUAGE.id_for_node_kind("expression_statement", True)
_STRING_KINDS = frozenset(
    LANGUAGE.id_for_node_kind(k, True) for k in ("string", "concatenated_string")
)

#: Metaflow's step decorator and the keyword-only annotations ``@step(start=True, end=True)``.
STEP = "step"
KW_START = "start"
KW_END = "end"


def decorators_of(src: SourceText, resolver: NameResolver, outer: Node) -> list[DecoratorUse]:
    """Decorators of a ``decorated_definition`` in source order (empty for a bare def)."""
    if outer.type != "decorated_definition":
        return []
    return [decorator_use(src, resolver, d) for d in outer.children if d.type == "decorator"]


#: False: every decorator is read from its node (``test_fast_paths`` compares the two).
REUSE_DECORATORS = True


def decorator_use(src: SourceText, resolver: NameResolver, deco: Node) -> DecoratorUse:
    """The decorator ``deco`` as the model sees it.

    Flows repeat the same decorators (``@retry(times=2)`` above every step): in an ASCII file
    a decorator with the same text starting at the same column reads the same apart from its
    line numbers, so it is read once and later copies are the first one shifted down."""
    if not REUSE_DECORATORS or not src.is_ascii or deco.has_error:
        return _read_decorator(src, resolver, deco)
    sb = deco.start_byte
    key = (src.data[sb : deco.end_byte], deco.start_point[1])
    memo = resolver.decorator_memo
    if key in memo:
        first = memo[key]
        if first is not None:
            return _shifted(first, deco.start_point[0] - first.span.start_line)
        return _read_decorator(src, resolver, deco)
    use = _read_decorator(src, resolver, deco)
    memo[key] = use if all(type(a.value) in _SHAREABLE for a in use.args) else None
    return use


#: Argument values a shifted copy may share with the decorator it copies (immutable).
_SHAREABLE = frozenset({str, int, float, bool, type(None), type(NOT_LITERAL), bytes, complex})


def _shifted(d: DecoratorUse, dl: int) -> DecoratorUse:
    """``d`` moved down ``dl`` lines.

    Built with ``tuple.__new__`` on the named tuples' classes (the very objects
    :func:`~metaflow_expert.parsing.source.make_span` and ``_make`` give, without a call per
    span): a long flow shifts hundreds of decorators, each holding three spans and three per
    argument, and a function call per span was most of the cost."""
    new = tuple.__new__
    args = tuple(
        [
            new(
                CallArg,
                (
                    a[0],
                    a[1],
                    a[2],
                    new(Span, (a[3][0] + dl, a[3][1], a[3][2] + dl, a[3][3])),
                    new(Span, (a[4][0] + dl, a[4][1], a[4][2] + dl, a[4][3])),
                    None
                    if a[5] is None
                    else new(Span, (a[5][0] + dl, a[5][1], a[5][2] + dl, a[5][3])),
                    a[6],
                ),
            )
            for a in d.args
        ]
    )
    s, n, r = d[2], d[3], d[7]
    return new(
        DecoratorUse,
        (
            d[0],
            d[1],
            new(Span, (s[0] + dl, s[1], s[2] + dl, s[3])),
            new(Span, (n[0] + dl, n[1], n[2] + dl, n[3])),
            args,
            d[5],
            d[6],
            None if r is None else new(Span, (r[0] + dl, r[1], r[2] + dl, r[3])),
        ),
    )


def _read_decorator(src: SourceText, resolver: NameResolver, deco: Node) -> DecoratorUse:
    expr: Node | None = deco.named_child(0)
    if expr is not None and is_trivia(expr):
        parts = code_children(deco)
        expr = parts[0] if parts else None
    expr = unparen(expr)
    if expr is None:
        sp = src.span(deco)
        return DecoratorUse("", "", sp, sp)
    target = expr
    args: tuple = ()
    has_call = False
    args_span = None
    if expr.kind_id == _CALL:
        fn: Node | None = expr.child(0)  # a call is ``function arguments``
        target = fn if fn is not None else expr
        arglist = expr.child(1)
        args = call_args(src, arglist)
        has_call = True
        args_span = src.span(arglist) if arglist is not None else None
    res = resolver.resolve(src, target)
    if res is None:
        written = src.node_text(target)
        return DecoratorUse(
            written, written, src.span(deco), src.span(target), args, has_call, False, args_span
        )
    return DecoratorUse(
        res.name,
        res.written,
        src.span(deco),
        src.span(target),
        args,
        has_call,
        res.from_metaflow,
        args_span,
    )


#: ``(self)``, ``(self, inputs)``: plain names and commas, as nearly every step is written
_PLAIN_PARAMS = re.compile(
    rb"\(\s*[A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*\s*,?\s*\)"
)
_PARAM_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


def plain_params(src: SourceText, params: Node) -> list[str] | None:
    """The names of a parameter list of plain names, from its text; None for any other
    (``test_fast_paths`` switches this off to compare with the tree path)."""
    if _PLAIN_PARAMS.fullmatch(src.data, params.start_byte, params.end_byte):
        found = _PARAM_NAME.findall(src.data, params.start_byte, params.end_byte)
        return [n.decode() for n in found]
    return None


def positional_params(src: SourceText, params: Node | None) -> list[str]:
    """Names in Python's ``args.args``: after any ``/``, before ``*``/``*args``/``**kw``."""
    names: list[str] = []
    if params is None:
        return names
    plain = plain_params(src, params)
    if plain is not None:
        return plain
    for c in code_children(params):
        t = c.type
        if t == "positional_separator":
            names = []
        elif t in ("list_splat_pattern", "dictionary_splat_pattern", "keyword_separator"):
            break
        elif t == "identifier":
            names.append(src.node_text(c))
        elif t in ("default_parameter", "typed_default_parameter"):
            n = c.child_by_field_name("name")
            if n is not None:
                names.append(src.node_text(n))
        elif t == "typed_parameter":
            for sub in c.named_children:
                if sub.type == "identifier":
                    names.append(src.node_text(sub))
                    break
                if sub.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                    return names
    return names


def docstring_of(src: SourceText, stmts: list[Node]) -> str | None:
    if not stmts or stmts[0].kind_id != _EXPRESSION_STATEMENT:
        return None
    parts = code_children(stmts[0])
    if len(parts) != 1 or parts[0].kind_id not in _STRING_KINDS:
        return None
    value = literal(src.node_text(parts[0]))
    if not isinstance(value, str):
        return None
    if "\n" not in value:
        return value.expandtabs().lstrip()  # what ``cleandoc`` makes of one line
    return inspect.cleandoc(value)


def body_statements(block: Node | None) -> list[Node]:
    return code_children(block) if block is not None else []


def end_statements(block: Node | None) -> list[Node]:
    """The first and last statements of ``block`` (one if it has one, none if empty):
    all a step needs of its body (docstring, tail ``self.next``, extent), without building a
    node for every statement in between."""
    if block is None:
        return []
    n = block.named_child_count
    i = 0
    first = None
    while i < n:
        c = block.named_child(i)
        if c is not None and not is_trivia(c):
            first = c
            break
        i += 1
    if first is None:
        return []
    j = n - 1
    while j > i:
        c = block.named_child(j)
        if c is not None and not is_trivia(c):
            return [first, c]
        j -= 1
    return [first]


class DefParts(NamedTuple):
    """The pieces of a ``def`` the model needs, from a clean ``function_definition`` or from an
    ERROR node that still holds ``def name(params)`` and statements (a half-typed header)."""

    name: Node
    params: Node | None
    #: the first and last statements of the body (only they matter; see ``end_statements``)
    stmts: list[Node]
    body: Node | None
    fn: Node
    outer: Node
    decorators: list[Node]
    #: the ``def`` keyword when ``fn`` is an ERROR node that also holds the decorators
    def_kw: Node | None = None

    @property
    def body_range(self) -> tuple[int, int]:
        if self.body is not None:
            return self.body.start_byte, self.body.end_byte
        if self.stmts:
            return self.stmts[0].start_byte, self.stmts[-1].end_byte
        return self.fn.end_byte, self.fn.end_byte


def def_parts(outer: Node, fn: Node) -> DefParts | None:
    name = fn.child_by_field_name("name")
    if name is None:
        return None
    body = fn.child_by_field_name("body")
    decos = (
        [d for d in outer.children if d.type == "decorator"]
        if outer.type == "decorated_definition"
        else []
    )
    return DefParts(
        name, fn.child_by_field_name("parameters"), end_statements(body), body, fn, outer, decos
    )


_NOT_STATEMENTS = frozenset({"decorator", "identifier", "parameters", "comment", "type", "ERROR"})


def error_def_parts(err: Node) -> DefParts | None:
    """``@step / def start(self) / body`` that tree-sitter could only keep as an ERROR node."""
    children = err.children
    decos: list[Node] = []
    i = 0
    while i < len(children) and (children[i].type == "decorator" or is_trivia(children[i])):
        if children[i].type == "decorator":
            decos.append(children[i])
        i += 1
    if i >= len(children) or children[i].type not in ("def", "async"):
        return None
    if children[i].type == "async":
        i += 1
        if i >= len(children) or children[i].type != "def":
            return None
    def_kw = children[i]
    name = children[i + 1] if i + 1 < len(children) else None
    if name is None or name.type != "identifier":
        return None
    j = i + 2
    params = None
    if j < len(children) and children[j].type == "parameters":
        params = children[j]
        j += 1
    stmts: list[Node] = []
    for c in children[j:]:
        if c.type == "block":
            stmts.extend(code_children(c))
        elif c.is_named and not is_trivia(c) and c.type not in _NOT_STATEMENTS:
            stmts.append(c)
    return DefParts(name, params, stmts, None, err, err, decos, def_kw)


@dataclass
class MethodInfo:
    """A ``def`` in a class body, before we know which flows it ends up in."""

    name: str
    parts: DefParts
    name_span: Span
    decorators: list[DecoratorUse]
    step: Step | None = None
    params: list[str] = field(default_factory=list)
    tail_call_start: int | None = None
    #: end of the tail call when it reads no artifact (see ``TailResult.plain_call_end``)
    plain_call_end: int | None = None


def method_info(
    src: SourceText, resolver: NameResolver, class_name: str, parts: DefParts
) -> MethodInfo:
    decos = [decorator_use(src, resolver, d) for d in parts.decorators]
    name = src.node_text(parts.name)
    info = MethodInfo(name, parts, src.span(parts.name), decos)
    step_indices = [
        i
        for i, d in enumerate(decos)
        if d.name == STEP
        and (d.from_metaflow or (d.written == STEP and not resolver.is_bound(STEP)))
    ]
    if not step_indices:
        return info
    step_index = step_indices[-1]
    params = positional_params(src, parts.params)
    info.params = params
    tail = parse_tail(src, parts.stmts, len(params))
    fn_span = (
        src.span_between(parts.def_kw, parts.fn) if parts.def_kw is not None else src.span(parts.fn)
    )
    body = parts.body
    if body is not None:
        body_span = src.span(body)
    elif parts.stmts:
        body_span = src.span_between(parts.stmts[0], parts.stmts[-1])
    else:
        body_span = make_span(fn_span.end_line, fn_span.end_col, fn_span.end_line, fn_span.end_col)
    info.step = Step(
        name=name,
        span=src.span(parts.outer),
        name_span=info.name_span,
        def_span=fn_span,
        decorators=decos,
        step_decorator_index=step_index,
        extra_step_decorators=tuple(step_indices[:-1]),
        params=params,
        params_span=src.span(parts.params) if parts.params is not None else info.name_span,
        body_span=body_span,
        defined_in=class_name,
        docstring=docstring_of(src, parts.stmts),
        # the topmost ``@step`` runs last and sets the flags afresh (see ``Step.other_decorators``)
        is_start_annotated=_flag(decos[step_indices[0]], KW_START),
        is_end_annotated=_flag(decos[step_indices[0]], KW_END),
        transition=tail.transition,
        last_statement_span=tail.last_statement_span,
        has_syntax_error=parts.outer.has_error or parts.outer.is_error,
    )
    info.tail_call_start = tail.tail_call_start
    info.plain_call_end = tail.plain_call_end
    return info


def _flag(deco: DecoratorUse, name: str) -> bool:
    arg = deco.kwarg(name)
    return bool(arg is not None and arg.is_literal and arg.value)
