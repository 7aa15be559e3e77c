/**
 * Entry point: wires the server manager, status bar, panels and commands together.
 * Every feature lives in its own module; this file only registers them.
 */

import * as vscode from "vscode";
import { ApiKeyStore } from "./apiKey";
import { AskPanel } from "./askPanel";
import { registerFlowCommands, targetUri } from "./flowCommands";
import { GraphPanel } from "./graphPanel";
import { onPythonInterpreterChange } from "./pythonExtension";
import { ServerManager } from "./serverManager";
import { registerSourceProvider } from "./sourceProvider";
import { StatusBar } from "./statusBar";

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("Metaflow Expert", { log: true });
  const status = new StatusBar();
  const apiKey = new ApiKeyStore(context.secrets);
  manager = new ServerManager(context, log, status, apiKey);
  const m = manager;
  context.subscriptions.push(log, status, m, registerSourceProvider(), ...registerFlowCommands(m, context.workspaceState));

  context.subscriptions.push(
    vscode.commands.registerCommand("metaflowExpert.showLog", () => log.show()),
    vscode.commands.registerCommand("metaflowExpert.restartServer", () => m.restart()),
    vscode.commands.registerCommand("metaflowExpert.createEnvironment", () => m.createEnvironment()),
    vscode.commands.registerCommand("metaflowExpert.setApiKey", () => apiKey.promptAndStore()),
    vscode.commands.registerCommand("metaflowExpert.clearApiKey", () => apiKey.clear()),
    vscode.commands.registerCommand("metaflowExpert.showGraph", (uri?: unknown) => {
      const target = targetUri(uri);
      if (!target) {
        void vscode.window.showWarningMessage("Metaflow Expert: open a flow file to see its graph.");
        return;
      }
      GraphPanel.show(context, m, target);
    }),
    vscode.commands.registerCommand("metaflowExpert.askExpert", async () => {
      const editor = vscode.window.activeTextEditor;
      const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
      const question = await vscode.window.showInputBox({
        title: "Ask Metaflow Expert",
        prompt: selection ? "Your question (the selected code is sent as context)" : "Your question about Metaflow",
        placeHolder: "e.g. What arguments does @batch take?",
        ignoreFocusOut: true,
      });
      if (!question?.trim()) return;
      const ctx =
        editor && editor.document.languageId === "python"
          ? { uri: editor.document.uri.toString(), line: editor.selection.active.line, selection }
          : {};
      await AskPanel.show(context, m, apiKey, question.trim(), ctx);
    }),
    apiKey.onDidChange(() => m.scheduleRestart("API key changed")),
  );
  // Activating the Python extension can take a while: never make our start wait for it.
  void onPythonInterpreterChange(() => {
    if (!vscode.workspace.getConfiguration("metaflowExpert").get<string>("interpreter")) {
      m.scheduleRestart("the Python extension's interpreter changed");
    }
  }).then((d) => context.subscriptions.push(d));

  void m.restart();
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
}
