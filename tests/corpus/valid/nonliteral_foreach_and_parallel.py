"""foreach= and num_parallel= given as expressions, not literals (Metaflow's lint accepts them)."""

from metaflow import FlowSpec, parallel, step

FIELD = "items"
WORKERS = 2


class NonLiteralFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.each, foreach=FIELD)

    @step
    def each(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.gang_start)

    @step
    def gang_start(self):
        self.next(self.gang, num_parallel=WORKERS)

    @parallel
    @step
    def gang(self):
        self.next(self.gang_join)

    @step
    def gang_join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NonLiteralFlow()
