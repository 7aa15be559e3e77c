"""A switch case that goes directly to a join step."""

from metaflow import FlowSpec, step


class SwitchJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.route, self.other)

    @step
    def route(self):
        self.kind = "a"
        self.next({"a": self.work, "b": self.join}, condition="kind")

    @step
    def work(self):
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
    SwitchJoinFlow()
