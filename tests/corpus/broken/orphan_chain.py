"""A chain of two unreachable steps beside a branch."""

from metaflow import FlowSpec, step


class OrphanChainFlow(FlowSpec):
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
    def old_one(self):
        self.next(self.old_two)

    @step
    def old_two(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    OrphanChainFlow()
