/**
 * Types of the server's LSP extensions, copied from the contract in docs/architecture.md
 * ("Language server protocol extensions"). Kept in one place so a contract change is one edit.
 */

export type Severity = "error" | "warning" | "info" | "hint" | "off";

/** `initializationOptions` and `workspace/didChangeConfiguration` → `settings.metaflowExpert`. */
export interface ServerSettings {
  interpreter: string | null;
  metaflowSource: string | null;
  extraDocs: string[];
  lint: {
    run: "onType" | "onSave";
    select: string[];
    ignore: string[];
    severity: Record<string, Severity>;
  };
  ask: {
    model: string | null;
    baseUrl: string | null;
    maxTurns: number | null;
    maxTokens: number | null;
    deadlineSeconds: number | null;
  };
  logLevel: string;
}

export type EdgeKind = "linear" | "branch" | "foreach" | "switch" | "parallel" | "join";

export interface GraphNode {
  name: string;
  type: string;
  line: number;
  decorators: string[];
  diagnostics: number;
  /** The step's problems (code + message), for the node's tooltip. */
  problems?: GraphProblem[];
  doc?: string | null;
}

export interface GraphProblem {
  code: string;
  message: string;
  severity?: string;
}

/** A foreach body: the steps between a foreach split and its join (direct members only;
 *  a nested foreach is its own group whose `parent` is this group's `split`). */
export interface GraphGroup {
  split: string;
  join?: string | null;
  parent?: string | null;
  label: string;
  steps: string[];
}

export interface GraphEdge {
  source: string;
  target: string;
  kind: EdgeKind | string;
  label?: string | null;
}

export interface FlowGraphDto {
  name: string;
  line: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Foreach bodies, outer groups before the ones nested in them. */
  groups?: GraphGroup[];
}

/** Result of `metaflowExpert.graph [uri]`. */
export interface GraphResult {
  flows: FlowGraphDto[];
}

export interface Citation {
  path: string;
  line: number;
  end_line?: number | null;
  verified: boolean;
  uri?: string | null;
}

export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  cost_usd?: number | null;
}

/** Argument of `metaflowExpert.ask`. */
export interface AskParams {
  question: string;
  conversationId?: string;
  uri?: string;
  line?: number;
  selection?: string;
  offline?: boolean;
}

/** Result of `metaflowExpert.ask`. */
export interface AskResult {
  answer: string;
  citations: Citation[];
  mode: "agent" | "offline" | string;
  not_found?: boolean;
  usage?: Usage | null;
  conversationId?: string | null;
  /** Optional one-line remark from the server (e.g. why the answer is offline). */
  note?: string | null;
}

/** `metaflowExpert/askDelta` notification. */
export interface AskDelta {
  token: string | number;
  text: string;
  /** True when the text streamed so far is superseded and must be cleared first. */
  reset?: boolean;
}

export type ServerState = "starting" | "indexing" | "ready" | "error";

/** `metaflowExpert/status` notification and `metaflowExpert.status` result. */
export interface StatusInfo {
  state: ServerState | string;
  version?: string | null;
  root?: string | null;
  message?: string | null;
}

export const COMMANDS = {
  graph: "metaflowExpert.graph",
  ask: "metaflowExpert.ask",
  status: "metaflowExpert.status",
} as const;

export const NOTIFICATIONS = {
  status: "metaflowExpert/status",
  askDelta: "metaflowExpert/askDelta",
} as const;
