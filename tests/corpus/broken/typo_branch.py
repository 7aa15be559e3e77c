"""Two unknown targets in a multi-line fan-out."""

from metaflow import FlowSpec, step


class TypoBranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.bb)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.joint)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TypoBranchFlow()
