"""Steps inherited from a FlowSpec base class in the same file."""

from metaflow import FlowSpec, step


class BaseFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.process)

    @step
    def end(self):
        pass


class ChildFlow(BaseFlow):
    @step
    def process(self):
        self.next(self.end)


if __name__ == "__main__":
    ChildFlow()
