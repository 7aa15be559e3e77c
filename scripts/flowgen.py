"""Generated flows for the benchmarks, and the statistics that say how real they are.

``realistic_flow`` is the flow the in-process targets are measured on. Its shape is set by
what Metaflow's own flows look like (the tutorials shipped in the package, and the flows of
Metaflow's test suite): about 15-26 lines per step, 28-35 bytes per line and 0.1-0.3
``self.`` per line, with docstrings, comments, blank lines, decorators, parameters, a branch
and a foreach. A larger flow is more of the same blocks, not longer lines.
``scripts/bench_lint.py`` prints these statistics for the generated flows next to the
tutorials', so the comparison can be checked.

``dense_flow`` is the earlier stress shape (long lines, twice the ``self.`` density, steps of
~70 lines at 3,000 lines); it is still measured and printed, without a target.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

_HEAD = '''"""{name}: a generated flow shaped like Metaflow's own examples."""
import random

from metaflow import FlowSpec, Parameter, card, current, resources, retry, step


class {name}(FlowSpec):
    """Scores a batch of items in blocks: prepare, branch, fan out, gather."""

    alpha = Parameter("alpha", default=0.5, help="Learning rate for the scores")
    rounds = Parameter("rounds", default=3, help="How many items to fan out over")

    @step
    def start(self):
        """Load the data and set the counters."""
        self.data = list(range(10))
        self.seen = 0
        self.next(self.{first})
'''

_LINEAR = '''
    @retry(times=2)
    @resources(cpu=2, memory=4000)
    @step
    def prep{b}(self):
        """Prepare block {b}: scale the data by the learning rate.

        Values below zero are dropped first; they come from padding upstream.
        """
        # keep a running total for the report at the end
        total = 0
        kept = [v for v in self.data if v >= 0]
        for v in kept:
            total += v * self.alpha
        if len(kept) < len(self.data):
            print(f"block {b}: dropped {{len(self.data) - len(kept)}} values")

        # a small summary travels with the total, for the card
        summary = {{
            "count": len(kept),
            "total": round(total, 3),
            "mean": total / len(kept) if kept else 0.0,
        }}
        try:
            summary["max"] = max(kept)
        except ValueError:
            summary["max"] = None
        self.total{b} = total
        self.summary{b} = summary
        self.seen += 1
        self.next(self.{nxt})
'''

_BRANCH = '''
    @step
    def split{b}(self):
        """Try two scorings of the same data side by side."""
        # both branches see the same snapshot of the data
        self.snapshot{b} = list(self.data)
        self.next(self.left{b}, self.right{b})

    @step
    def left{b}(self):
        """Score by count, ignoring empty rows."""
        rows = [r for r in self.snapshot{b} if r is not None]
        # an empty block scores zero rather than failing the run
        if not rows:
            print("block {b}: nothing to score on the left")
        score = len(rows)
        self.side{b} = "left"
        self.score{b} = score
        self.next(self.join{b})

    @step
    def right{b}(self):
        """Score by sum, with the same guard as the left side."""
        rows = [r for r in self.snapshot{b} if r is not None]
        if not rows:
            print("block {b}: nothing to score on the right")
        score = sum(rows) / max(len(rows), 1)
        self.side{b} = "right"
        self.score{b} = score
        self.next(self.join{b})

    @card
    @step
    def join{b}(self, inputs):
        """Keep the best score; the sides differ, so they are not merged."""
        scores = sorted(inp.score{b} for inp in inputs)
        self.best{b} = scores[-1]
        print("block {b}: best", self.best{b}, "of", scores)

        self.merge_artifacts(inputs, exclude=["side{b}", "score{b}"])
        self.next(self.{nxt})
'''

_FOREACH = '''
    @step
    def fan{b}(self):
        """Fan out over a few rounds."""
        # one task per round; a round is cheap, so no resources are asked for
        rounds = max(int(self.rounds), 1)
        self.items{b} = list(range(rounds))
        print("block {b}: fanning out over", rounds, "rounds")
        self.next(self.each{b}, foreach="items{b}")

    @resources(memory=8000)
    @step
    def each{b}(self):
        """Score one item with a little noise."""
        rng = random.Random(self.input)
        noise = rng.random() / 10
        weight = 1.0 if self.input % 2 == 0 else 0.5
        # the noise keeps ties apart in the gather step
        self.part{b} = self.input * self.alpha * weight + noise
        print("task", current.task_id, "item", self.input)
        self.next(self.gather{b})

    @step
    def gather{b}(self, inputs):
        """Collect the parts and carry the counters on."""
        parts = [inp.part{b} for inp in inputs]
        self.parts{b} = sorted(parts)
        # every branch saw the same data and counter: take them from the first
        self.data = inputs[0].data
        self.seen = inputs[0].seen
        self.next(self.{nxt})
'''

_TAIL = '''
    @step
    def end(self):
        """Report what was computed."""
        print("seen", self.seen, "items", len(self.data))


if __name__ == "__main__":
    {name}()
