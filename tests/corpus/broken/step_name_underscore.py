"""Branch steps named with a leading underscore and a non-ASCII letter."""

from metaflow import FlowSpec, step


class UnderscoreFlow(FlowSpec):
    @step
    def start(self):
        self.next(self._private, self.étape)

    @step
    def _private(self):
        self.next(self.join)

    @step
    def étape(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    UnderscoreFlow()
