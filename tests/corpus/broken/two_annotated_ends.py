"""Two steps annotated as end after a branch."""

from metaflow import FlowSpec, step


class TwoEndsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.done_a)

    @step(end=True)
    def done_a(self):
        pass

    @step(end=True)
    def done_b(self):
        pass


if __name__ == "__main__":
    TwoEndsFlow()
