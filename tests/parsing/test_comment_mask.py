"""``mask_comment_runs`` finds runs from the ``#`` bytes; the line-start pattern it replaced
(slower: it is tried at every byte) is the oracle here, on the test files and on random mixes
of comment, blank, code and string lines."""

from __future__ import annotations

import bisect
import random
import re
from pathlib import Path

from metaflow_expert.parsing import segments
from metaflow_expert.parsing.source import SourceText

_RUN = re.compile(rb"(?:^[ \t]*(?:#[^\n]*)?\r?\n){%d,}" % segments.COMMENT_RUN, re.M)


def _by_pattern(data: bytes, lines: list[str]) -> bytes:
    runs = [m for m in _RUN.finditer(data) if b"#" in m.group()]
    if not runs:
        return data
    states = segments.scan(lines)
    out = bytearray(data)
    offsets = [0]
    for line in data.split(b"\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    for m in runs:
        row, pos = bisect.bisect_right(offsets, m.start()) - 1, m.start()
        while pos < m.end() and row < len(offsets) - 1:
            end = offsets[row + 1] - 1
            if (row >= len(states) or not states[row].in_string) and b"#" in data[pos:end]:
                out[pos:end] = b" " * (end - pos)
            pos = end + 1
            row += 1
    return bytes(out)


PIECES = ["# c", "   # indented", "", "   ", "\t", "x = 1", "    y = '#'", "z = 1  # trailing"]
PIECES += ['"""', "  #", "\r", "# c\r", "def f():", "    pass", "s = '''", "#" * 40]


def _texts() -> list[str]:
    here = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(here.rglob("*.py"))]
    rng = random.Random(5)
    for _ in range(1500):
        weights = [rng.random() for _ in PIECES]
        parts = rng.choices(PIECES, weights, k=rng.randrange(1, 120))
        if rng.random() < 0.5:  # a run of comment and blank lines near the threshold
            run = rng.choices(PIECES[:5] + PIECES[9:12], k=rng.randrange(25, 40))
            at = rng.randrange(len(parts) + 1)
            parts[at:at] = run
        body = "\n".join(parts)
        texts.append(body + rng.choice(["", "\n", "# end", "\n\n"]))
    return texts


def test_mask_matches_line_pattern() -> None:
    masked = 0
    for text in _texts():
        src = SourceText.of(text)
        got = segments.mask_comment_runs(src.data, src.lines)
        assert got == _by_pattern(src.data, src.lines), text[:300]
        masked += got != src.data
    assert masked > 50  # the random mixes do produce runs
