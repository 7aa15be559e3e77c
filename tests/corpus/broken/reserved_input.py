"""A step named `input`, a reserved word."""

from metaflow import FlowSpec, step


class ReservedInputFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.input)

    @step
    def input(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ReservedInputFlow()
