"""Non-step helper methods and module functions beside the steps."""

from metaflow import FlowSpec, step


def double(x):
    return 2 * x


class HelperFlow(FlowSpec):
    def helper(self):
        return double(3)

    @property
    def constant(self):
        return 7

    @step
    def start(self):
        self.value = self.helper() + self.constant
        self.next(self.step_2)

    @step
    def step_2(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    HelperFlow()
