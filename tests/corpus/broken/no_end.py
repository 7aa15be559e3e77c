"""No end step: the last step is called finish but not annotated."""

from metaflow import FlowSpec, step


class NoEndFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.finish)

    @step
    def finish(self):
        pass


if __name__ == "__main__":
    NoEndFlow()
