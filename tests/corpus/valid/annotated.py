"""Start and end chosen by annotation instead of by name."""

from metaflow import FlowSpec, step


class AnnotatedFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.next(self.work)

    @step
    def work(self):
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        pass


if __name__ == "__main__":
    AnnotatedFlow()
