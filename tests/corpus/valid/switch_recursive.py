"""A switch that repeats its own step until done (a legal self-loop)."""

from metaflow import FlowSpec, step


class RecursiveSwitchFlow(FlowSpec):
    @step
    def start(self):
        self.count = 0
        self.next(self.loop)

    @step
    def loop(self):
        self.count += 1
        self.state = "done" if self.count >= 3 else "again"
        self.next({"again": self.loop, "done": self.end}, condition="state")

    @step
    def end(self):
        print(self.count)


if __name__ == "__main__":
    RecursiveSwitchFlow()
