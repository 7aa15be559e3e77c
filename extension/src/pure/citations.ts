/**
 * Turn the server's citations into links the Ask panel can open.
 *
 * Citations are `relative/path.py:LINE` (1-based) relative to the indexed Metaflow root, each
 * with the `uri` of the file the server checked. We open them read-only through the
 * `metaflow-source:` scheme so a click never lets the user edit their installed Metaflow by
 * accident. Pure: no `vscode` import.
 */

import type { Citation } from "./protocol";

export const SOURCE_SCHEME = "metaflow-source";

export interface CitationTarget {
  /** URI string to open (`metaflow-source:` for file URIs, the server's URI otherwise). */
  uri: string;
  /** 0-based line range to select. */
  startLine: number;
  endLine: number;
  verified: boolean;
  label: string;
}

/** `path:line` or `path:line-end` as shown to the user. */
export function citationLabel(c: Citation): string {
  const end = c.end_line && c.end_line > c.line ? `-${c.end_line}` : "";
  return `${c.path}:${c.line}${end}`;
}

/** Rewrite a `file://` URI to the read-only scheme, keeping the path. Others pass through. */
export function readOnlyUri(uri: string): string {
  if (uri.startsWith("file://")) return SOURCE_SCHEME + ":" + uri.slice("file://".length);
  return uri;
}

/** Where a click on citation `c` goes; null when the server gave no URI (nothing to open). */
export function citationTarget(c: Citation): CitationTarget | null {
  if (!c.uri) return null;
  const start = Math.max(0, (c.line || 1) - 1);
  const end = Math.max(start, (c.end_line && c.end_line >= c.line ? c.end_line : c.line) - 1);
  return { uri: readOnlyUri(c.uri), startLine: start, endLine: end, verified: !!c.verified, label: citationLabel(c) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Wrap every mention of a cited `path:line` in rendered HTML with a link carrying the citation's
 * index. Only text outside tags is touched, and a mention inside an existing link is left alone.
 * Unverified citations get the `unverified` class so the panel can mark them.
 */
export function linkCitationsInHtml(html: string, citations: Citation[]): string {
  if (!citations.length) return html;
  // Longest labels first so `a.py:12-20` wins over `a.py:12`.
  const entries = citations
    .map((c, i) => ({ i, c }))
    .filter((e) => e.c.uri)
    .flatMap((e) => {
      const labels = new Set([citationLabel(e.c), `${e.c.path}:${e.c.line}`]);
      return [...labels].map((label) => ({ ...e, label }));
    })
    .sort((a, b) => b.label.length - a.label.length);
  if (!entries.length) return html;
  const byLabel = new Map(entries.map((e) => [escapeHtml(e.label), e]));
  const pattern = new RegExp(
    `(${entries.map((e) => escapeRegExp(escapeHtml(e.label))).join("|")})(?![0-9])`,
    "g",
  );
  let inAnchor = 0;
  return html
    .split(/(<[^>]*>)/)
    .map((part) => {
      if (part.startsWith("<")) {
        if (/^<a[\s>]/i.test(part)) inAnchor++;
        else if (/^<\/a>/i.test(part)) inAnchor = Math.max(0, inAnchor - 1);
        return part;
      }
      if (inAnchor) return part;
      return part.replace(pattern, (m: string) => {
        const e = byLabel.get(m);
        if (!e) return m;
        const cls = e.c.verified ? "cite" : "cite unverified";
        const title = e.c.verified ? "Open in the indexed Metaflow source" : "Not verified against the indexed source";
        return `<a href="#" class="${cls}" data-cite="${e.i}" title="${title}">${m}</a>`;
      });
    })
    .join("");
}
