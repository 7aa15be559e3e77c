"""A step named in camelCase."""

from metaflow import FlowSpec, step


class CamelFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.trainModel)

    @step
    def trainModel(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CamelFlow()
