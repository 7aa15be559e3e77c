"""A switch with a single case."""

from metaflow import FlowSpec, step


class OneCaseSwitchFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "only"
        self.next({"only": self.work}, condition="mode")

    @step
    def work(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    OneCaseSwitchFlow()
