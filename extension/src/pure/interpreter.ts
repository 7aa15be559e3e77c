/**
 * Which Python runs the language server, and which Python's Metaflow is analysed.
 *
 * Pure logic (no `vscode` import) so the precedence rules are unit-tested without an editor:
 * the `metaflowExpert.interpreter` setting wins, then the Python extension's selected
 * environment, then `python3`/`python` found on PATH. The extension host's PATH comes from a
 * login shell and may differ from the terminal's, so every step says what it tried.
 */

import * as path from "node:path";

export type InterpreterSource = "setting" | "python-extension" | "path";

export interface ResolveInput {
  /** Raw `metaflowExpert.interpreter` value (may contain `${workspaceFolder}`, `~`). */
  setting?: string | null;
  /** Executable path reported by the Python extension, if installed and set. */
  pythonExtensionPath?: string | null;
  workspaceFolder?: string | null;
  home?: string | null;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Injected so tests need no real files. */
  isExecutable: (file: string) => boolean;
}

export type Resolution =
  | { ok: true; command: string; source: InterpreterSource; tried: string[] }
  | { ok: false; tried: string[]; message: string };

/** Expand `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`. */
export function expandVariables(
  value: string,
  ctx: { workspaceFolder?: string | null; home?: string | null; env?: Record<string, string | undefined> },
): string {
  let out = value.trim();
  out = out.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (m, name: string, envName?: string) => {
    if (name === "workspaceFolder") return ctx.workspaceFolder ?? m;
    if (name === "userHome") return ctx.home ?? m;
    if (envName) return ctx.env?.[envName] ?? "";
    return m;
  });
  if (ctx.home && (out === "~" || out.startsWith("~/"))) out = ctx.home + out.slice(1);
  return out;
}

/** A setting path made absolute: relative paths are taken from the workspace folder. */
export function resolvePathSetting(
  value: string | null | undefined,
  ctx: { workspaceFolder?: string | null; home?: string | null; env?: Record<string, string | undefined> },
): string | null {
  if (!value || !value.trim()) return null;
  const expanded = expandVariables(value, ctx);
  if (!expanded) return null;
  const looksLikePath = expanded.includes("/") || expanded.includes("\\");
  if (looksLikePath && !path.isAbsolute(expanded) && ctx.workspaceFolder) {
    return path.resolve(ctx.workspaceFolder, expanded);
  }
  return expanded;
}

/** Find a bare command name on PATH; absolute/relative paths are returned when executable. */
export function which(
  command: string,
  env: Record<string, string | undefined>,
  isExecutable: (file: string) => boolean,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (command.includes("/") || command.includes("\\")) return isExecutable(command) ? command : null;
  const sep = platform === "win32" ? ";" : ":";
  const exts = platform === "win32" ? ["", ".exe", ".cmd", ".bat"] : [""];
  for (const dir of (env.PATH ?? env.Path ?? "").split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** Apply the precedence rules; never throws. */
export function resolveInterpreter(input: ResolveInput): Resolution {
  const env = input.env ?? {};
  const platform = input.platform ?? process.platform;
  const tried: string[] = [];
  const ctx = { workspaceFolder: input.workspaceFolder, home: input.home, env };

  const fromSetting = resolvePathSetting(input.setting, ctx);
  if (fromSetting) {
    tried.push(`setting metaflowExpert.interpreter = ${fromSetting}`);
    const found = which(fromSetting, env, input.isExecutable, platform);
    if (found) return { ok: true, command: found, source: "setting", tried };
    // An explicit setting that does not work is an error, not a reason to guess another Python.
    return {
      ok: false,
      tried,
      message: `metaflowExpert.interpreter is set to "${fromSetting}", which is not an executable file.`,
    };
  }

  if (input.pythonExtensionPath) {
    tried.push(`Python extension environment ${input.pythonExtensionPath}`);
    const found = which(input.pythonExtensionPath, env, input.isExecutable, platform);
    if (found) return { ok: true, command: found, source: "python-extension", tried };
  }

  const names = platform === "win32" ? ["python", "py"] : ["python3", "python"];
  for (const name of names) {
    tried.push(`${name} on PATH`);
    const found = which(name, env, input.isExecutable, platform);
    if (found) return { ok: true, command: found, source: "path", tried };
  }
  return {
    ok: false,
    tried,
    message: "No Python interpreter found. Set metaflowExpert.interpreter or select one with the Python extension.",
  };
}

/** The interpreter inside the extension's private venv (created on demand in globalStorage). */
export function privateVenvPython(venvDir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? path.join(venvDir, "Scripts", "python.exe") : path.join(venvDir, "bin", "python");
}

/** Choose the newest bundled wheel (file names like `metaflow_expert-0.1.0-py3-none-any.whl`). */
export function pickWheel(files: string[]): string | null {
  const wheels = files.filter((f) => /^metaflow_expert-.*\.whl$/.test(path.basename(f)));
  if (!wheels.length) return null;
  const version = (f: string) =>
    (path.basename(f).split("-")[1] ?? "0").split(".").map((p) => parseInt(p, 10) || 0);
  wheels.sort((a, b) => {
    const va = version(a);
    const vb = version(b);
    for (let i = 0; i < Math.max(va.length, vb.length); i++) {
      const d = (va[i] ?? 0) - (vb[i] ?? 0);
      if (d) return d;
    }
    return 0;
  });
  return wheels[wheels.length - 1];
}
