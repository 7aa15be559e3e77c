"""A flow of one step: it is both the start and the end."""

from metaflow import FlowSpec, step


class SingleStepFlow(FlowSpec):
    @step
    def only(self):
        print("hello")


if __name__ == "__main__":
    SingleStepFlow()
