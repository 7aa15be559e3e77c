"""A step defined without self."""

from metaflow import FlowSpec, step


class MissingSelfFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.helperless)

    @step
    def helperless():
        print("no self")

    @step
    def end(self):
        pass


if __name__ == "__main__":
    MissingSelfFlow()
