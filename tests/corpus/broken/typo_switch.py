"""A switch case naming a step that does not exist."""

from metaflow import FlowSpec, step


class TypoSwitchFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next({"a": self.path_a, "b": self.path_bee}, condition="mode")

    @step
    def path_a(self):
        self.next(self.end)

    @step
    def path_b(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TypoSwitchFlow()
