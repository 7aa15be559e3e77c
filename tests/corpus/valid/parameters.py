"""Parameters of several kinds read in steps."""

from metaflow import FlowSpec, JSONType, Parameter, step


class ParameterFlow(FlowSpec):
    alpha = Parameter("alpha", help="learning rate", default=0.01)
    names = Parameter("names", type=JSONType, default='["a", "b"]')
    verbose = Parameter("verbose", type=bool, default=False)

    @step
    def start(self):
        self.items = list(self.names)
        self.next(self.fit, foreach="items")

    @step
    def fit(self):
        self.score = self.alpha * len(self.input)
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.best = max(i.score for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        if self.verbose:
            print(self.best)


if __name__ == "__main__":
    ParameterFlow()
