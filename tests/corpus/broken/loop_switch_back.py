"""A switch case that goes back to an earlier (non-self) step."""

from metaflow import FlowSpec, step


class SwitchBackFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.work)

    @step
    def work(self):
        self.next(self.check)

    @step
    def check(self):
        self.status = "ok"
        self.next({"again": self.work, "ok": self.end}, condition="status")

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchBackFlow()
