/**
 * The "Run Flow With…" picker: one quick pick listing what a run can be given — the flow's
 * Parameters (prefilled with their defaults), its Configs (a file or a value), `--with`
 * decorators and the run settings (`--datastore`, `--environment`, …) with where their current
 * value comes from. Choosing an entry edits it (an input box or a second quick pick) and comes
 * back; "Run" at the top launches. The data and the command line are pure/runWith.ts's.
 */

import * as vscode from "vscode";
import { missingRequired, parseWithSpecs, type RunChoices, type RunOptions } from "./pure/runWith";

type Entry = vscode.QuickPickItem & { action: "run" | "parameter" | "config" | "with" | "setting"; key?: string };

function entries(options: RunOptions, choices: RunChoices): Entry[] {
  const out: Entry[] = [
    { label: "$(play) Run", description: `${options.name} with the choices below`, action: "run", alwaysShow: true },
  ];
  if (options.parameters.length) out.push({ label: "Parameters", kind: vscode.QuickPickItemKind.Separator, action: "run" });
  for (const p of options.parameters) {
    const value = choices.parameters[p.name] ?? p.default;
    const shown = value === "" ? (p.required ? "(required)" : "(not given)") : value;
    out.push({
      label: p.flag || p.name,
      description: `${shown}${p.has_default && value === p.default ? "  (default)" : ""}`,
      detail: [p.type, p.help].filter(Boolean).join(" — ") || undefined,
      action: "parameter",
      key: p.name,
    });
  }
  if (options.configs.length) out.push({ label: "Configs", kind: vscode.QuickPickItemKind.Separator, action: "run" });
  for (const c of options.configs) {
    const picked = choices.configs[c.name];
    const flag = picked?.kind === "value" ? options.flags.configValue : options.flags.config;
    const fallback = c.default_file || c.default_value;
    out.push({
      label: `${flag ?? "--config"} ${c.name}`,
      description: picked?.value ? picked.value : fallback ? `${fallback}  (default)` : "(not given)",
      detail: c.help || undefined,
      action: "config",
      key: c.name,
    });
  }
  out.push({ label: "Run settings", kind: vscode.QuickPickItemKind.Separator, action: "run" });
  if (options.flags.with) {
    out.push({
      label: options.flags.with,
      description: choices.withSpecs.length ? choices.withSpecs.join(" ") : "(none)",
      detail: "decorators added to every step, e.g. retry or batch:cpu=4",
      action: "with",
    });
  }
  for (const s of options.settings) {
    if (!s.choices.length) continue;
    const picked = choices.settings[s.name];
    out.push({
      label: s.option,
      description: picked ? picked : `${s.value}  (${s.source})`,
      action: "setting",
      key: s.name,
    });
  }
  return out;
}

async function editParameter(options: RunOptions, choices: RunChoices, name: string): Promise<void> {
  const p = options.parameters.find((x) => x.name === name);
  if (!p) return;
  const value = await vscode.window.showInputBox({
    title: `${p.flag || p.name} (${p.type})`,
    prompt: p.help || (p.has_default ? `default: ${p.default}` : "no default"),
    value: choices.parameters[p.name] ?? p.default,
  });
  if (value !== undefined) choices.parameters[p.name] = value;
}

async function editConfig(options: RunOptions, choices: RunChoices, name: string): Promise<void> {
  const items: (vscode.QuickPickItem & { kind2: "file" | "value" | "clear" })[] = [];
  if (options.flags.config) items.push({ label: `${options.flags.config} ${name} FILE`, kind2: "file" });
  if (options.flags.configValue) items.push({ label: `${options.flags.configValue} ${name} JSON`, kind2: "value" });
  items.push({ label: "Use the default", kind2: "clear" });
  const how = await vscode.window.showQuickPick(items, { title: `Config ${name}` });
  if (!how) return;
  if (how.kind2 === "clear") {
    delete choices.configs[name];
    return;
  }
  const current = choices.configs[name];
  const value = await vscode.window.showInputBox({
    title: how.label,
    prompt: how.kind2 === "file" ? "Path of the config file (relative to the flow's folder)" : "The config as JSON",
    value: current?.kind === how.kind2 ? current.value : "",
  });
  if (value !== undefined) choices.configs[name] = { kind: how.kind2, value };
}

async function editWith(choices: RunChoices): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: "--with",
    prompt: "Decorators for every step, separated by spaces (e.g. retry batch:cpu=4,memory=4096)",
    value: choices.withSpecs.join(" "),
  });
  if (value !== undefined) choices.withSpecs = parseWithSpecs(value);
}

async function editSetting(options: RunOptions, choices: RunChoices, name: string): Promise<void> {
  const s = options.settings.find((x) => x.name === name);
  if (!s) return;
  const items: (vscode.QuickPickItem & { value: string })[] = [
    { label: `(as configured: ${s.value})`, description: s.source, value: "" },
    ...s.choices.map((c) => ({ label: c, description: c === s.value ? "current" : undefined, value: c })),
  ];
  const got = await vscode.window.showQuickPick(items, { title: s.option, placeHolder: `${s.config_key} = ${s.value}` });
  if (got) choices.settings[s.name] = got.value;
}

/** Let the user edit `choices` (in place); true when they chose Run, false when they left. */
export async function pickRunChoices(options: RunOptions, choices: RunChoices): Promise<boolean> {
  for (;;) {
    const picked = await new Promise<Entry | undefined>((resolve) => {
      const qp = vscode.window.createQuickPick<Entry>();
      qp.title = `Run ${options.name} with…`;
      qp.placeholder = "Choose a value to change, or Run";
      qp.matchOnDescription = true;
      qp.items = entries(options, choices);
      let done = false;
      qp.onDidAccept(() => {
        done = true;
        resolve(qp.selectedItems[0]);
        qp.hide();
      });
      qp.onDidHide(() => {
        if (!done) resolve(undefined);
        qp.dispose();
      });
      qp.show();
    });
    if (!picked) return false;
    if (picked.action === "run") {
      const missing = missingRequired(options, choices);
      if (!missing.length) return true;
      void vscode.window.showWarningMessage(`Metaflow Expert: give a value for ${missing.join(", ")} first.`);
      continue;
    }
    if (picked.action === "parameter" && picked.key) await editParameter(options, choices, picked.key);
    else if (picked.action === "config" && picked.key) await editConfig(options, choices, picked.key);
    else if (picked.action === "with") await editWith(choices);
    else if (picked.action === "setting" && picked.key) await editSetting(options, choices, picked.key);
  }
}
