"""A join step with no split before it."""

from metaflow import FlowSpec, step


class JoinNoSplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.merge)

    @step
    def merge(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    JoinNoSplitFlow()
