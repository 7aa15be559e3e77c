"""No false alarms from the dataflow rules, and one mistake never hides the others (issue 11,
items 4, 5, 6, 8, 10 and 11).

Where Metaflow can say what it does, it is asked: ``python flow.py check`` for the graph
checks, a real local ``run`` (a couple of seconds each) for what only a run shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from metaflow_expert.lint.engine import analyze_text


def codes(src: str, catalog) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    analysis = analyze_text(textwrap.dedent(src), "flow.py", catalog=catalog)
    return [(f.code, f.line1, f.message) for f in analysis.findings]


def line_of(src: str, needle: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line of ``src`` (dedented) containing ``needle``."""
    lines = textwrap.dedent(src).splitlines()
    return [i + 1 for i, ln in enumerate(lines) if needle in ln][nth]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.update(
        # a @parallel step's workers are started as ``python flow.py step …``: the python
        # found first on PATH must be the one with Metaflow
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        HOME=str(tmp / "home"),
        METAFLOW_HOME=str(tmp / "mfhome"),
        USERNAME="tester",
        USER="tester",
        METAFLOW_DEFAULT_DATASTORE="local",
        METAFLOW_DEFAULT_METADATA="local",
        METAFLOW_DATASTORE_SYSROOT_LOCAL=str(tmp / "datastore"),
    )
    (tmp / "home").mkdir(exist_ok=True)
    (tmp / "mfhome").mkdir(exist_ok=True)
    return env


