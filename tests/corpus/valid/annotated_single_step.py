"""A single step annotated as both start and end."""

from metaflow import FlowSpec, step


class AnnotatedSingleFlow(FlowSpec):
    @step(start=True, end=True)
    def main(self):
        self.answer = 42


if __name__ == "__main__":
    AnnotatedSingleFlow()
