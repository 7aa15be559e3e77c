from metaflow import FlowSpec, Parameter, batch, current, retry, step


class TrainFlow(FlowSpec):
    """Train a model."""

    alpha = Parameter("alpha", default=0.5)

    @step
    def start(self):
        """Begin."""
        self.items = [1, 2, 3]
        self.next(self.train, foreach="items")

    @batch(cpu=4, memory=1000)
    @retry(times=2)
    @step
    def train(self):
        self.value = self.input * self.alpha
        print(current.retry_count)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.value for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.total)


if __name__ == "__main__":
    TrainFlow()
