from metaflow import FlowSpec, step


class F(FlowSpec):
    @step
    def start(self):
        self.x = 1
        if self.x:
            self.next(self.a)
        else:
            self.next(self.b)

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    F()
