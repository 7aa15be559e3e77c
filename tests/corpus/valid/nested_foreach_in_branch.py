"""A foreach nested in a foreach, inside one branch of a static split."""

from metaflow import FlowSpec, step


class BranchNestedForeachFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.grid, self.baseline)

    @step
    def grid(self):
        self.depths = [2, 4]
        self.next(self.per_depth, foreach="depths")

    @step
    def per_depth(self):
        self.seeds = [0, 1]
        self.next(self.per_seed, foreach="seeds")

    @step
    def per_seed(self):
        self.next(self.seeds_done)

    @step
    def seeds_done(self, inputs):
        self.next(self.depths_done)

    @step
    def depths_done(self, inputs):
        self.next(self.join)

    @step
    def baseline(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BranchNestedForeachFlow()
