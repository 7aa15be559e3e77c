"""Artifact accesses inside step bodies."""

from __future__ import annotations

from .helpers import parse, step, text_at

SRC = """
from metaflow import FlowSpec, step

class X(FlowSpec):
    @step
    def start(self):
        self.a = 1
        self.b, (self.c, *self.d) = f()
        [self.e] = g()
        for self.f in range(3):
            pass
        with open("x") as self.g:
            pass
        self.h += 1
        del self.i, self.j
        setattr(self, "k", 1)
        getattr(self, "l")
        delattr(self, "m")
        print(self.n.o, self.p[0], self.method())
        self.q.append(1)
        helper = lambda: self.r
        xs = [self.s for _ in range(2)]
        self.input; self.index
        self.merge_artifacts(inputs)
        self.t = self.u = 0
        self.next(self.end, foreach="a")

    @step
    def end(self):
        self.input = 3
        self.index = 4
"""


def test_accesses() -> None:
    ff = parse(SRC)
    s = ff.flows[0].steps["start"]
    got = [(a.name, a.kind, a.via) for a in s.artifacts]
    assert got == [
        ("a", "write", "attr"),
        ("b", "write", "attr"),
        ("c", "write", "attr"),
        ("d", "write", "attr"),
        ("e", "write", "attr"),
        ("f", "write", "attr"),
        ("g", "write", "attr"),
        ("h", "read", "augassign"),
        ("h", "write", "augassign"),
        ("i", "delete", "attr"),
        ("j", "delete", "attr"),
        ("k", "write", "setattr"),
        ("l", "read", "getattr"),
        ("m", "delete", "delattr"),
        ("n", "read", "attr"),
        ("p", "read", "attr"),
        ("q", "read", "attr"),
        ("r", "read", "attr"),
        ("s", "read", "attr"),
        ("t", "write", "attr"),
        ("u", "write", "attr"),
    ]
    assert len(s.uses_input) == 1 and len(s.uses_index) == 1
    assert [c.name for c in s.merge_artifacts_calls] == ["merge_artifacts"]
    assert s.non_tail_next_calls == []
    assert text_at(ff, s.artifacts[0].span) == "self.a"
    # every write is offered to the rules as a possible reserved-name write
    end = ff.flows[0].steps["end"]
    assert [a.name for a in end.assigns_reserved] == ["input", "index"]


def test_join_inputs() -> None:
    s = step(
        """
        from metaflow import FlowSpec, step

        class X(FlowSpec):
            @step
            def join(self, inputs):
                self.x = max(inp.score for inp in inputs)
                self.y = inputs.train.model
                self.z = inputs[0].w
                for branch in inputs:
                    print(branch.v, branch.method())
                self.merge_artifacts(inputs, exclude=["q"])
                self.next(self.end)
        """,
        "join",
    )
    reads = [(a.name, a.via) for a in s.artifacts if a.kind == "read"]
    assert reads == [("score", "input"), ("model", "input"), ("w", "input"), ("v", "input")]
    assert len(s.uses_inputs_param) == 5
    (m,) = s.merge_artifacts_calls
    assert m.args[1].name == "exclude" and m.args[1].value == ["q"]


def test_accesses_outside_steps_are_ignored() -> None:
    s = step(
        """
        from metaflow import FlowSpec, step

        class X(FlowSpec):
            def helper(self):
                self.nope = 1

            @step
            def start(self):
                def inner():
                    self.yes = 1
                self.next(self.end)
        """,
        "start",
    )
    assert [a.name for a in s.artifacts] == ["yes"]
