/**
 * Client-side commands carried by the server's code lenses: run a flow (as is, or "Run With…"
 * Parameters, Configs, `--with` and run settings picked first), spin a step (in a terminal, with
 * the user's interpreter), and show the graph.
 *
 * Before a run the server is asked (`metaflowExpert.runOptions`) whether a decorator's own
 * `step_init`/`flow_init` check would refuse the run's datastore or environment; if so a modal
 * says which and where Metaflow checks it, with "Run anyway". No answer from the server (not
 * started, no Metaflow) never blocks a run.
 */

import * as path from "node:path";
import * as vscode from "vscode";
import { ExecuteCommandRequest } from "vscode-languageclient/node";
import {
  choicesKey,
  reconcile,
  RUN_OPTIONS_COMMAND,
  runWithCommandLine,
  serverChoices,
  warningText,
  type RunChoices,
  type RunOptions,
  type RunOptionsResult,
  type RunWarning,
} from "./pure/runWith";
import { flowCommandLine, quoteArg } from "./pure/shell";
import { pickRunChoices } from "./runWithPicker";
import type { ServerManager } from "./serverManager";

function toUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === "string" && arg) return vscode.Uri.parse(arg);
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === "python" ? doc.uri : undefined;
}

/** The document a command applies to: its argument, else the active Python editor. */
export function targetUri(arg: unknown): vscode.Uri | undefined {
  return toUri(arg);
}

let terminal: vscode.Terminal | undefined;

/** A saved flow file to run, or undefined (the user was told why). */
async function savedFlow(uriArg: unknown): Promise<vscode.Uri | undefined> {
  const uri = toUri(uriArg);
  if (!uri || uri.scheme !== "file") {
    void vscode.window.showWarningMessage("Metaflow Expert: open a saved flow file first.");
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  return uri;
}

function sendToTerminal(uri: vscode.Uri, line: string): void {
  if (!terminal || terminal.exitStatus !== undefined) {
    terminal = vscode.window.createTerminal({ name: "Metaflow" });
  }
  terminal.show(true);
  const cwd = path.dirname(uri.fsPath);
  // One line, so the command is not typed ahead of a still-starting shell's prompt.
  const sep = process.platform === "win32" ? ";" : "&&";
  terminal.sendText(`cd ${quoteArg(cwd)} ${sep} ${line}`);
}

/** The server's run options for the file's flows, or undefined when it cannot answer. */
async function runOptions(manager: ServerManager, uri: vscode.Uri, choices?: RunChoices): Promise<RunOptionsResult | undefined> {
  const client = await manager.whenReady(15_000);
  if (!client) return undefined;
  try {
    const arg = { uri: uri.toString(), choices: choices ? serverChoices(choices) : undefined };
    return (await client.sendRequest(ExecuteCommandRequest.type, { command: RUN_OPTIONS_COMMAND, arguments: [arg] })) as RunOptionsResult;
  } catch {
    return undefined;
  }
}

/** True when there is nothing to warn about or the user chose "Run anyway". */
async function confirmWarnings(warnings: RunWarning[]): Promise<boolean> {
  const text = warningText(warnings);
  if (!text) return true;
  const go = "Run anyway";
  const got = await vscode.window.showWarningMessage(text.message, { modal: true, detail: text.detail }, go);
  return got === go;
}

async function runFlow(manager: ServerManager, uriArg: unknown): Promise<void> {
  const uri = await savedFlow(uriArg);
  if (!uri) return;
  const result = await runOptions(manager, uri);
  if (!(await confirmWarnings((result?.flows ?? []).flatMap((f) => f.warnings)))) return;
  sendToTerminal(uri, flowCommandLine(manager.userPython ?? "python3", uri.fsPath, "run"));
}

async function pickFlow(flows: RunOptions[]): Promise<RunOptions | undefined> {
  if (flows.length <= 1) return flows[0];
  const got = await vscode.window.showQuickPick(
    flows.map((f) => ({ label: f.name, flow: f })),
    { title: "Which flow?" },
  );
  return got?.flow;
}

async function runFlowWith(manager: ServerManager, state: vscode.Memento, uriArg: unknown): Promise<void> {
  const uri = await savedFlow(uriArg);
  if (!uri) return;
  const result = await runOptions(manager, uri);
  if (!result) {
    void vscode.window.showWarningMessage("Metaflow Expert: the language server is not ready; try again in a moment.");
    return;
  }
  const options = await pickFlow(result.flows);
  if (!options) {
    void vscode.window.showWarningMessage("Metaflow Expert: no flow found in this file.");
    return;
  }
  const key = choicesKey(uri.fsPath, options.name);
  const choices = reconcile(options, state.get<RunChoices>(key));
  if (!(await pickRunChoices(options, choices))) return;
  await state.update(key, choices);
  // the warnings for what was picked (a chosen --datastore may settle them, a --with add some)
  const checked = await runOptions(manager, uri, choices);
  const flow = checked?.flows.find((f) => f.name === options.name) ?? options;
  if (!(await confirmWarnings(checked ? flow.warnings : options.warnings))) return;
  sendToTerminal(uri, runWithCommandLine(manager.userPython ?? "python3", uri.fsPath, flow, choices));
}

/** `state` (the workspace's memento) remembers each flow's "Run With…" choices. */
export function registerFlowCommands(manager: ServerManager, state: vscode.Memento): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("metaflowExpert.runFlow", (uri?: unknown) => runFlow(manager, uri)),
    vscode.commands.registerCommand("metaflowExpert.runFlowWith", (uri?: unknown) => runFlowWith(manager, state, uri)),
    vscode.commands.registerCommand("metaflowExpert.spinStep", async (uri?: unknown, step?: unknown) => {
      let name = typeof step === "string" ? step : undefined;
      if (!name) {
        name = await vscode.window.showInputBox({ prompt: "Step to spin", placeHolder: "step name" });
        if (!name) return;
      }
      const target = await savedFlow(uri);
      if (target) sendToTerminal(target, flowCommandLine(manager.userPython ?? "python3", target.fsPath, "spin", name));
    }),
    vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) terminal = undefined;
    }),
  ];
}
