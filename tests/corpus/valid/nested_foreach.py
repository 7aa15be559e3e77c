"""A foreach inside a foreach (valid by default; MF119 / check_nested_foreach flags it)."""

from metaflow import FlowSpec, step


class NestedForeachFlow(FlowSpec):
    @step
    def start(self):
        self.models = ["a", "b"]
        self.next(self.per_model, foreach="models")

    @step
    def per_model(self):
        self.folds = [1, 2, 3]
        self.next(self.per_fold, foreach="folds")

    @step
    def per_fold(self):
        self.score = self.input
        self.next(self.join_folds)

    @step
    def join_folds(self, inputs):
        self.total = sum(i.score for i in inputs)
        self.next(self.join_models)

    @step
    def join_models(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NestedForeachFlow()
