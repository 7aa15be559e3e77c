"""self.next() followed by another statement, and a step with no transition."""

from metaflow import FlowSpec, step


class NextNotLastFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)
        print("after next")

    @step
    def middle(self):
        self.value = 1

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NextNotLastFlow()
