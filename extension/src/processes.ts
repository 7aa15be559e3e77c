/** Small child-process helpers: run a Python and report what happened in one line. */

import { execFile } from "node:child_process";

export interface RunResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  message: string;
}

export function run(
  command: string,
  args: string[],
  opts: { timeoutMs?: number; cwd?: string; onOutput?: (chunk: string) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: opts.timeoutMs ?? 60_000, cwd: opts.cwd, maxBuffer: 16 * 1024 * 1024, env: process.env },
      (error, stdout, stderr) => {
        const out = String(stdout);
        const err = String(stderr);
        if (!error) return resolve({ ok: true, stdout: out, stderr: err, message: "" });
        const lastLine = err.trim().split("\n").pop() || error.message;
        resolve({ ok: false, stdout: out, stderr: err, message: lastLine });
      },
    );
    if (opts.onOutput) {
      child.stdout?.on("data", (d) => opts.onOutput?.(String(d)));
      child.stderr?.on("data", (d) => opts.onOutput?.(String(d)));
    }
  });
}

/** Does `python` import metaflow_expert? Returns its version or the one-line reason it does not. */
export async function probeServerPackage(python: string): Promise<{ ok: boolean; version?: string; message: string }> {
  const r = await run(python, ["-c", "import metaflow_expert as m; print(getattr(m, '__version__', '?'))"], {
    timeoutMs: 60_000,
  });
  if (r.ok) return { ok: true, version: r.stdout.trim(), message: "" };
  return { ok: false, message: r.message };
}
