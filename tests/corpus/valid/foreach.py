"""A foreach over a list, joined."""

from metaflow import FlowSpec, step


class ForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = ["x", "y", "z"]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.out = self.input.upper()
        self.next(self.join)

    @step
    def join(self, inputs):
        self.outs = [i.out for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachFlow()
