"""self.next() with an unsupported keyword, and one with no target."""

from metaflow import FlowSpec, step


class UnknownKeywordFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle, foreach_param="items")

    @step
    def middle(self):
        self.next()

    @step
    def end(self):
        pass


if __name__ == "__main__":
    UnknownKeywordFlow()