def metaflow(tmp: Path, src: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python flow.py <args>`` with a private local datastore."""
    pytest.importorskip("metaflow")
    path = tmp / "flow.py"
    path.write_text(textwrap.dedent(src))
    return subprocess.run(
        [sys.executable, str(path), *args],
        capture_output=True,
        text=True,
        cwd=tmp,
        env=_env(tmp),
        timeout=120,
    )


# --- item 10: a typo in one transition does not hide an artifact typo after it -----------

TRANSITION_AND_ARTIFACT_TYPO = """
from metaflow import FlowSpec, step


class TypoFlow(FlowSpec):
    @step
    def start(self):
        self.model = 1
        self.next(self.trian)

    @step
    def train(self):
        self.next(self.a)

    @step
    def a(self):
        self.next(self.b)

    @step
    def b(self):
        print(self.modle)
        self.next(self.end)

    @step
    def end(self):
        print(self.model)


if __name__ == "__main__":
    TypoFlow()
"""


def test_unknown_transition_does_not_hide_an_artifact_typo(catalog) -> None:
    found = codes(TRANSITION_AND_ARTIFACT_TYPO, catalog)
    assert [line for c, line, _ in found if c == "MF110"] == [
        line_of(TRANSITION_AND_ARTIFACT_TYPO, "self.trian")
    ]
    (typo,) = [f for f in found if f[0] == "MF203"]
    assert (
        typo[1] == line_of(TRANSITION_AND_ARTIFACT_TYPO, "self.modle")
        and "*modle*" in typo[2]
        and "*model*" in typo[2]
    )
    # what the broken step hands on still counts: self.model in end is not reported
    assert [f for f in found if f[0] == "MF203" and "*model*" in f[2].split("Did")[0]] == []


def test_missing_transition_does_not_hide_the_steps_after_it(catalog) -> None:
    src = TRANSITION_AND_ARTIFACT_TYPO.replace("        self.next(self.trian)\n", "")
    found = codes(src, catalog)
    assert any(c == "MF108" for c, _, _ in found)
    assert [line for c, line, _ in found if c == "MF203"] == [line_of(src, "self.modle")]


def test_a_broken_branch_hands_its_artifacts_on(catalog) -> None:
    """The step after a typo may be reached from the broken step: no 'never assigned'."""
    src = """
    from metaflow import FlowSpec, step


    class F(FlowSpec):
        @step
        def start(self):
            self.next(self.a, self.b)

        @step
        def a(self):
            self.from_a = 1
            self.next(self.jion)

        @step
        def b(self):
            self.next(self.join)

        @step
        def join(self, inputs):
            self.merge_artifacts(inputs)
            self.next(self.end)

        @step
        def end(self):
            print(self.from_a)
    """
    found = codes(src, catalog)
    assert [c for c, _, _ in found if c.startswith("MF2")] == []
    assert [c for c, _, _ in found if c == "MF110"] == ["MF110"]


def test_transition_typo_matches_metaflow(tmp_path: Path) -> None:
    r = metaflow(tmp_path, TRANSITION_AND_ARTIFACT_TYPO, "check")
    assert r.returncode != 0
    assert "unknown step, trian" in r.stdout + r.stderr


# --- item 6: guarded reads -----------------------------------------------------------------

GUARDED = """
import contextlib

from metaflow import FlowSpec, step


class GuardFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = 1
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        try:
            print(self.x)
        except AttributeError:
            pass
        self.next(self.end)

    @step
    def end(self):
        try:
            print(self.x)
        except AttributeError:
            pass
        try:
            print(self.never)
        except (KeyError, AttributeError):
            pass
        try:
            print(self.never2)
        except Exception:
            pass
        try:
            print(self.never3)
        except:
            pass
        with contextlib.suppress(AttributeError):
            print(self.never6)
        print(getattr(self, "never4", None))
        if hasattr(self, "never5"):
            print(self.never5)
        try:
            print(self.unguarded)
        except KeyError:
            pass


if __name__ == "__main__":
    GuardFlow()
"""


def test_guarded_reads_are_not_flagged(catalog) -> None:
    found = codes(GUARDED, catalog)
    flagged = [(c, line) for c, line, _ in found if c in ("MF203", "MF205", "MF217")]
    # only the read whose handler does not catch AttributeError
    assert flagged == [("MF203", line_of(GUARDED, "self.unguarded"))]


def test_guarded_reads_run(tmp_path: Path) -> None:
    """Metaflow runs the flow: each guarded read fails and is caught, as the code intends."""
    src = GUARDED.replace("        try:\n            print(self.unguarded)\n", "").replace(
        "        except KeyError:\n            pass\n\n\nif", "\n\nif"
    )
    assert "unguarded" not in src
    r = metaflow(tmp_path, src, "run")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


def test_guarded_reads_in_a_file_python_cannot_parse(catalog) -> None:
    """A syntax error elsewhere: the step is read on its own, its guards still count."""
    src = GUARDED.replace("    def b(self):\n", "    def b(self):\n        x = (\n")
    found = codes(src, catalog)
    assert any(c == "MF001" for c, _, _ in found)
    assert [line for c, line, _ in found if c == "MF203"] == [line_of(src, "self.unguarded")]


# --- item 4: merge_artifacts(exclude=[...]) carried through nested joins ---------------------

NESTED = """
from metaflow import FlowSpec, step


class NestedFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.a, foreach="items")

    @step
    def a(self):
        self.next(self.a1, self.a2)

    @step
    def a1(self):
        self.tmp = 1
        self.next(self.ajoin)

    @step
    def a2(self):
        self.tmp = 2
        self.next(self.ajoin)

    @step
    def ajoin(self, inputs):
        self.merge_artifacts(inputs, exclude=["tmp"])
        self.next(self.join)

    @step
    def join(self, inputs):
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NestedFlow()
"""


def test_inner_exclude_reaches_the_outer_join(catalog) -> None:
    assert [c for c, _, _ in codes(NESTED, catalog) if c == "MF205"] == []
    # without the exclude, both joins are told
    kept = NESTED.replace('exclude=["tmp"]', 'exclude=["other"]')
    assert [line for c, line, _ in codes(kept, catalog) if c == "MF205"] == [
        line_of(kept, "merge_artifacts"),
        line_of(kept, "merge_artifacts", 1),
    ]


def test_inner_exclude_runs(tmp_path: Path) -> None:
    r = metaflow(tmp_path, NESTED, "run")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


# --- item 5: @parallel gangs ---------------------------------------------------------------

GANG = """
from metaflow import FlowSpec, current, parallel, step


class GangFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.rank = current.parallel.node_index
        self.next(self.join)

    @step
    def join(self, inputs):
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.rank)


if __name__ == "__main__":
    GangFlow()
