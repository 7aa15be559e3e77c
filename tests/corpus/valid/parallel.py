"""A gang of parallel tasks started with num_parallel."""

from metaflow import FlowSpec, current, parallel, step


class ParallelFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.rank = current.parallel.node_index
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.ranks = [i.rank for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelFlow()
