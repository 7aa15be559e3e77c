"""Switch keys taken from a Config (self.<config>.<key>)."""

from metaflow import Config, FlowSpec, step


class ConfigSwitchFlow(FlowSpec):
    cfg = Config("cfg", default_value={"small": "small", "large": "large", "pick": "small"})

    @step
    def start(self):
        self.size = self.cfg.pick
        self.next({self.cfg.small: self.small, self.cfg.large: self.large}, condition="size")

    @step
    def small(self):
        self.next(self.end)

    @step
    def large(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ConfigSwitchFlow()
