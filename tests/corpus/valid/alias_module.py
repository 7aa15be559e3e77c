"""Metaflow imported as a module alias."""

import metaflow as mf


class AliasFlow(mf.FlowSpec):
    @mf.step
    def start(self):
        self.next(self.a, self.b)

    @mf.retry(times=2)
    @mf.step
    def a(self):
        self.next(self.join)

    @mf.step
    def b(self):
        self.next(self.join)

    @mf.step
    def join(self, inputs):
        self.next(self.end)

    @mf.step
    def end(self):
        pass


if __name__ == "__main__":
    AliasFlow()
