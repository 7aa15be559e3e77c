"""MF0xx: findings about the file as a whole, emitted or owned by the engine.

``MF001`` reports what the parser could not read. ``MF000`` is never yielded by a rule: the
engine turns an exception inside any rule into one MF000 finding, so a bug in one check costs
that check, not the whole analysis (and the user sees that something was skipped).
"""

from __future__ import annotations

from collections.abc import Iterator

from metaflow_expert.model import Severity
from metaflow_expert.rules.registry import Report, RuleContext, rule

INTERNAL_ERROR = "MF000"
SYNTAX_ERROR = "MF001"


@rule(
    INTERNAL_ERROR,
    name="internal-error",
    summary="a check crashed on this file and was skipped",
    severity=Severity.WARNING,
    scope="file",
)
def internal_error(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Reports that one of metaflow-expert's own checks raised an exception on this file. The
    other checks still ran; only the named one was skipped.

    ## Why is this bad?
    A skipped check may hide a real problem. Please report it with the file that triggers it.

    ## Example
    ```text
    MF000 internal error in rule MF105 (no-start-step): KeyError: 'start'
    ```

    ## Use instead
    Nothing to change in the flow; ignore the code (`ignore = ["MF000"]`) to silence it.
    """
    return iter(())


@rule(
    SYNTAX_ERROR,
    name="syntax-error",
    summary="the file has a syntax error (or is not valid UTF-8)",
    severity=Severity.ERROR,
    scope="file",
)
def syntax_error(ctx: RuleContext) -> Iterator[Report]:
    """## What it does
    Reports text Python cannot parse: each region the parser had to skip or a token it expected
    (``expected ':'``), and files that are not valid UTF-8.

    ## Why is this bad?
    Metaflow imports the flow file to build its graph; a syntax error stops every command
    (`run`, `show`, `check`). Other findings in the file are computed on a best-effort reading.

    ## Example
    ```python
    @step
    def start(self)
        self.next(self.end)
    ```

    ## Use instead
    ```python
    @step
    def start(self):
        self.next(self.end)
    ```
    """
    for issue in ctx.file.syntax_issues:
        yield Report(issue.span, f"Syntax error: {issue.message}")
