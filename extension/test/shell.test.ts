import assert from "node:assert/strict";
import { test } from "node:test";
import { flowCommandLine, quoteArg } from "../src/pure/shell";

test("run and spin command lines quote paths with spaces", () => {
  assert.equal(flowCommandLine("/v/bin/python", "/ws/my flow.py", "run", undefined, "linux"), "/v/bin/python '/ws/my flow.py' run");
  assert.equal(flowCommandLine("/v/bin/python", "/ws/flow.py", "spin", "train", "linux"), "/v/bin/python /ws/flow.py spin train");
  assert.equal(quoteArg("it's", "linux"), `'it'\\''s'`);
  assert.equal(flowCommandLine("C:\\Py 3\\python.exe", "C:\\f.py", "run", undefined, "win32"), '& "C:\\Py 3\\python.exe" "C:\\f.py" run');
});
