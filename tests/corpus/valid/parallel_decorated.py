"""A parallel step with more decorators, from a branch of a static split."""

from metaflow import FlowSpec, parallel, resources, step


class ParallelBranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.prepare, self.other)

    @step
    def prepare(self):
        self.next(self.train, num_parallel=4)

    @resources(cpu=1)
    @parallel
    @step
    def train(self):
        self.next(self.gather)

    @step
    def gather(self, inputs):
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
    ParallelBranchFlow()
