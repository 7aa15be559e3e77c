import assert from "node:assert/strict";
import { test } from "node:test";
import { toServerSettings } from "../src/pure/settings";

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

test("defaults map to the contract's shape", () => {
  assert.deepEqual(toServerSettings(reader({})), {
    interpreter: null,
    metaflowSource: null,
    extraDocs: [],
    lint: { run: "onType", select: [], ignore: [], severity: {} },
    ask: { model: null, baseUrl: null, maxTurns: null, maxTokens: null, deadlineSeconds: null },
    logLevel: "info",
  });
});

test("every setting is passed through in the server's shape", () => {
  const s = toServerSettings(
    reader({
      interpreter: "${workspaceFolder}/.venv/bin/python",
      metaflowSource: "~/src/metaflow",
      extraDocs: ["./docs", "", 3, "/abs/notes"],
      "lint.run": "onSave",
      "lint.select": ["MF1", " MF2 "],
      "lint.ignore": ["MF201"],
      "lint.severity": { MF101: "warning", MF102: "OFF", MF103: "loud", MF104: 3 },
      "ask.model": "claude-x",
      "ask.baseUrl": "http://127.0.0.1:9999",
      "ask.maxTurns": 6,
      "ask.maxTokens": 0,
      "ask.deadlineSeconds": 45,
      logLevel: "debug",
    }),
    { workspaceFolder: "/ws", home: "/home/u" },
  );
  assert.deepEqual(s, {
    interpreter: "/ws/.venv/bin/python",
    metaflowSource: "/home/u/src/metaflow",
    extraDocs: ["/ws/docs", "/abs/notes"],
    lint: { run: "onSave", select: ["MF1", "MF2"], ignore: ["MF201"], severity: { MF101: "warning", MF102: "off" } },
    ask: { model: "claude-x", baseUrl: "http://127.0.0.1:9999", maxTurns: 6, maxTokens: null, deadlineSeconds: 45 },
    logLevel: "debug",
  });
});

test("the resolved interpreter wins over the raw setting; bad values fall back", () => {
  const s = toServerSettings(reader({ interpreter: "python3", "lint.run": "sometimes", logLevel: "chatty", "lint.severity": [1] }), {
    resolvedInterpreter: "/usr/bin/python3",
  });
  assert.equal(s.interpreter, "/usr/bin/python3");
  assert.equal(s.lint.run, "onType");
  assert.equal(s.logLevel, "info");
  assert.deepEqual(s.lint.severity, {});
});
