/**
 * Client-side commands carried by the server's code lenses: run a flow, spin a step (in a
 * terminal, with the user's interpreter), and show the graph.
 */

import * as path from "node:path";
import * as vscode from "vscode";
import { flowCommandLine, quoteArg } from "./pure/shell";
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

async function runInTerminal(manager: ServerManager, uriArg: unknown, verb: "run" | "spin", step?: string): Promise<void> {
  const uri = toUri(uriArg);
  if (!uri || uri.scheme !== "file") {
    void vscode.window.showWarningMessage("Metaflow Expert: open a saved flow file first.");
    return;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  const python = manager.userPython ?? "python3";
  if (!terminal || terminal.exitStatus !== undefined) {
    terminal = vscode.window.createTerminal({ name: "Metaflow" });
  }
  terminal.show(true);
  const cwd = path.dirname(uri.fsPath);
  // One line, so the command is not typed ahead of a still-starting shell's prompt.
  const sep = process.platform === "win32" ? ";" : "&&";
  terminal.sendText(`cd ${quoteArg(cwd)} ${sep} ${flowCommandLine(python, uri.fsPath, verb, step)}`);
}

export function registerFlowCommands(manager: ServerManager): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("metaflowExpert.runFlow", (uri?: unknown) => runInTerminal(manager, uri, "run")),
    vscode.commands.registerCommand("metaflowExpert.spinStep", async (uri?: unknown, step?: unknown) => {
      let name = typeof step === "string" ? step : undefined;
      if (!name) {
        name = await vscode.window.showInputBox({ prompt: "Step to spin", placeHolder: "step name" });
        if (!name) return;
      }
      await runInTerminal(manager, uri, "spin", name);
    }),
    vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) terminal = undefined;
    }),
  ];
}
