"""Inside a branch, a foreach goes straight into a join."""

from metaflow import FlowSpec, step


class EmptyForeachBranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.fan, self.other)

    @step
    def fan(self):
        self.shards = ["s1", "s2"]
        self.next(self.gather, foreach="shards")

    @step
    def gather(self, inputs):
        self.next(self.join)

    @step
    def other(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    EmptyForeachBranchFlow()
