/**
 * The Ask panel's messages, both ways, in one place: the extension host and the webview script
 * are bundled separately, and a field renamed on one side only would fail silently.
 * Also how they compact for replay (see replayChannel.ts): the page is rebuilt from them.
 */

import type { ReplayRules } from "./replayChannel";

export interface CitationView {
  index: number;
  label: string;
  verified: boolean;
  openable: boolean;
}

/** Extension host → webview. */
export type ToAskView =
  | { type: "hint"; hasKey: boolean }
  | { type: "turnStart"; id: number; question: string; context: string }
  | { type: "delta"; id: number; html: string }
  | { type: "progress"; id: number; message: string }
  | {
      type: "turnEnd";
      id: number;
      html: string;
      citations: CitationView[];
      mode: string;
      notFound: boolean;
      usage: string;
      note: string;
    }
  | { type: "turnError"; id: number; message: string; partial?: string }
  | { type: "cleared" };

/** Webview → extension host. */
export type FromAskView =
  | { type: "ask"; question: string; offline?: boolean }
  | { type: "cancel" }
  | { type: "openCitation"; turn: number; index: number }
  | { type: "setKey" }
  | { type: "newConversation" }
  | { type: "ready" };

/**
 * Each delta carries the whole answer so far and each progress line replaces the last, so only
 * the newest of each per turn matters, and neither once the turn has ended. "cleared" starts a
 * new conversation: only the API-key hint outlives it.
 */
export const askReplayRules: ReplayRules<ToAskView> = {
  slot: (m) => (m.type === "hint" ? "hint" : m.type === "delta" || m.type === "progress" ? `${m.type}:${m.id}` : undefined),
  retires: (m) => (m.type === "turnEnd" || m.type === "turnError" ? [`delta:${m.id}`, `progress:${m.id}`] : []),
  resets: (m) => m.type === "cleared",
  survivesReset: (m) => m.type === "hint",
  emptyPage: { type: "cleared" },
};
