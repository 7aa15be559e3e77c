/**
 * Render an answer's markdown to HTML for the Ask panel.
 *
 * Uses the bundled `marked` (no network). Raw HTML in the model's text is escaped, not passed
 * through: the panel's CSP would block scripts anyway, but escaping also keeps stray tags from
 * breaking the layout. Citations become links after rendering (see citations.ts).
 */

import { Marked } from "marked";
import { escapeHtml, linkCitationsInHtml } from "./citations";
import type { Citation, Usage } from "./protocol";

const md = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html(token) {
      return escapeHtml(token.text);
    },
    link(token) {
      // Links in answers may point anywhere; show the target instead of navigating the webview.
      const text = this.parser.parseInline(token.tokens);
      return `<span class="ext-link" title="${escapeHtml(token.href)}">${text}</span>`;
    },
    image(token) {
      return escapeHtml(`[image: ${token.text || token.href}]`);
    },
  },
});

export function renderMarkdown(text: string): string {
  try {
    return md.parse(text, { async: false }) as string;
  } catch {
    return `<pre>${escapeHtml(text)}</pre>`;
  }
}

export function renderAnswer(text: string, citations: Citation[]): string {
  return linkCitationsInHtml(renderMarkdown(text), citations);
}

/** One-line usage summary: `in 1,234 · out 567 · cache 0 tokens · $0.0123`. */
export function formatUsage(usage: Usage | null | undefined): string {
  if (!usage) return "";
  if (!usage.input_tokens && !usage.output_tokens && !usage.cost_usd) return "no API tokens used";
  const n = (v: number | undefined) => (v ?? 0).toLocaleString("en-US");
  const parts = [`in ${n(usage.input_tokens)}`, `out ${n(usage.output_tokens)}`];
  if (usage.cache_read_tokens) parts.push(`cache ${n(usage.cache_read_tokens)}`);
  let s = parts.join(" · ") + " tokens";
  if (typeof usage.cost_usd === "number") s += ` · $${usage.cost_usd.toFixed(4)}`;
  return s;
}
