"""``self.next(self.`` ranks the steps this step may legally go to first (issue 14, item 6)."""

from __future__ import annotations

from metaflow_expert.explain import completions
from metaflow_expert.parsing import parse_flow_file

FLOW = """from metaflow import FlowSpec, step


class F(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self):
        self.next(self.
"""

SWITCH_TAIL = 'self.next({"x": self.a, "y": self.end}, condition="c")\n\n    @step\n    def end(self):\n        pass\n'


def _items(text: str, needle: str) -> list[completions.Item]:
    m = parse_flow_file(text, "<memory>")
    idx = text.rindex(needle) + len(needle)
    line = text.count("\n", 0, idx)
    col = idx - (text.rfind("\n", 0, idx) + 1)
    return completions.complete(m, line, col, None)


def _ranked(items: list[completions.Item]) -> list[str]:
    return [i.label for i in sorted(items, key=lambda i: i.sort)]


def test_start_and_the_step_itself_rank_last():
    text = FLOW + "\n    @step\n    def end(self):\n        pass\n"
    items = _items(text, "self.next(self.")
    assert _ranked(items) == ["end", "a", "start"]
    assert [i.label for i in items if i.preselect] == ["end"]


def test_a_switch_may_go_back_to_itself():
    text = FLOW.replace("self.next(self.\n", SWITCH_TAIL)
    needle = '{"x": self.'
    items = _items(text, needle)
    assert _ranked(items)[:2] == ["a", "end"] and _ranked(items)[-1] == "start"
