"""self.next() inside try/finally is not a transition."""

from metaflow import FlowSpec, step


class NextInTryFlow(FlowSpec):
    @step
    def start(self):
        try:
            self.value = 1
        finally:
            self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NextInTryFlow()
