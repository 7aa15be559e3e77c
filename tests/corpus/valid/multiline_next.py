"""Transitions written over several lines, with comments and docstrings."""

from metaflow import FlowSpec, step


class MultilineFlow(FlowSpec):
    """Docstring of the flow."""

    @step
    def start(self):
        """Fan out to three branches."""
        self.next(
            self.one,
            self.two,  # the second branch
            self.three,
        )

    @step
    def one(self):
        self.next(self.join)

    @step
    def two(self):
        self.next(self.join)

    @step
    def three(self):
        self.next(
            self.join
        )

    @step
    def join(
        self,
        inputs,
    ):
        self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    MultilineFlow()
