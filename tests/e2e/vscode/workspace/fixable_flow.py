"""A flow for the e2e quick-fix and rename stages.

`train` names a step that does not exist (`evalute`, a typo of `evaluate`): the lightbulb on
that diagnostic offers the fix, which the test applies. Renaming `train` to `evaluate` (an
existing step) must be refused and leave the file as it is. The Config gives the hover
screenshot of a Config.
"""

from metaflow import Config, FlowSpec, step


class FixableFlow(FlowSpec):
    settings = Config("settings", default_value={"learning_rate": 0.1})

    @step
    def start(self):
        self.alpha = self.settings.learning_rate
        self.next(self.train)

    @step
    def train(self):
        self.score = self.alpha * 2
        self.next(self.evalute)

    @step
    def evaluate(self):
        self.best = self.score
        self.next(self.end)

    @step
    def end(self):
        print("best", self.best)


if __name__ == "__main__":
    FixableFlow()
