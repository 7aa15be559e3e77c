"""A small, valid flow: fan-out, foreach and a join — the shape most real flows have."""

from metaflow import FlowSpec, Parameter, catch, retry, step


class HelloFlow(FlowSpec):
    """Train one model per learning rate and keep the best."""

    alpha = Parameter("alpha", help="Regularisation strength", default=0.01)

    @step
    def start(self):
        self.rates = [0.1, 0.01, 0.001]
        self.next(self.train, foreach="rates")

    @retry(times=2)
    @catch(var="failure")
    @step
    def train(self):
        self.rate = self.input
        self.score = 1.0 - self.rate * self.alpha
        self.next(self.pick)

    @step
    def pick(self, inputs):
        self.best = max(inp.score for inp in inputs)
        self.next(self.end)

    @step
    def end(self):
        print("best score", self.best)


if __name__ == "__main__":
    HelloFlow()
