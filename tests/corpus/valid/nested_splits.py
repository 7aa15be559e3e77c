"""A branch that splits again before the outer join."""

from metaflow import FlowSpec, step


class NestedSplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.left, self.right)

    @step
    def left(self):
        self.next(self.left_a, self.left_b)

    @step
    def left_a(self):
        self.next(self.left_join)

    @step
    def left_b(self):
        self.next(self.left_join)

    @step
    def left_join(self, inputs):
        self.next(self.join)

    @step
    def right(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NestedSplitFlow()
