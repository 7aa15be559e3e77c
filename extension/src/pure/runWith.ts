/**
 * "Run with…": the server's `metaflowExpert.runOptions` payload, what the user picked, and the
 * command line built from both. Pure (no `vscode`), so the command line and the warning text are
 * unit-tested; quoting is pure/shell.ts's.
 *
 * The flags are the server's, read from the indexed Metaflow source (a Parameter's option is
 * `flags.parameterPrefix + name`; Configs use `flags.config` / `flags.configValue`); run settings
 * (`--datastore`, `--environment`, …) and `--with` are top-level options, so they go before
 * `run`, and Parameters after it.
 */

import { commandLine } from "./shell";

export const RUN_OPTIONS_COMMAND = "metaflowExpert.runOptions";

export interface RunParameter {
  attr: string;
  name: string;
  flag: string;
  kind: string;
  type: string;
  default: string;
  has_default: boolean;
  help: string;
  required: boolean;
  line: number;
}

export interface RunConfig {
  attr: string;
  name: string;
  default_file: string;
  default_value: string;
  help: string;
  line: number;
}

export interface RunSettingInfo {
  name: string;
  option: string;
  value: string;
  source: string;
  cite: string;
  choices: string[];
  config_key: string;
}

export interface RunWarning {
  decorator: string;
  steps: string[];
  setting: string;
  allowed: string[];
  current: string;
  source: string;
  message: string;
  metaflow_message: string;
  cite: string;
}

export interface RunFlags {
  parameterPrefix?: string;
  config?: string;
  configValue?: string;
  with?: string;
}

export interface RunOptions {
  name: string;
  line: number;
  parameters: RunParameter[];
  configs: RunConfig[];
  decorators: string[];
  settings: RunSettingInfo[];
  warnings: RunWarning[];
  flags: RunFlags;
}

export interface RunOptionsResult {
  flows: RunOptions[];
  catalog?: boolean;
}

/** A Config given for the run: a file (`--config NAME FILE`) or a value (`--config-value NAME JSON`). */
export interface ConfigChoice {
  kind: "file" | "value";
  value: string;
}

/** What the user picked for one flow (remembered per flow). Empty strings mean "not given". */
export interface RunChoices {
  parameters: Record<string, string>;
  configs: Record<string, ConfigChoice>;
  withSpecs: string[];
  settings: Record<string, string>;
}

export function emptyChoices(): RunChoices {
  return { parameters: {}, configs: {}, withSpecs: [], settings: {} };
}

/** The `choices` argument of `metaflowExpert.runOptions` (what the server checks). */
export function serverChoices(choices: RunChoices): { settings: Record<string, string>; with: string[] } {
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(choices.settings)) if (v) settings[k] = v;
  return { settings, with: choices.withSpecs.filter((s) => s.trim()) };
}

/** Top-level arguments (before `run`) and the `run` command's own arguments. */
export function runArguments(options: RunOptions, choices: RunChoices): { top: string[]; run: string[] } {
  const top: string[] = [];
  for (const s of options.settings) {
    const v = choices.settings[s.name];
    if (v) top.push(s.option, v);
  }
  if (options.flags.with) for (const spec of choices.withSpecs) if (spec.trim()) top.push(options.flags.with, spec.trim());
  for (const c of options.configs) {
    const picked = choices.configs[c.name];
    if (!picked || !picked.value) continue;
    const flag = picked.kind === "file" ? options.flags.config : options.flags.configValue;
    if (flag) top.push(flag, c.name, picked.value);
  }
  const run: string[] = [];
  for (const p of options.parameters) {
    const v = choices.parameters[p.name];
    if (v === undefined || v === "" || !p.flag) continue;
    if (p.has_default && v === p.default) continue; // the default needs no flag
    run.push(p.flag, v);
  }
  return { top, run };
}

/** `<python> FILE [top-level options] run [parameters]`, each argument quoted. */
export function runWithCommandLine(
  python: string,
  file: string,
  options: RunOptions,
  choices: RunChoices,
  platform: NodeJS.Platform = process.platform,
): string {
  const { top, run } = runArguments(options, choices);
  return commandLine([python, file, ...top, "run", ...run], platform);
}

/** Parameters the run must be given a value for (required, no default, nothing picked). */
export function missingRequired(options: RunOptions, choices: RunChoices): string[] {
  return options.parameters.filter((p) => p.required && !p.has_default && !choices.parameters[p.name]).map((p) => p.name);
}

/** The modal's text: a short headline, then one entry per warning with the line of Metaflow
 * that checks (the headline does not repeat the entries: a modal shows both). */
export function warningText(warnings: RunWarning[]): { message: string; detail: string } | undefined {
  if (!warnings.length) return undefined;
  const names = [...new Set(warnings.map((w) => `@${w.decorator}`))].join(", ");
  const message = `This run would fail at once: ${names} ${warnings.length === 1 ? "needs" : "need"} other run settings.`;
  const detail = warnings.map((w) => `${w.message}\nChecked at ${w.cite}`).join("\n\n");
  return { message, detail };
}

/** Restore remembered choices, dropping what the flow no longer has. */
export function reconcile(options: RunOptions, saved: RunChoices | undefined): RunChoices {
  const out = emptyChoices();
  if (!saved) return out;
  const params = new Set(options.parameters.map((p) => p.name));
  for (const [k, v] of Object.entries(saved.parameters ?? {})) if (params.has(k) && typeof v === "string") out.parameters[k] = v;
  const configs = new Set(options.configs.map((c) => c.name));
  for (const [k, v] of Object.entries(saved.configs ?? {}))
    if (configs.has(k) && v && (v.kind === "file" || v.kind === "value") && typeof v.value === "string") out.configs[k] = v;
  const settings = new Map(options.settings.map((s) => [s.name, s]));
  for (const [k, v] of Object.entries(saved.settings ?? {})) if (settings.has(k) && typeof v === "string") out.settings[k] = v;
  out.withSpecs = Array.isArray(saved.withSpecs) ? saved.withSpecs.filter((s) => typeof s === "string") : [];
  return out;
}

/**
 * `retry batch:cpu=4,memory=4096` → one spec per decorator. Spaces separate them because a
 * spec's own arguments are comma-separated (`name:arg=value,arg=value`).
 */
export function parseWithSpecs(text: string): string[] {
  return text.split(/\s+/).map((s) => s.trim()).filter(Boolean);
}

/** The workspaceState key remembering one flow's choices. */
export function choicesKey(file: string, flow: string): string {
  return `metaflowExpert.runWith:${file}:${flow}`;
}
