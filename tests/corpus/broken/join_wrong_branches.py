"""One branch of a three-way split skips the join."""

from metaflow import FlowSpec, step


class WrongBranchesFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b, self.c)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def c(self):
        self.next(self.after)

    @step
    def join(self, inputs):
        self.next(self.after)

    @step
    def after(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    WrongBranchesFlow()
