from metaflow import FlowSpec, step


class RegionFlow(FlowSpec):
    @step
    def start(self):
        self.regions = ["eu", "us"]
        self.next(self.fit, foreach="regions")

    @step
    def fit(self):
        self.region = self.input
        self.score = 1
        self.next(self.join_regions)

    @step
    def join_regions(self, inputs):
        self.merge_artifacts(inputs, include=["score"])
        self.scores = [i.score for i in inputs]
        self.best = inputs.fit.score
        print(self.input)
        self.next(self.report, self.publish)

    @step
    def report(self):
        print(self.scores)
        self.next(self.join)

    @step
    def publish(self):
        print(self.best)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RegionFlow()
