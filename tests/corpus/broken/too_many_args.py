"""A join step with an extra parameter."""

from metaflow import FlowSpec, step


class TooManyArgsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs, extra):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TooManyArgsFlow()
