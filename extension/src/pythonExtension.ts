/**
 * Read the interpreter selected in the Python extension (ms-python.python), if it is installed.
 * Optional and guarded: any failure means "no opinion", never an error for the user.
 */

import * as vscode from "vscode";

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
  onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  environments?: PythonEnvironmentsApi;
}

async function api(): Promise<PythonExtensionApi | undefined> {
  try {
    const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
    if (!ext) return undefined;
    return ext.isActive ? ext.exports : await ext.activate();
  } catch {
    return undefined;
  }
}

/** The active environment's executable for `resource`, or undefined. */
export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  try {
    const envs = (await api())?.environments;
    const p = envs?.getActiveEnvironmentPath(resource)?.path;
    // The API reports a bare "python" when nothing is selected: treat that as no selection.
    return p && p !== "python" ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Subscribe to interpreter changes in the Python extension (no-op when it is absent). */
export async function onPythonInterpreterChange(listener: () => void): Promise<vscode.Disposable> {
  try {
    const event = (await api())?.environments?.onDidChangeActiveEnvironmentPath;
    if (event) return event(() => listener());
  } catch {
    // fall through
  }
  return new vscode.Disposable(() => undefined);
}
