import assert from "node:assert/strict";
import { test } from "node:test";
import {
  emptyChoices,
  missingRequired,
  parseWithSpecs,
  reconcile,
  runArguments,
  runWithCommandLine,
  serverChoices,
  warningText,
  type RunOptions,
} from "../src/pure/runWith";

// The shape metaflowExpert.runOptions answers with (flags as read from Metaflow's source).
const OPTIONS: RunOptions = {
  name: "TrainFlow",
  line: 3,
  parameters: [
    { attr: "alpha", name: "alpha", flag: "--alpha", kind: "Parameter", type: "float", default: "0.5", has_default: true, help: "", required: false, line: 4 },
    { attr: "n_rounds", name: "n_rounds", flag: "--n_rounds", kind: "Parameter", type: "int", default: "", has_default: false, help: "", required: true, line: 5 },
    { attr: "greeting", name: "greeting", flag: "--greeting", kind: "Parameter", type: "str", default: "hi", has_default: true, help: "", required: false, line: 6 },
  ],
  configs: [{ attr: "cfg", name: "cfg", default_file: "config.json", default_value: "", help: "", line: 7 }],
  decorators: ["batch"],
  settings: [
    { name: "environment", option: "--environment", value: "local", source: "default", cite: "metaflow/metaflow_config.py:40", choices: ["local", "pypi"], config_key: "METAFLOW_DEFAULT_ENVIRONMENT" },
    { name: "datastore", option: "--datastore", value: "local", source: "default", cite: "metaflow/metaflow_config.py:39", choices: ["local", "s3"], config_key: "METAFLOW_DEFAULT_DATASTORE" },
  ],
  warnings: [
    {
      decorator: "batch",
      steps: ["train"],
      setting: "datastore",
      allowed: ["s3"],
      current: "local",
      source: "default of METAFLOW_DEFAULT_DATASTORE",
      message: "@batch (step train) needs --datastore=s3; this run would use --datastore=local (default of METAFLOW_DEFAULT_DATASTORE).",
      metaflow_message: "The *@batch* decorator requires --datastore=s3.",
      cite: "metaflow/plugins/aws/batch/batch_decorator.py:217",
    },
  ],
  flags: { parameterPrefix: "--", config: "--config", configValue: "--config-value", with: "--with" },
};

test("top-level options go before run, parameters after it, defaults are left out", () => {
  const choices = emptyChoices();
  choices.parameters = { alpha: "0.5", n_rounds: "10", greeting: "hello world" };
  choices.settings = { datastore: "s3", environment: "" };
  choices.withSpecs = ["retry", "batch:cpu=4,memory=4096"];
  choices.configs = { cfg: { kind: "file", value: "prod config.json" } };
  assert.deepEqual(runArguments(OPTIONS, choices), {
    top: ["--datastore", "s3", "--with", "retry", "--with", "batch:cpu=4,memory=4096", "--config", "cfg", "prod config.json"],
    run: ["--n_rounds", "10", "--greeting", "hello world"],
  });
  assert.equal(
    runWithCommandLine("/v/bin/python", "/ws/my flow.py", OPTIONS, choices, "linux"),
    "/v/bin/python '/ws/my flow.py' --datastore s3 --with retry --with batch:cpu=4,memory=4096 --config cfg 'prod config.json' run --n_rounds 10 --greeting 'hello world'",
  );
});

test("a config value is passed as JSON with --config-value, quoted", () => {
  const choices = emptyChoices();
  choices.configs = { cfg: { kind: "value", value: '{"lr": 0.1}' } };
  assert.equal(
    runWithCommandLine("python", "f.py", OPTIONS, choices, "linux"),
    `python f.py --config-value cfg '{"lr": 0.1}' run`,
  );
  assert.equal(runWithCommandLine("C:\\Py 3\\python.exe", "C:\\f.py", OPTIONS, choices, "win32"), '& "C:\\Py 3\\python.exe" "C:\\f.py" --config-value cfg "{\\"lr\\": 0.1}" run');
});

test("required parameters, --with parsing and what the server is asked", () => {
  const choices = emptyChoices();
  assert.deepEqual(missingRequired(OPTIONS, choices), ["n_rounds"]);
  choices.parameters.n_rounds = "3";
  assert.deepEqual(missingRequired(OPTIONS, choices), []);
  assert.deepEqual(parseWithSpecs("  retry  batch:cpu=4,memory=4096 "), ["retry", "batch:cpu=4,memory=4096"]);
  choices.settings = { datastore: "s3", environment: "" };
  choices.withSpecs = ["pypi", " "];
  assert.deepEqual(serverChoices(choices), { settings: { datastore: "s3" }, with: ["pypi"] });
});

test("remembered choices are kept only for what the flow still has", () => {
  const saved = {
    parameters: { alpha: "0.7", gone: "1" },
    configs: { cfg: { kind: "file" as const, value: "a.json" }, old: { kind: "value" as const, value: "{}" } },
    withSpecs: ["retry"],
    settings: { datastore: "s3", nosuch: "x" },
  };
  assert.deepEqual(reconcile(OPTIONS, saved), {
    parameters: { alpha: "0.7" },
    configs: { cfg: { kind: "file", value: "a.json" } },
    withSpecs: ["retry"],
    settings: { datastore: "s3" },
  });
  assert.deepEqual(reconcile(OPTIONS, undefined), emptyChoices());
});

test("the warning modal names the decorator and cites the check", () => {
  assert.equal(warningText([]), undefined);
  const text = warningText(OPTIONS.warnings);
  assert.equal(text?.message, "This run would fail at once: @batch needs other run settings.");
  assert.ok(text.detail.startsWith("@batch (step train) needs --datastore=s3"));
  assert.ok(text.detail.includes("Checked at metaflow/plugins/aws/batch/batch_decorator.py:217"));
});
