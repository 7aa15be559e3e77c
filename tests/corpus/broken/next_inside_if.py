"""self.next() inside an if is not a transition."""

from metaflow import FlowSpec, Parameter, step


class NextInIfFlow(FlowSpec):
    fast = Parameter("fast", default=True)

    @step
    def start(self):
        if self.fast:
            self.next(self.end)
        else:
            self.next(self.slow)

    @step
    def slow(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NextInIfFlow()
