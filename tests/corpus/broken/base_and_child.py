"""A base flow and a child that forgets to continue after the inherited step."""

from metaflow import FlowSpec, step


class PipelineBase(FlowSpec):
    @step
    def start(self):
        self.next(self.prepare)

    @step
    def prepare(self):
        self.next(self.train)

    @step
    def end(self):
        pass


class PipelineFlow(PipelineBase):
    @step
    def train(self):
        self.model = "m"


if __name__ == "__main__":
    PipelineFlow()
