"""A static split inside each foreach task."""

from metaflow import FlowSpec, step


class ForeachBranchFlow(FlowSpec):
    @step
    def start(self):
        self.items = ["p", "q"]
        self.next(self.fan, foreach="items")

    @step
    def fan(self):
        self.next(self.left, self.right)

    @step
    def left(self):
        self.next(self.inner_join)

    @step
    def right(self):
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachBranchFlow()
