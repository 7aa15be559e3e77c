"""Inside a foreach, num_parallel to a step without @parallel."""

from metaflow import FlowSpec, retry, step


class NestedNoParallelFlow(FlowSpec):
    @step
    def start(self):
        self.configs = ["small", "large"]
        self.next(self.launch, foreach="configs")

    @step
    def launch(self):
        self.next(self.worker, num_parallel=3)

    @retry
    @step
    def worker(self):
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NestedNoParallelFlow()
