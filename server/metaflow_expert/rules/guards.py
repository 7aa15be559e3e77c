"""Where a step's code is guarded on purpose: reads that may fail by design, and writes that
only some tasks of a ``@parallel`` gang make.

Why a second reading of the text: the flow model records *what* a step reads and writes,
not the statements around it, and two answers depend on those statements:

- a read inside ``try:`` whose handler catches ``AttributeError`` (or ``Exception``,
  ``BaseException``, a bare ``except:``, or a tuple holding one of them), or inside
  ``with suppress(AttributeError):``, is how optional artifacts are read; reporting it as
  "never assigned" is a false alarm;
- ``hasattr(self, "x")`` in a step says the step expects ``x`` may be missing: its reads of
  ``x`` are deliberate (only in that step: another step's read of ``x`` is not guarded);
- in a ``@parallel`` gang every task runs the same body, and the join sees all of them; a
  write under a test of ``node_index``/``control_task_id``/``ubf_context`` is made by some
  tasks only (typically the control task alone), so the join need not see conflicting
  values.

Python's own ``ast`` answers both, one step at a time and only for the steps where a rule
is about to report: a clean step never pays for the parse, and the steps parsed add up to at
most the file once. A step Python cannot parse (half typed) has no guards: the rules then
speak as they would without this module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import NamedTuple

from metaflow_expert.model import FlowFile, Step

#: Exception names whose handler swallows a missing attribute.
_CATCHES_MISSING = frozenset({"AttributeError", "Exception", "BaseException"})
#: Names whose test in an ``if`` singles out some tasks of a gang.
_GANG_MEMBER_TESTS = frozenset({"node_index", "control_task_id", "ubf_context", "UBF_CONTROL"})
#: ``hasattr(self, "x")``: read as text, so a half-typed step keeps its tests
HASATTR_SELF = re.compile(r"""\bhasattr\(\s*self\s*,\s*['"]([A-Za-z_]\w*)['"]""")


class Guards(NamedTuple):
    """0-based file lines inside guarded regions."""

    #: lines of ``try:`` bodies whose handlers catch a missing attribute, and of
    #: ``with suppress(...)`` bodies that swallow one
    attribute_error: frozenset[int]
    #: lines of ``if``/``else`` bodies whose test names a gang member (``node_index``…)
    gang_member: frozenset[int]
    #: names the step tests with ``hasattr(self, "x")``
    tested: frozenset[str] = frozenset()


NO_GUARDS = Guards(frozenset(), frozenset())


def step_guards(file: FlowFile, step: Step) -> Guards:
    """The guards of one step, read on its own: its lines from the ``def`` on, with the
    ``def``'s indentation removed (a line indented less can only be inside a string)."""
    first, last = step.def_span.start_line, step.span.end_line
    lines = file.lines[first : last + 1]
    if not lines:
        return NO_GUARDS
    indent = len(lines[0]) - len(lines[0].lstrip())
    pad = lines[0][:indent]
    text = "\n".join(ln[indent:] if ln.startswith(pad) else ln for ln in lines)
    tested = frozenset(HASATTR_SELF.findall(text)) if "hasattr(" in text else frozenset()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return NO_GUARDS._replace(tested=tested)
    return _collect(ast.walk(tree), first)._replace(tested=tested)


def _collect(nodes: Iterable[ast.AST], offset: int) -> Guards:
    caught: set[int] = set()
    member: set[int] = set()
    for node in nodes:
        swallowed = _body_swallowing_missing(node)
        if swallowed is not None:
            caught.update(_lines(swallowed, offset))
        elif isinstance(node, ast.If) and _names_gang_member(node.test):
            member.update(_lines(node.body, offset))
            member.update(_lines(node.orelse, offset))
    return Guards(frozenset(caught), frozenset(member))


def _lines(body: list[ast.stmt], offset: int) -> range:
    if not body:
        return range(0)
    first = body[0].lineno - 1
    last = (body[-1].end_lineno or body[-1].lineno) - 1
    return range(first + offset, last + offset + 1)


def _catches_missing(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True  # bare ``except:``
    kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(_name_of(k) in _CATCHES_MISSING for k in kinds)


def _body_swallowing_missing(node: ast.AST) -> list[ast.stmt] | None:
    """The body of a ``try:`` with a handler, or of a ``with suppress(...)``, that swallows
    a missing attribute; None for any other node."""
    if isinstance(node, ast.Try) and any(_catches_missing(h) for h in node.handlers):
        return node.body
    if isinstance(node, ast.With) and any(_suppresses_missing(i) for i in node.items):
        return node.body
    return None


def _suppresses_missing(item: ast.withitem) -> bool:
    call = item.context_expr
    return (
        isinstance(call, ast.Call)
        and _name_of(call.func) == "suppress"
        and any(_name_of(a) in _CATCHES_MISSING for a in call.args)
    )


def _names_gang_member(test: ast.expr) -> bool:
    return any(_name_of(n) in _GANG_MEMBER_TESTS for n in ast.walk(test))


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
