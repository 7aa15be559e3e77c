"""MF216: ``current.<attr>`` used where no decorator provides it.

Some attributes of Metaflow's ``current`` object only exist while a decorator is active:
``current.card`` needs ``@card`` on the step, ``current.project_name`` needs ``@project`` on
the flow. Which decorator adds which attribute is read from the decorators' docstrings in the
indexed Metaflow source (the catalog's ``current_attrs``), so extensions' decorators count too.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping

from metaflow_expert.model import Severity, Span
from metaflow_expert.rules.registry import Report, RuleContext, rule


def _current_local(ctx: RuleContext) -> str | None:
    """The local name ``current`` of Metaflow is imported as, if it is."""
    for local, binding in ctx.file.imports.items():
        if binding.module == "metaflow" and binding.name == "current":
            return local
    return None


@rule(
    "MF216",
    name="current-attribute-without-decorator",
    summary="`current.<attr>` used in a step that lacks the decorator providing it",
    severity=Severity.WARNING,
)
def current_attribute_without_decorator(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Flags `current.card`, `current.parallel`, `current.project_name`, `current.trigger`… in a
    step when neither the step nor the flow carries a decorator that adds that attribute (as
    documented in the decorators of the indexed Metaflow source).

    An attribute a flow decorator provides is only judged on a flow class the file runs (its
    `if __name__ == "__main__":` block calls it): a base class is completed by subclasses in
    other modules, which may carry that decorator.

    ## Why is this bad?
    `current` only has these attributes while the decorator runs; without it the step fails
    with `AttributeError` — unless the decorator is added at run time with `--with`.

    ## Example
    ```python
    @step
    def report(self):
        current.card.append(Markdown("# Results"))
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @card
    @step
    def report(self):
        current.card.append(Markdown("# Results"))
        self.next(self.end)
    ```
    """
    flow = ctx.flow
    if flow is None or ctx.catalog is None or flow.unresolved_bases:
        return
    local = _current_local(ctx)
    if local is None or any(not d.from_metaflow for d in flow.decorators):
        return  # a flow mutator may add decorators
    text = ctx.file.text
    if local + "." not in text:
        return
    providers = ctx.file_facts.current_providers
    if not providers:
        return
    uses = _uses(text, ctx.file.lines, local, providers)
    if not uses:
        return
    rows = [u[0] for u in uses]
    flow_decos = {d.name for d in flow.decorators}
    unknown = ctx.flow_facts.unresolved_steps if ctx.flow_facts is not None else frozenset()
    completable = _completable(ctx)
    for step in flow.steps.values():
        if any(not d.from_metaflow for d in step.other_decorators):
            continue  # a step mutator may add decorators
        if step.name in unknown:
            continue  # a decorator the catalog cannot resolve may add any attribute
        step_decos = {d.name for d in step.other_decorators}  # what Metaflow keeps
        body = step.body_span
        lo = bisect.bisect_left(rows, body.start_line)
        hi = bisect.bisect_right(rows, min(body.end_line, len(ctx.file.lines) - 1))
        for i, start, end, attr in uses[lo:hi]:
            on_step, on_flow = providers[attr]
            if step_decos & on_step or flow_decos & on_flow:
                continue
            if on_flow and completable:
                continue  # a subclass elsewhere may add the flow decorator: unknown, not missing
            need = sorted(on_step) if on_step else sorted(on_flow)
            where = "step" if on_step else "flow"
            names = " or ".join(f"@{n}" for n in need)
            yield Report(
                span=Span(i, start, i, end),
                message=f"*{local}.{attr}* in step *{step.name}* exists only with {names} on "
                f"the {where}; add the decorator" + (" (or run with --with)." if on_step else "."),
                step=step.name,
            )


def _completable(ctx: RuleContext) -> bool:
    """Whether the flow class may be completed by subclasses in other modules: the file never
    runs it (no ``if __name__ == "__main__":`` block calling it, the fact MF102 uses for base
    classes). Metaflow only runs, and only gives ``current`` attributes to, the class
    ``python file.py`` instantiates; a base like ``class BaseFlow(FlowSpec)`` reading
    ``current.trigger`` is run as ``@trigger class Deployed(BaseFlow)`` from another file, so
    what a flow decorator would provide there is unknown. Step decorators sit on the step
    itself, so what they provide stays judged."""
    run = ctx.file_facts.run_classes
    flow = ctx.flow
    return flow is not None and (run is None or flow.name not in run)


def _uses(
    text: str, lines: list[str], local: str, providers: Mapping[str, object]
) -> list[tuple[int, int, int, str]]:
    """``(row, start col, end col, attr)`` of each ``current.<attr>`` outside comments whose
    attribute some decorator provides, in text order: one search over the whole text."""
    # the pattern starts with the literal name, so the search skips ahead in C; the
    # "not part of a longer name or attribute" check is done by hand
    pattern = re.compile(rf"{re.escape(local)}\.([A-Za-z_]\w*)")
    out: list[tuple[int, int, int, str]] = []
    row = 0
    line_start = 0
    for m in pattern.finditer(text):
        attr = m.group(1)
        at = m.start()
        if attr not in providers or (at and (text[at - 1].isalnum() or text[at - 1] in "_.")):
            continue
        row += text.count("\n", line_start, at)
        line_start = text.rfind("\n", 0, at) + 1
        if row >= len(lines) or "#" in text[line_start:at]:
            continue  # in a comment (or a string holding ``#``, as before)
        out.append((row, at - line_start, m.end() - line_start, attr))
    return out
