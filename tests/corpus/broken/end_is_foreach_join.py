"""A foreach joined directly by the end step."""

from metaflow import FlowSpec, step


class EndForeachJoinFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.end)

    @step
    def end(self, inputs):
        print(len(list(inputs)))


if __name__ == "__main__":
    EndForeachJoinFlow()
