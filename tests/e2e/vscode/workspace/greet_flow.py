"""A flow with a Parameter for the VS Code end-to-end test's "Run with…" stage: it prints the
greeting it was given, so the test can see the value reach the run."""

import os

# The e2e's terminal has no USER/USERNAME, without which Metaflow refuses to run ("could not
# determine your user name"); METAFLOW_USER is the variable it reads first.
os.environ.setdefault("METAFLOW_USER", "e2e")

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
