"""Reserved words `index` and `cmd` used as branch steps."""

from metaflow import FlowSpec, step


class ReservedBranchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.index, self.cmd)

    @step
    def index(self):
        self.next(self.join)

    @step
    def cmd(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ReservedBranchFlow()
