"""A deliberately broken flow for the VS Code end-to-end test.

`train` sends its output to a step that does not exist, so Metaflow's graph
check fails; the test expects that diagnostic, a hover on the batch decorator, an answer
in the Ask panel and every step as a node in the graph panel.
"""

from metaflow import FlowSpec, batch, retry, step


class BrokenFlow(FlowSpec):
    @step
    def start(self):
        self.alphas = [0.1, 0.5]
        self.next(self.train, foreach="alphas")

    @batch(cpu=2, memory=4096)
    @retry(times=2)
    @step
    def train(self):
        self.score = self.input * 2
        self.next(self.evalute)

    @step
    def evaluate(self, inputs):
        self.best = max(i.score for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print("best", self.best)


if __name__ == "__main__":
    BrokenFlow()
