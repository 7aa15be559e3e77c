"""Steps contributed by a plain (non-FlowSpec) mixin class."""

from metaflow import FlowSpec, step


class ReportingMixin:
    @step
    def report(self):
        self.summary = "ok"
        self.next(self.end)

    @step
    def end(self):
        pass


class MixinFlow(FlowSpec, ReportingMixin):
    @step
    def start(self):
        self.next(self.report)


if __name__ == "__main__":
    MixinFlow()
