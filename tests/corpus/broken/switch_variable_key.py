"""A switch whose keys are variables, not literals."""

from metaflow import FlowSpec, step

FAST = "fast"


class SwitchVariableKeyFlow(FlowSpec):
    @step
    def start(self):
        self.mode = FAST
        self.next({FAST: self.fast, "slow": self.slow}, condition="mode")

    @step
    def fast(self):
        self.next(self.end)

    @step
    def slow(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchVariableKeyFlow()
