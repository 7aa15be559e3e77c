"""Seeded random mutations of corpus flows, for the oracle to judge.

Why: a hand-written corpus only holds the mistakes we thought of. Small random edits of real
flows (a retargeted or dropped ``self.next``, an added ``inputs``, a stray ``@parallel``, a
one-case switch, …) combine into shapes nobody writes on purpose, which is where a mirror of
Metaflow's checks and Metaflow itself drift apart. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

_NEXT = re.compile(r"self\.next\(self\.(\w+)\)")


class _Mutator:
    def __init__(self, text: str, rng: random.Random) -> None:
        self.lines = text.splitlines()
        self.rng = rng
        self.steps = re.findall(r"def (\w+)\(self", text)

    def _indent(self, i: int) -> str:
        line = self.lines[i]
        return line[: len(line) - len(line.lstrip())]

    def _next_lines(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if "self.next(" in line]

    def _def_lines(self) -> list[int]:
        return [
            i
            for i, line in enumerate(self.lines)
            if re.match(r"\s+def \w+\(self", line)
            and any("step" in p for p in self.lines[max(0, i - 4) : i])
        ]

    def _step_deco_lines(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if line.strip() in ("@step", "@mf.step")]

    def _pick(self, idx: list[int]) -> int | None:
        return self.rng.choice(idx) if idx else None

    # -- mutations -------------------------------------------------------------------------
    def retarget(self) -> None:
        i = self._pick(self._next_lines())
        if i is not None and self.steps:
            targets = re.findall(r"self\.(\w+)", self.lines[i])[1:]
            if targets:
                t = self.rng.choice(targets)
                self.lines[i] = self.lines[i].replace(
                    "self." + t, "self." + self.rng.choice(self.steps), 1
                )

    def drop_next(self) -> None:
        i = self._pick(self._next_lines())
        if i is not None and self.lines[i].rstrip().endswith(")"):
            self.lines[i] = self._indent(i) + "pass"

    def add_inputs(self) -> None:
        i = self._pick(self._def_lines())
        if i is not None:
            self.lines[i] = self.lines[i].replace("(self)", "(self, inputs)")

    def remove_inputs(self) -> None:
        i = self._pick(self._def_lines())
        if i is not None:
            self.lines[i] = self.lines[i].replace("(self, inputs)", "(self)")

    def add_parallel(self) -> None:
        i = self._pick(self._step_deco_lines())
        if i is not None:
            self.lines.insert(i, self._indent(i) + "@parallel")
            self.lines.insert(0, "from metaflow import parallel")

    def to_num_parallel(self) -> None:
        i = self._pick(self._next_lines())
        if i is None:
            return
        line = self.lines[i]
        if "foreach=" in line:
            self.lines[i] = re.sub(r"foreach=[^)]*", "num_parallel=2", line)
        elif line.rstrip().endswith(")") and "{" not in line:
            self.lines[i] = line.rstrip()[:-1] + ", num_parallel=2)"

    def extra_target(self) -> None:
        i = self._pick(self._next_lines())
        line = self.lines[i] if i is not None else ""
        simple = line.rstrip().endswith(")") and "{" not in line and "=" not in line
        if i is not None and self.steps and simple:
            self.lines[i] = line.rstrip()[:-1] + ", self." + self.rng.choice(self.steps) + ")"

    def rename_def(self) -> None:
        i = self._pick(self._def_lines())
        if i is not None:
            self.lines[i] = re.sub(r"def (\w+)", lambda m: f"def {m.group(1)}_x", self.lines[i])

    def unknown_target(self) -> None:
        i = self._pick(self._next_lines())
        if i is not None:
            self.lines[i] = re.sub(r"self\.(\w+)\)", r"self.\1zz)", self.lines[i], count=1)

    def duplicate_target(self) -> None:
        i = self._pick(self._next_lines())
        m = _NEXT.search(self.lines[i]) if i is not None else None
        if i is not None and m:
            t = m.group(1)
            self.lines[i] = self.lines[i].replace(m.group(0), f"self.next(self.{t}, self.{t})")

    def reserved_name(self) -> None:
        # A step in a mixin listed after FlowSpec would be shadowed by FlowSpec's own
        # attribute of that name (a Python MRO subtlety, not a lint question): skip mixins.
        if any("Mixin" in line for line in self.lines):
            return
        i = self._pick(self._def_lines())
        if i is not None:
            word = self.rng.choice(["input", "index", "name", "cmd"])
            self.lines[i] = re.sub(r"def (\w+)", "def " + word, self.lines[i])

    def bad_name(self) -> None:
        i = self._pick(self._def_lines())
        if i is not None:
            self.lines[i] = re.sub(
                r"def (\w+)", lambda m: "def " + m.group(1).capitalize(), self.lines[i]
            )

    def no_self(self) -> None:
        i = self._pick(self._def_lines())
        if i is not None:
            self.lines[i] = (
                self.lines[i].replace("(self, inputs)", "(inputs)").replace("(self)", "()")
            )

    def extra_params(self) -> None:
        i = self._pick(self._def_lines())
        if i is not None:
            self.lines[i] = self.lines[i].replace("(self", "(self, a, b", 1)

    def next_in_if(self) -> None:
        i = self._pick(self._next_lines())
        if i is not None and self.lines[i].rstrip().endswith(")"):
            self.lines[i : i + 1] = [self._indent(i) + "if True:", "    " + self.lines[i]]

    def end_with_next(self) -> None:
        for i, line in enumerate(self.lines):
            if re.match(r"\s+def end\(self", line) and self.steps:
                self.lines.insert(i + 1, f"        self.next(self.{self.rng.choice(self.steps)})")
                return

    def annotate(self) -> None:
        i = self._pick(self._step_deco_lines())
        if i is not None:
            which = self.rng.choice(["start=True", "end=True"])
            self.lines[i] = self.lines[i].replace("step", f"step({which})", 1)

    def one_case_switch(self) -> None:
        i = self._pick(self._next_lines())
        if i is not None:
            self.lines[i] = re.sub(r"\{([^:{}]+: self\.\w+), [^{}]*\}", r"{\1}", self.lines[i])

    def variable_switch_key(self) -> None:
        i = self._pick(self._next_lines())
        if i is not None:
            self.lines[i] = re.sub(r"\{\"(\w+)\"", r"{\1", self.lines[i])

    def to_switch(self) -> None:
        i = self._pick(self._next_lines())
        m = _NEXT.search(self.lines[i]) if i is not None else None
        if i is not None and m and self.steps:
            other = self.rng.choice(self.steps)
            self.lines[i] = self.lines[i].replace(
                m.group(0),
                f'self.next({{"a": self.{m.group(1)}, "b": self.{other}}}, condition="c")',
            )

    def to_foreach(self) -> None:
        i = self._pick(self._next_lines())
        m = _NEXT.search(self.lines[i]) if i is not None else None
        if i is not None and m:
            self.lines[i] = self.lines[i].replace(
                m.group(0), f'self.next(self.{m.group(1)}, foreach="xs")'
            )

    def mutations(self) -> list[Callable[[], None]]:
        return [
            getattr(self, n)
            for n in dir(self)
            if not n.startswith("_") and n not in ("mutations", "lines", "rng", "steps")
        ]


def mutants(sources: list[Path], seed: int, count: int) -> list[tuple[str, str]]:
    """``count`` (name, text) mutants of ``sources``, each with 1–5 random edits."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        src = rng.choice(sources)
        text = src.read_text(encoding="utf-8")
        for _ in range(rng.randint(1, 5)):
            m = _Mutator(text, rng)
            rng.choice(m.mutations())()
            text = "\n".join(m.lines) + "\n"
        out.append((f"m{seed}_{k:03d}_{src.stem}", text))
    return out
