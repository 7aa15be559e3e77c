/**
 * Map the user's `metaflowExpert.*` settings to the server's settings shape (the contract in
 * docs/architecture.md). Pure so the mapping is unit-tested; the extension feeds it the value of
 * `workspace.getConfiguration("metaflowExpert")`. Invalid values are dropped rather than sent,
 * so a typo in settings.json never breaks the server.
 */

import { resolvePathSetting } from "./interpreter";
import type { ServerSettings, Severity } from "./protocol";

/** What `getConfiguration("metaflowExpert").get(key)` returns, keyed by the dotted setting name. */
export type ConfigReader = (key: string) => unknown;

const SEVERITIES: ReadonlySet<string> = new Set(["error", "warning", "info", "hint", "off"]);
const LOG_LEVELS: ReadonlySet<string> = new Set(["error", "warning", "info", "debug"]);

function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() ? v.trim() : null;
}

function strList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === "string" && x.trim() !== "").map((x) => x.trim());
}

function positiveInt(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : null;
}

function severityMap(v: unknown): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  if (!v || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [code, sev] of Object.entries(v as Record<string, unknown>)) {
    if (typeof sev === "string" && SEVERITIES.has(sev.toLowerCase()) && code.trim()) {
      out[code.trim()] = sev.toLowerCase() as Severity;
    }
  }
  return out;
}

export interface MapContext {
  workspaceFolder?: string | null;
  home?: string | null;
  env?: Record<string, string | undefined>;
  /** The interpreter actually resolved (setting, Python extension or PATH); wins over the raw setting. */
  resolvedInterpreter?: string | null;
}

export function toServerSettings(get: ConfigReader, ctx: MapContext = {}): ServerSettings {
  const run = get("lint.run");
  const logLevel = str(get("logLevel"));
  return {
    interpreter: ctx.resolvedInterpreter ?? resolvePathSetting(str(get("interpreter")), ctx),
    metaflowSource: resolvePathSetting(str(get("metaflowSource")), ctx),
    extraDocs: strList(get("extraDocs"))
      .map((d) => resolvePathSetting(d, ctx))
      .filter((d): d is string => !!d),
    lint: {
      run: run === "onSave" ? "onSave" : "onType",
      select: strList(get("lint.select")),
      ignore: strList(get("lint.ignore")),
      severity: severityMap(get("lint.severity")),
    },
    ask: {
      model: str(get("ask.model")),
      baseUrl: str(get("ask.baseUrl")),
      maxTurns: positiveInt(get("ask.maxTurns")),
      maxTokens: positiveInt(get("ask.maxTokens")),
      deadlineSeconds: positiveInt(get("ask.deadlineSeconds")),
    },
    logLevel: logLevel && LOG_LEVELS.has(logLevel) ? logLevel : "info",
  };
}

/** Settings whose change needs a new server process rather than a didChangeConfiguration. */
export const RESTART_KEYS = ["metaflowExpert.interpreter", "metaflowExpert.metaflowSource"] as const;
