/**
 * A private venv in the extension's global storage, with the metaflow-expert wheel bundled in
 * the .vsix installed into it. Used when the user's interpreter lacks `metaflow_expert`; the
 * user's interpreter is still the one whose Metaflow gets analysed (passed as a setting).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { pickWheel, privateVenvPython } from "./pure/interpreter";
import { run } from "./processes";

export function privateVenvDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, "server-venv");
}

export function privatePython(context: vscode.ExtensionContext): string | undefined {
  const p = privateVenvPython(privateVenvDir(context));
  return fs.existsSync(p) ? p : undefined;
}

export function bundledWheel(context: vscode.ExtensionContext): string | undefined {
  const dir = path.join(context.extensionPath, "bundled");
  try {
    return pickWheel(fs.readdirSync(dir).map((f) => path.join(dir, f))) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Create the venv with `basePython` and pip install the bundled wheel. Throws with a one-line message. */
export async function createPrivateEnv(
  context: vscode.ExtensionContext,
  basePython: string,
  log: vscode.LogOutputChannel,
): Promise<string> {
  const wheel = bundledWheel(context);
  if (!wheel) throw new Error("this build of the extension bundles no metaflow-expert wheel");
  const venv = privateVenvDir(context);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Metaflow Expert: creating the server environment", cancellable: false },
    async (progress) => {
      fs.mkdirSync(path.dirname(venv), { recursive: true });
      progress.report({ message: `python -m venv (${basePython})` });
      log.info(`Creating ${venv} with ${basePython}`);
      let r = await run(basePython, ["-m", "venv", "--clear", venv], { timeoutMs: 300_000 });
      if (!r.ok) throw new Error(`python -m venv failed: ${r.message}`);
      const python = privateVenvPython(venv);
      progress.report({ message: `pip install ${path.basename(wheel)}` });
      log.info(`Installing ${wheel}`);
      r = await run(python, ["-m", "pip", "install", "--disable-pip-version-check", "--upgrade", wheel], {
        timeoutMs: 900_000,
        onOutput: (chunk) => log.info(chunk.trimEnd()),
      });
      if (!r.ok) throw new Error(`pip install failed: ${r.message}`);
      return python;
    },
  );
}
