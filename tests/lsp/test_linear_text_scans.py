"""Every pattern the editor logic runs on the user's text stays linear on a 1 MB line.

Why: completion and hover read the raw line under the cursor (and the 15 before it), so one
pasted digest or generated blob reaches every regex in ``explain/``. An unanchored
``search(r"(\\w+)...$")`` retries from each character of a long word: 20 s on a 40 KB hex
digest, never returning on 900 KB, with the whole server waiting. Each case below feeds one
pattern its worst input at 1 MB through the public entry points (``complete``, ``locate``);
a quadratic scan would take minutes, a linear one a fraction of a second. (``explain/fixes``
needs no case: its one pattern starts only at ``(`` and stops at the next one.)
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from metaflow_expert.explain import completions, cursor
from metaflow_expert.parsing import parse_flow_file

FLOW = Path(__file__).parent / "flows" / "train_flow.py"
MB = 1_000_000
BUDGET_S = 2.0  # linear: ~0.05 s here; quadratic: minutes


@pytest.fixture(scope="module")
def model():
    return parse_flow_file(FLOW.read_text(), str(FLOW))


def _with_line(model, line_text: str, *, below: int = 0):
    """``model`` with ``line_text`` spliced in as a line inside its first step's body, the
    cursor ``below`` lines under it (the model's spans stay those of the real file)."""
    step = next(iter(model.flows[0].steps.values()))
    at = step.span.start_line + 2
    lines = list(model.lines)
    lines[at] = line_text + "\n"
    return dataclasses.replace(model, lines=lines), at + below


ADVERSARIAL = {
    # the reported case: a long run of word characters within 15 lines above the cursor
    "word run above the cursor": ("        x = '" + "a" * MB, 3),
    # the same run on the cursor's own line (string-keyword and open-string scans)
    "word run at the cursor": ("        " + "f" * MB, 0),
    "keyword = open string": ("        self.next(self.a, foreach='" + "a" * MB, 0),
    "decorator before a paren": ("    @" + "a" * MB + "    (", 0),
    "words without '=' in a call": ("    @resources(" + "ab " * (MB // 3), 0),
    "spaces before '@'": ("    " + " " * MB + "@x", 0),
    "self then spaces": ("        self" + " " * MB + "next(", 0),
    "alternating quotes": ("        f(" + "\"'" * (MB // 2), 0),
    "unclosed quote then quotes": ("        f('" + '"' * MB, 0),
    "nested brackets": ("        f" + "(" * MB, 0),
    "dots": ("        self" + "." * MB, 0),
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_completion_is_linear_on_a_1mb_line(model, name):
    text, below = ADVERSARIAL[name]
    file, line = _with_line(model, text, below=below)
    col = len(file.lines[line].rstrip("\n"))
    t0 = time.perf_counter()
    completions.complete(file, line, col, None)
    completions.complete(file, line, col // 2, None)
    assert time.perf_counter() - t0 < BUDGET_S, name


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_hover_location_is_linear_on_a_1mb_line(model, name):
    text = ADVERSARIAL[name][0]
    file, line = _with_line(model, text)
    t0 = time.perf_counter()
    for col in (0, len(text) // 2, len(text)):
        cursor.locate(file, line, col)
    assert time.perf_counter() - t0 < BUDGET_S, name
