from metaflow import FlowSpec, step


class JoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = 1
        self.next(self.join)

    @step
    def b(self):
        self.x = 2
        self.next(self.join)

    @step
    def join(self):
        self.merge_artifacts(inputs)  # noqa: F821

    @step
    def end(self):
        pass


if __name__ == "__main__":
    JoinFlow()
