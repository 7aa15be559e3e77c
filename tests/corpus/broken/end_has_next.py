"""The end step calls self.next()."""

from metaflow import FlowSpec, step


class EndNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        print("done")
        self.next(self.cleanup)

    @step
    def cleanup(self):
        pass


if __name__ == "__main__":
    EndNextFlow()
