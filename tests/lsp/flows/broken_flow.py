"""A flow with the mistakes people make every day; `metaflow-expert demo` lints it.

Each one is something `python broken_flow.py check` would stop at one at a time (or only a run
would reveal, hours in).
"""

from metaflow import FlowSpec, batch, retry, step


class BrokenFlow(FlowSpec):
    @step
    def start(self):
        self.items = ["a", "b", "c"]
        self.next(self.proces, foreach="itemz")

    @batch(memroy=16000)
    @retry(times=3)
    @step
    def process(self):
        self.result = self.input.upper()
        self.next(self.join)

    @step
    def join(self):
        self.results = [r for r in self.result]
        self.next(self.end)

    @step
    def end(self):
        print(self.summary)


if __name__ == "__main__":
    BrokenFlow()
