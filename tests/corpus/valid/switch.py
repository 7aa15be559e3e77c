"""A switch choosing one of two paths that meet again at a linear step."""

from metaflow import FlowSpec, Parameter, step


class SwitchFlow(FlowSpec):
    mode = Parameter("mode", default="fast")

    @step
    def start(self):
        self.choice = self.mode
        self.next({"fast": self.fast, "slow": self.slow}, condition="choice")

    @step
    def fast(self):
        self.next(self.after)

    @step
    def slow(self):
        self.next(self.after)

    @step
    def after(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchFlow()
