"""A step nothing transitions to."""

from metaflow import FlowSpec, step


class OrphanFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def forgotten(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    OrphanFlow()
