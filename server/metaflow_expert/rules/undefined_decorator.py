"""MF219: a decorator used on a flow or a step but bound to nothing in the file.

Why a rule: Python evaluates a class's decorators, and those of its methods, when it creates
the class, so ``@kubernetes`` with no ``from metaflow import kubernetes`` stops the import of
the flow file with ``NameError: name 'kubernetes' is not defined`` — before Metaflow's own
checks run, so ``python flow.py check`` never gets to say anything else. The parser resolves
decorators through the file's imports (``parsing/names.py``), but it tolerates an unbound name
while the user is typing; this rule is where an unbound name is reported.

"Bound" is read generously, so the rule only speaks when no reading of the file binds the
name: an import anywhere, a ``def``/``class``, an assignment, ``as``/``for``/``global``
targets, a builtin, and any ``from … import *`` (which may bind anything) all count.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator

from metaflow_expert.model import DecoratorUse, Fix, FlowFile, Span, Step, TextEdit
from metaflow_expert.parsing import parse_flow_file
from metaflow_expert.parsing.names import STAR_PREFIX, is_metaflow_module
from metaflow_expert.rules.registry import Report, RuleContext, rule

_BUILTINS = frozenset(dir(builtins))


@rule(
    "MF219",
    name="undefined-decorator",
    summary="a decorator name that nothing in the file defines or imports (NameError on import)",
    mirrors="python:NameError",
)
def undefined_decorator(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags a decorator on a flow or a step whose name nothing in the file binds: no import,
    no definition, no assignment, not a Python builtin, and no `from … import *`. When the
    indexed Metaflow registers a decorator of that name, the fix adds
    `from metaflow import <name>` next to the file's Metaflow import.

    ## Why is this bad?
    Python evaluates decorators when it creates the class, so importing the flow file fails
    with `NameError: name 'kubernetes' is not defined` and nothing runs, not even
    `python flow.py check`.

    ## Example
    ```python
    from metaflow import FlowSpec, step

    class TrainFlow(FlowSpec):
        @kubernetes(memory=16000)
        @step
        def start(self):
            self.next(self.end)
    ```

    ## Use instead
    ```python
    from metaflow import FlowSpec, step, kubernetes
    ```
    """
    flow = ctx.flow
    file = ctx.file
    if flow is None or any(k.startswith(STAR_PREFIX) for k in file.imports):
        return
    uses: list[tuple[DecoratorUse, str, Step | None]] = [(d, "flow", None) for d in flow.decorators]
    for s in flow.steps.values():
        uses += [(d, "step", s) for d in s.decorators]
    # written text → the undefined name it starts with, or None: a flow repeats the same few
    # decorators on every step, so each text is judged once
    undefined: dict[str, str | None] = {}
    for deco, kind, step in uses:
        written = deco.written
        if written in undefined:
            name = undefined[written]
        else:
            name = undefined[written] = _undefined_name(file, written)
        if name is None:
            continue
        yield Report(
            span=deco.name_span,
            message=f"name '{name}' is not defined: importing the flow file fails with "
            f"NameError.{_hint(ctx, name, kind, deco)}",
            step=step.name if step is not None else None,
            fix=_import_fix(ctx, name, kind, deco),
        )


def _undefined_name(file: FlowFile, written: str) -> str | None:
    """The name a decorator written as ``written`` starts with, when nothing binds it."""
    name = written.split(".", 1)[0]
    if not name.isidentifier() or _is_bound(file, name):
        return None
    return name


def _is_bound(file: FlowFile, name: str) -> bool:
    if name in file.imports or name in _BUILTINS:
        return True
    n = re.escape(name)
    pattern = re.compile(
        rf"(?m)^\s*(?:async\s+)?(?:def|class)\s+{n}\b"  # a definition
        rf"|\b{n}\s*(?::[^=\n]*)?=(?!=)"  # an assignment (or a keyword argument: generous)
        rf"|\b{n}\s*:="  # a walrus
        rf"|\bimport\b[^\n#]*\b{n}\b"  # an import, also inside a function
        rf"|\bas\s+{n}\b"  # import/with/except … as name
        rf"|\bfor\s+[^\n]*\b{n}\b[^\n]*\bin\b"  # a loop target
        rf"|\b(?:global|nonlocal)\s+[^\n]*\b{n}\b"
    )
    return pattern.search(file.text) is not None


def _known(ctx: RuleContext, name: str, kind: str) -> bool:
    cat = ctx.catalog  # a registered decorator, or ``step`` (an API entry point)
    return cat is not None and (cat.lookup(name, kind) is not None or name in cat.api)


def _hint(ctx: RuleContext, name: str, kind: str, deco: DecoratorUse) -> str:
    if deco.written == name and _known(ctx, name, kind):
        return f" Add `from metaflow import {name}`."
    return ""


def _import_fix(ctx: RuleContext, name: str, kind: str, deco: DecoratorUse) -> Fix | None:
    """Add ``from metaflow import <name>`` on a new line after the file's last module-level
    Metaflow import (same indentation), but only when the edited file parses as cleanly as
    before and the decorator then resolves to Metaflow's (the fix must leave it better)."""
    if deco.written != name or not _known(ctx, name, kind):
        return None
    file = ctx.file
    anchors = [b.span for b in file.imports.values() if is_metaflow_module(b.module)]
    if not anchors:
        return None
    last = max(anchors, key=lambda s: (s.end_line, s.end_col))
    line = last.end_line + 1
    indent_src = file.lines[last.start_line] if last.start_line < len(file.lines) else ""
    indent = indent_src[: len(indent_src) - len(indent_src.lstrip())]
    new_text = f"{indent}from metaflow import {name}\n"
    lines = file.text.split("\n")
    lines = [ln + "\n" for ln in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if line > len(lines) or (line == len(lines) and not file.text.endswith("\n")):
        return None
    edited = "".join([*lines[:line], new_text, *lines[line:]])
    after = parse_flow_file(edited, file.path)
    binding = after.imports.get(name)
    if len(after.syntax_issues) > len(file.syntax_issues) or binding is None:
        return None
    if not is_metaflow_module(binding.module):
        return None
    at = Span(line, 0, line, 0)
    return Fix(f"Add `from metaflow import {name}`", (TextEdit(at, new_text),))
