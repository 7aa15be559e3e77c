"""One branch of a fan-out holds a switch; both cases reach the join through a step."""

from metaflow import FlowSpec, step


class SwitchInBranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.decide, self.plain)

    @step
    def decide(self):
        self.route = "x"
        self.next({"x": self.via_x, "y": self.via_y}, condition="route")

    @step
    def via_x(self):
        self.next(self.join)

    @step
    def via_y(self):
        self.next(self.join)

    @step
    def plain(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchInBranchFlow()
