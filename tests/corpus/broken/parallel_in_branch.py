"""A @parallel step as one branch of a static split."""

from metaflow import FlowSpec, parallel, step


class ParallelBranchCallFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, self.other)

    @parallel
    @step
    def train(self):
        self.next(self.join)

    @step
    def other(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelBranchCallFlow()
