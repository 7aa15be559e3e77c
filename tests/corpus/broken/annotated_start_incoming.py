"""A switch case leads back into the annotated start step."""

from metaflow import FlowSpec, step


class AnnotatedStartIncomingFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.next(self.decide)

    @step
    def decide(self):
        self.verdict = "retry"
        self.next({"retry": self.begin, "ok": self.finish}, condition="verdict")

    @step(end=True)
    def finish(self):
        pass


if __name__ == "__main__":
    AnnotatedStartIncomingFlow()
