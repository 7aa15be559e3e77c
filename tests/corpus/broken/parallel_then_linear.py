"""A @parallel step followed by a non-join step."""

from metaflow import FlowSpec, parallel, step


class ParallelLinearFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.next(self.evaluate)

    @step
    def evaluate(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelLinearFlow()
