"""Built-in step and flow decorators above @step."""

from metaflow import FlowSpec, catch, project, resources, retry, step, timeout


@project(name="demo_project")
class DecoratedFlow(FlowSpec):
    @retry(times=3, minutes_between_retries=0)
    @step
    def start(self):
        self.next(self.compute)

    @catch(var="failure")
    @timeout(minutes=5)
    @resources(cpu=2, memory=4096)
    @step
    def compute(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    DecoratedFlow()
