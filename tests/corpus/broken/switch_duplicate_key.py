"""A switch whose duplicate keys collapse to one case, inside a branch."""

from metaflow import FlowSpec, step


class DuplicateKeySwitchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.route, self.other)

    @step
    def route(self):
        self.kind = "x"
        self.next({"x": self.p, "x": self.q}, condition="kind")  # noqa: F601

    @step
    def p(self):
        self.next(self.join)

    @step
    def q(self):
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
    DuplicateKeySwitchFlow()
