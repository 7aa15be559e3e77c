"""An annotated end step and a step named end."""

from metaflow import FlowSpec, step


class EndConflictFlow(FlowSpec):
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
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        self.next(self.wrap_up)

    @step(end=True)
    def wrap_up(self):
        pass


if __name__ == "__main__":
    EndConflictFlow()
