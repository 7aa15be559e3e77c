"""The start step itself is a foreach split."""

from metaflow import FlowSpec, step


class StartForeachFlow(FlowSpec):
    seeds = [1, 2]

    @step
    def start(self):
        self.seeds = [1, 2]
        self.next(self.run_seed, foreach="seeds")

    @step
    def run_seed(self):
        self.result = self.input * 10
        self.next(self.merge)

    @step
    def merge(self, inputs):
        self.results = [i.result for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    StartForeachFlow()
