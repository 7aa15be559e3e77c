"""@parallel on the end step (Metaflow's checker crashes on this one)."""

from metaflow import FlowSpec, parallel, step


class ParallelEndFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end, num_parallel=2)

    @parallel
    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelEndFlow()
