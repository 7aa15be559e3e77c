"""Inside a foreach, both switch cases go straight to the join."""

from metaflow import FlowSpec, step


class ForeachSwitchJoinFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.route, foreach="items")

    @step
    def route(self):
        self.kind = "even" if self.input % 2 == 0 else "odd"
        self.next({"even": self.join, "odd": self.join}, condition="kind")

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachSwitchJoinFlow()
