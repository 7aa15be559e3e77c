"""A step defined twice: Python keeps the last definition, and so does Metaflow."""

from metaflow import FlowSpec, step


class RedefinedFlow(FlowSpec):
    @step
    def start(self):  # noqa: MF221 (the point of this file: the first one is lost)
        self.next(self.missing_step)

    @step
    def start(self):  # noqa: F811
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RedefinedFlow()
