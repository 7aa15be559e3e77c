"""Two steps that transition to each other."""

from metaflow import FlowSpec, step


class LoopFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.ping)

    @step
    def ping(self):
        self.next(self.pong)

    @step
    def pong(self):
        self.next(self.ping)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LoopFlow()
