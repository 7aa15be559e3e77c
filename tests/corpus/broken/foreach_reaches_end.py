"""A foreach whose body goes to end without a join."""

from metaflow import FlowSpec, step


class ForeachNoJoinFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachNoJoinFlow()