'''

_FIRST_STEP = {0: "prep{b}", 1: "split{b}", 2: "fan{b}"}
_BLOCKS = {0: _LINEAR, 1: _BRANCH, 2: _FOREACH}


def _kind(b: int) -> int:
    # mostly linear, with a branch or a foreach every third block (a join is never also a
    # split: Metaflow forbids it)
    return 0 if b % 3 != 2 else (1 if b % 6 == 2 else 2)


def _dense_kind(b: int) -> int:
    return 0 if b % 2 == 0 else (1 if b % 4 == 1 else 2)


def realistic_flow(name: str, target_lines: int) -> str:
    """About ``target_lines`` lines of a flow with the statistics of Metaflow's own flows."""
    tail_lines = _TAIL.count("\n")
    blocks: list[str] = []
    used = _HEAD.count("\n") + tail_lines
    b = 0
    while True:
        size = _BLOCKS[_kind(b)].count("\n")
        if blocks and used + size > target_lines:
            break
        blocks.append("")  # filled below, once the next block's first step is known
        used += size
        b += 1
    out = [_HEAD.format(name=name, first=_FIRST_STEP[_kind(0)].format(b=0))]
    for i in range(b):
        nxt = _FIRST_STEP[_kind(i + 1)].format(b=i + 1) if i + 1 < b else "end"
        out.append(_BLOCKS[_kind(i)].format(b=i, nxt=nxt))
    out.append(_TAIL.format(name=name))
    return "".join(out)


def dense_flow(name: str, target_lines: int) -> str:
    """The stress shape: long lines and twice the ``self.`` density of real flows; large
    flows get ~70-line steps of ``x = f(a, b[i:], {...})`` lines rather than more steps."""
    pad = max(0, (target_lines - 200) // 32)
    head = [
        "from metaflow import FlowSpec, Parameter, card, retry, resources, step",
        "",
        "",
        f"class {name}(FlowSpec):",
        f'    """Generated benchmark flow {name}."""',
        "",
        '    alpha = Parameter("alpha", default=0.5, help="learning rate")',
        '    rounds = Parameter("rounds", default=3)',
        "",
    ]
    body: list[str] = [
        "    @step",
        "    def start(self):",
        '        """Load the data."""',
        "        self.data = list(range(10))",
        "        self.seen = 0",
    ]

    def add_next(target: str, extra: str = "") -> None:
        body.append(f"        self.next(self.{target}{extra})")

    block = 0
    while len(head) + len(body) < target_lines - 25:
        b = block
        block += 1
        kind = _dense_kind(b)
        if kind == 0:
            add_next(f"prep{b}")
            body += [
                "",
                "    @retry(times=2)",
                "    @resources(cpu=2, memory=4000)",
                "    @step",
                f"    def prep{b}(self):",
                f'        """Prepare block {b}."""',
                "        total = 0",
                "        for v in self.data:",
                "            total += v * self.alpha",
                f"        self.total{b} = total",
                "        self.seen += 1",
            ]
            for k in range(0, pad, 2):
                body += [
                    f"        frame_{k} = self.data[{k % 5}:] + [self.seen]",
                    f"        if len(frame_{k}) > {k % 7}:",
                    f"            self.total{b} += len(frame_{k}) * self.alpha",
                    f'        stats_{k} = {{"k": {k}, "n": len(frame_{k}), "alpha": self.alpha}}',
                    f"        print(f\"block {b}.{k}: {{stats_{k}['n']}}\", sum(v for v in frame_{k}))",
                ]
        elif kind == 1:
            add_next(f"left{b}", f", self.right{b}")
            body += [
                "",
                "    @step",
                f"    def left{b}(self):",
                f"        self.side{b} = 'left'",
                f"        self.score{b} = len(self.data)",
                f"        self.next(self.join{b})",
                "",
                "    @step",
                f"    def right{b}(self):",
                f"        self.side{b} = 'right'",
                f"        self.score{b} = sum(self.data)",
                f"        self.next(self.join{b})",
                "",
                "    @card",
                "    @step",
                f"    def join{b}(self, inputs):",
                f"        self.best{b} = max(inp.score{b} for inp in inputs)",
                "        self.merge_artifacts(inputs, exclude=[" + f"'side{b}', 'score{b}'" + "])",
            ]
        else:
            body.append(f"        self.items{b} = list(range(self.rounds))")
            add_next(f"each{b}", f', foreach="items{b}"')
            body += [
                "",
                "    @step",
                f"    def each{b}(self):",
                f"        self.part{b} = self.input * self.alpha",
                f"        self.next(self.gather{b})",
                "",
                "    @step",
                f"    def gather{b}(self, inputs):",
                f"        self.parts{b} = [inp.part{b} for inp in inputs]",
                "        self.data = inputs[0].data",
                "        self.seen = inputs[0].seen",
            ]
    add_next("end")
    body += [
        "",
        "    @step",
        "    def end(self):",
        '        """Report."""',
        "        print(self.seen, len(self.data))",
        "",
        "",
        'if __name__ == "__main__":',
        f"    {name}()",
    ]
    return "\n".join(head + body) + "\n"


def stats(texts: list[str]) -> str:
    """``lines, bytes/line, lines/step, self./line`` of some flow files, for the printout."""
    lines = sum(t.count("\n") for t in texts) or 1
    size = sum(len(t.encode()) for t in texts)
    steps = sum(len(re.findall(r"@step\b", t)) for t in texts) or 1
    selfs = sum(t.count("self.") for t in texts)
    return (
        f"{lines} lines, {size / lines:.0f} B/line, {lines / steps:.0f} lines/step, "
        f"{selfs / lines:.2f} self./line"
    )


def tutorial_texts() -> list[str]:
    """The flows of the tutorials shipped in the installed metaflow package (real code)."""
    spec = importlib.util.find_spec("metaflow")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("tutorials/*/*.py"))]
    return [t for t in texts if "@step" in t]
