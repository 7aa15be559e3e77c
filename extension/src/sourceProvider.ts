/**
 * Read-only documents for cited Metaflow source: `metaflow-source:/abs/path.py`. A citation
 * opens the installed Metaflow file without making it editable, so following a link never
 * invites an accidental edit of site-packages.
 */

import { readFile } from "node:fs/promises";
import * as vscode from "vscode";
import { SOURCE_SCHEME } from "./pure/citations";

export function registerSourceProvider(): vscode.Disposable {
  const provider: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      try {
        return await readFile(uri.fsPath, "utf8");
      } catch (e) {
        return `# Could not read ${uri.fsPath}: ${e instanceof Error ? e.message : String(e)}\n`;
      }
    },
  };
  return vscode.workspace.registerTextDocumentContentProvider(SOURCE_SCHEME, provider);
}
