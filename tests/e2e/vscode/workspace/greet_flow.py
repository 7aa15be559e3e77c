"""A flow with a Parameter for the VS Code end-to-end test's "Run with…" stage: it prints the
greeting it was given, so the test can see the value reach the run."""

from metaflow import FlowSpec, Parameter, step


class GreetFlow(FlowSpec):
    greeting = Parameter("greeting", default="hello", help="What the start step prints")

    @step
    def start(self):
        print("greeting is", self.greeting)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    GreetFlow()
