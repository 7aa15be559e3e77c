/**
 * Status bar item: the indexed Metaflow version and the server's state, driven by the
 * `metaflowExpert/status` notification. A click opens the log, where failures are explained.
 */

import * as vscode from "vscode";
import type { StatusInfo } from "./pure/protocol";

const ICONS: Record<string, string> = {
  starting: "$(sync~spin)",
  indexing: "$(sync~spin)",
  ready: "$(check)",
  error: "$(error)",
  stopped: "$(circle-slash)",
};

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  current: StatusInfo = { state: "starting" };

  constructor() {
    this.item = vscode.window.createStatusBarItem("metaflowExpert.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Metaflow Expert";
    this.item.command = "metaflowExpert.showLog";
    this.update({ state: "starting" });
    this.item.show();
  }

  update(info: StatusInfo): void {
    // A notification may omit the version (e.g. "indexing"): keep the last one known.
    this.current = { ...this.current, ...info, version: info.version ?? this.current.version };
    const { state, version, message, root } = this.current;
    const icon = ICONS[state] ?? "$(question)";
    const label = version ? `Metaflow ${version}` : "Metaflow";
    this.item.text = `${icon} ${label}${state === "ready" ? "" : ` (${state})`}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**Metaflow Expert**: ${state}`);
    if (version) tip.appendMarkdown(`\n\nIndexed Metaflow ${version}`);
    if (root) tip.appendText(`\n\n${root}`);
    if (message) tip.appendText(`\n\n${message}`);
    tip.appendMarkdown("\n\nClick to open the server log.");
    this.item.tooltip = tip;
    this.item.backgroundColor =
      state === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
