"""No step named start and none annotated."""

from metaflow import FlowSpec, step


class NoStartFlow(FlowSpec):
    @step
    def begin(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NoStartFlow()
