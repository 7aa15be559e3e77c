"""A decorator attribute Metaflow does not know: fails when the module is imported."""

from metaflow import FlowSpec, retry, step


class BadDecoratorFlow(FlowSpec):
    @retry(tries=3)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BadDecoratorFlow()
