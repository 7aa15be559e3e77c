"""A switch whose condition is a variable instead of a string literal."""

from metaflow import FlowSpec, step

COND = "mode"


class SwitchConditionFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next({"a": self.a, "b": self.b}, condition=COND)

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchConditionFlow()
