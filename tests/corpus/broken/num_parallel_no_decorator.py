"""num_parallel to a step without @parallel."""

from metaflow import FlowSpec, step


class NoParallelDecoratorFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

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
    NoParallelDecoratorFlow()
