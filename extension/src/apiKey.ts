/**
 * The Anthropic API key lives in VS Code's SecretStorage only. It reaches the server as the
 * `ANTHROPIC_API_KEY` environment variable of the server process — never through settings,
 * never in a log line.
 */

import * as vscode from "vscode";

const SECRET = "metaflowExpert.anthropicApiKey";

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(): Thenable<string | undefined> {
    return this.secrets.get(SECRET);
  }

  /** Fires when the key is set or cleared (also from another window). */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key === SECRET) listener();
    });
  }

  async promptAndStore(): Promise<boolean> {
    const key = await vscode.window.showInputBox({
      title: "Metaflow Expert: Anthropic API key",
      prompt: "Stored in VS Code's secret storage and passed to the server process only.",
      password: true,
      ignoreFocusOut: true,
      placeHolder: "sk-ant-…",
      validateInput: (v) => (v.trim() ? undefined : "Enter a key, or press Escape to cancel"),
    });
    if (!key?.trim()) return false;
    await this.secrets.store(SECRET, key.trim());
    void vscode.window.showInformationMessage("Metaflow Expert: API key saved; the server restarts to use it.");
    return true;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET);
    void vscode.window.showInformationMessage("Metaflow Expert: API key removed; questions are answered offline.");
  }
}
