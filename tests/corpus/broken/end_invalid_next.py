"""The annotated end step ends with an invalid self.next()."""

from metaflow import FlowSpec, step


class EndInvalidNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.last)

    @step(end=True)
    def last(self):
        self.next()


if __name__ == "__main__":
    EndInvalidNextFlow()
