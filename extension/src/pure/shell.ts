/** Build the terminal command lines for the Run/Spin code lenses. Pure, so quoting is tested. */

/** Quote one argument for a POSIX shell (or cmd/PowerShell on Windows, roughly). */
export function quoteArg(arg: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  if (platform === "win32") return `"${arg.replace(/"/g, '\\"')}"`;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One command line: every argument quoted, the first one the program. */
export function commandLine(parts: string[], platform: NodeJS.Platform = process.platform): string {
  const line = parts.map((p) => quoteArg(p, platform)).join(" ");
  // PowerShell needs the call operator to run a quoted executable path.
  return platform === "win32" && line.startsWith('"') ? `& ${line}` : line;
}

/** `<python> FILE run` / `<python> FILE spin STEP`. */
export function flowCommandLine(
  python: string,
  file: string,
  verb: "run" | "spin",
  step?: string,
  platform: NodeJS.Platform = process.platform,
): string {
  return commandLine([python, file, verb, ...(verb === "spin" && step ? [step] : [])], platform);
}
