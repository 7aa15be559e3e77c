"""A @parallel step reached by a plain transition."""

from metaflow import FlowSpec, parallel, step


class ParallelLinearCallFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @parallel
    @step
    def train(self):
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelLinearCallFlow()