"""

CONTROL_ONLY = GANG.replace(
    "        self.rank = current.parallel.node_index\n",
    "        if current.parallel.node_index == 0:\n            self.rank = 0\n",
)


def test_gang_join_warning_names_the_gang(catalog) -> None:
    (f,) = [m for c, _, m in codes(GANG, catalog) if c == "MF205"]
    assert "parallel gang" in f and "foreach" not in f


def test_gang_join_really_fails_on_differing_values(tmp_path: Path) -> None:
    """Every task of the gang reaches the join (the control task lists them all in
    ``_control_mapper_tasks``, metaflow/plugins/parallel_decorator.py), so the warning is
    right: Metaflow fails the join."""
    r = metaflow(tmp_path, GANG, "run")
    assert r.returncode != 0
    assert "conflicting values" in r.stdout + r.stderr


def test_gang_of_an_unknown_parallel_decorator_is_not_judged(catalog) -> None:
    """``@metaflow_ray`` (an extension, not installed here) gives worker tasks a Ray node to
    run instead of the body (``task_decorate`` in metaflow_extensions/ray/plugins/
    ray_decorator.py returns ``worker_task_function``): only the control task assigns."""
    src = GANG.replace("parallel, step", "metaflow_ray, step").replace(
        "    @parallel\n", "    @metaflow_ray\n"
    )
    assert "@metaflow_ray" in src
    assert [c for c, _, _ in codes(src, catalog) if c == "MF205"] == []


def test_control_task_only_write_is_not_a_conflict(catalog, tmp_path: Path) -> None:
    assert [c for c, _, _ in codes(CONTROL_ONLY, catalog) if c == "MF205"] == []
    r = metaflow(tmp_path, CONTROL_ONLY, "run")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


# --- item 8: a base class without steps ------------------------------------------------------

BASE = """
from metaflow import FlowSpec


class Base(FlowSpec):
    def helper(self):
        return 1
"""

CHILD = """
from metaflow import step

from base import Base


class ChildFlow(Base):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ChildFlow()
"""


def test_base_without_steps_is_not_a_flow(catalog, tmp_path: Path) -> None:
    assert codes(BASE, catalog) == []
    # Metaflow: importing the base runs nothing; the child that uses it checks clean
    (tmp_path / "base.py").write_text(textwrap.dedent(BASE))
    r = metaflow(tmp_path, CHILD, "check")
    assert r.returncode == 0, r.stdout + r.stderr
    run_base = subprocess.run(
        [sys.executable, str(tmp_path / "base.py")], capture_output=True, text=True, timeout=60
    )
    assert run_base.returncode == 0 and run_base.stdout == ""


def test_base_without_steps_run_as_main_is_checked(catalog, tmp_path: Path) -> None:
    src = BASE + '\n\nif __name__ == "__main__":\n    Base()\n'
    found = [c for c, _, _ in codes(src, catalog)]
    assert found == ["MF102", "MF102"]
    r = metaflow(tmp_path, src, "check")
    assert r.returncode != 0 and "exactly one start step" in r.stdout + r.stderr


# --- item 10: every prefix of the bundled examples, as a user types them ---------------------

EXAMPLES = sorted(
    (Path(__file__).parents[2] / "server" / "metaflow_expert" / "examples").glob("*.py")
)


def _with_typo(path: Path) -> tuple[str, int]:
    """The example with ``print(self.zzz_typo)`` as the first statement of its second step,
    and the 0-based line of that read."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    defs = [i for i, ln in enumerate(lines) if ln.startswith("    def ")]
    at = defs[1] + 1
    lines.insert(at, "        print(self.zzz_typo)\n")
    return "".join(lines), at


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_typo_survives_every_prefix(path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    text, at = _with_typo(path)
    first = sum(len(ln) for ln in text.splitlines(keepends=True)[: at + 1])
    # every character of the typo's own step (the next ~200), then every 7th
    cuts = sorted({*range(first, first + 200), *range(first, len(text) + 1, 7), len(text)})
    missed = []
    for cut in cuts:
        # cuts inside the typo's own step too: a syntax error costs only its own statement
        analysis = analyze_text(text[:cut], "flow.py", catalog=catalog)
        if not any(f.code == "MF203" and f.span.start_line == at for f in analysis.findings):
            missed.append(repr(text[max(first, cut - 30) : cut]))
    assert missed == [] and len(cuts) > 20
