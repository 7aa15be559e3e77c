import assert from "node:assert/strict";
import { test } from "node:test";
import { expandVariables, pickWheel, privateVenvPython, resolveInterpreter, resolvePathSetting, which } from "../src/pure/interpreter";

const files = (...paths: string[]) => {
  const set = new Set(paths);
  return (f: string) => set.has(f);
};

test("the setting wins over the Python extension and PATH", () => {
  const r = resolveInterpreter({
    setting: "/opt/py/bin/python",
    pythonExtensionPath: "/ext/python",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: files("/opt/py/bin/python", "/ext/python", "/usr/bin/python3"),
  });
  assert.deepEqual(r.ok && [r.command, r.source], ["/opt/py/bin/python", "setting"]);
});

test("a setting with ${workspaceFolder} is expanded; a relative path is taken from the workspace", () => {
  const isExecutable = files("/ws/.venv/bin/python");
  for (const setting of ["${workspaceFolder}/.venv/bin/python", ".venv/bin/python", "./.venv/bin/python"]) {
    const r = resolveInterpreter({ setting, workspaceFolder: "/ws", platform: "linux", isExecutable });
    assert.ok(r.ok, setting);
    assert.equal(r.ok && r.command, "/ws/.venv/bin/python");
  }
});

test("a broken setting is an error naming it, not a silent fallback", () => {
  const r = resolveInterpreter({
    setting: "/nope/python",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: files("/usr/bin/python3"),
  });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : "", /\/nope\/python/);
});

test("a bare command name in the setting is looked up on PATH", () => {
  const r = resolveInterpreter({ setting: "python3.11", env: { PATH: "/a:/b" }, platform: "linux", isExecutable: files("/b/python3.11") });
  assert.equal(r.ok && r.command, "/b/python3.11");
});

test("without a setting the Python extension's environment is used", () => {
  const r = resolveInterpreter({
    setting: "  ",
    pythonExtensionPath: "/ext/python",
    env: { PATH: "/usr/bin" },
    platform: "linux",
    isExecutable: files("/ext/python", "/usr/bin/python3"),
  });
  assert.deepEqual(r.ok && [r.command, r.source], ["/ext/python", "python-extension"]);
});

test("then python3 on PATH, then python; everything tried is reported", () => {
  let r = resolveInterpreter({ env: { PATH: "/x:/usr/bin" }, platform: "linux", isExecutable: files("/usr/bin/python3", "/x/python") });
  assert.deepEqual(r.ok && [r.command, r.source], ["/usr/bin/python3", "path"]);
  r = resolveInterpreter({ env: { PATH: "/x" }, platform: "linux", isExecutable: files("/x/python") });
  assert.equal(r.ok && r.command, "/x/python");
  r = resolveInterpreter({ pythonExtensionPath: "/gone", env: { PATH: "/x" }, platform: "linux", isExecutable: files() });
  assert.equal(r.ok, false);
  assert.equal(r.tried.length, 3);
  assert.match(!r.ok ? r.message : "", /metaflowExpert\.interpreter/);
});

test("variables: ~, ${userHome}, ${env:NAME}; unknown ones are kept", () => {
  const ctx = { workspaceFolder: "/ws", home: "/home/u", env: { VENV: "/v" } };
  assert.equal(expandVariables("~/py", ctx), "/home/u/py");
  assert.equal(expandVariables("${userHome}/py", ctx), "/home/u/py");
  assert.equal(expandVariables("${env:VENV}/bin/python", ctx), "/v/bin/python");
  assert.equal(expandVariables("${env:MISSING}x", ctx), "x");
  assert.equal(expandVariables("${config:foo}", ctx), "${config:foo}");
  assert.equal(resolvePathSetting("", ctx), null);
  assert.equal(resolvePathSetting("docs", ctx), "docs");
  assert.equal(resolvePathSetting("./docs", ctx), "/ws/docs");
});

test("which on Windows tries executable extensions and ; separators", () => {
  assert.equal(which("python", { Path: "C:\\a;C:\\b" }, files("C:\\b/python.exe"), "win32"), "C:\\b/python.exe");
});

test("private venv interpreter path and newest bundled wheel", () => {
  assert.equal(privateVenvPython("/s/venv", "linux"), "/s/venv/bin/python");
  assert.match(privateVenvPython("C:\\s\\venv", "win32"), /Scripts.python\.exe$/);
  assert.equal(
    pickWheel(["/b/metaflow_expert-0.9.0-py3-none-any.whl", "/b/metaflow_expert-0.10.1-py3-none-any.whl", "/b/other-1.0-py3-none-any.whl"]),
    "/b/metaflow_expert-0.10.1-py3-none-any.whl",
  );
  assert.equal(pickWheel(["/b/readme.txt"]), null);
});
