/**
 * Lay out a flow's DAG with dagre and draw it as SVG for the graph panel.
 *
 * Runs in the extension host (pure, no `vscode` import) so the drawing is unit-tested and the
 * webview only shows a string and reports clicks. Nothing here styles with inline `style=`
 * attributes: the panel's CSP forbids them; classes + the panel's stylesheet do the colouring.
 * Edges that name a step the flow lacks get a dashed "missing" node, so a half-typed
 * `self.next(self.trian)` is visible instead of silently dropped. Foreach bodies (the server's
 * `groups`, computed from Metaflow's own split_parents) are dagre clusters drawn as labelled
 * boxes, nested foreach as nested boxes. Everything is drawn inside one `<g class="zoom">`, the
 * element the webview scales and moves to fit, zoom and pan (see graphView.ts); the SVG's own
 * `data-width`/`data-height` give the drawing's size.
 */

import dagre from "@dagrejs/dagre";
import { escapeHtml } from "./citations";
import type { FlowGraphDto, GraphGroup, GraphNode } from "./protocol";

const CHAR_W = 7.2;
const LINE_H = 16;
const PAD_X = 14;
const PAD_Y = 10;
const MAX_DECOS_PER_LINE = 30;
/**
 * From this many steps on, nodes show only the step name (type by outline colour, decorators
 * and type in the tooltip) and the layout is tighter: at 60 steps the full three-line nodes made
 * a drawing so tall that, fitted to a panel, its text was a quarter of its size.
 */
export const COMPACT_MIN_STEPS = 30;

export interface NodeBox {
  name: string;
  lines: { text: string; cls: string }[];
  width: number;
  height: number;
  missing: boolean;
  node?: GraphNode;
  padY: number;
}

/** The text lines of a node: name, type, decorators (wrapped), in that order. */
export function nodeLines(node: GraphNode): { text: string; cls: string }[] {
  const lines = [
    { text: node.name, cls: "n-name" },
    { text: node.type, cls: "n-type" },
  ];
  let current = "";
  for (const deco of node.decorators ?? []) {
    const d = deco.startsWith("@") ? deco : `@${deco}`;
    if (current && current.length + 1 + d.length > MAX_DECOS_PER_LINE) {
      lines.push({ text: current, cls: "n-deco" });
      current = d;
    } else {
      current = current ? `${current} ${d}` : d;
    }
  }
  if (current) lines.push({ text: current, cls: "n-deco" });
  return lines;
}

/**
 * A node's tooltip: name and type, then each problem on its own line (code and message, in
 * the server's order), then the docstring. A count alone made the user open Problems to learn
 * what the red outline meant.
 */
export function nodeTooltip(node: GraphNode | undefined, name: string): string {
  if (!node) return `${name}: no step with this name`;
  const lines = [`${name} (${node.type})`];
  const problems = node.problems ?? [];
  if (problems.length) {
    for (const p of problems) lines.push(`${p.code}: ${p.message}`);
  } else if (node.diagnostics > 0) {
    lines.push(`${node.diagnostics} problem${node.diagnostics > 1 ? "s" : ""}`);
  }
  if (node.decorators?.length) lines.push(node.decorators.map((d) => (d.startsWith("@") ? d : `@${d}`)).join(" "));
  if (node.doc) lines.push(node.doc.trim());
  return lines.join("\n");
}

/** The cluster id of a group in the dagre graph (step names are identifiers: no clash). */
export const groupId = (split: string): string => `group:${split}`;

/**
 * The groups that can be drawn: members that are steps of this flow, parents that exist
 * (else the group is drawn at top level), no cycles through `parent`. Outer before inner.
 */
export function drawableGroups(flow: FlowGraphDto): GraphGroup[] {
  const steps = new Set(flow.nodes.map((n) => n.name));
  const bySplit = new Map<string, GraphGroup>();
  for (const g of flow.groups ?? []) {
    const members = g.steps.filter((s) => steps.has(s));
    if (members.length && !bySplit.has(g.split)) bySplit.set(g.split, { ...g, parent: g.parent ?? null, steps: members });
  }
  for (const g of bySplit.values()) if (g.parent && !bySplit.has(g.parent)) g.parent = null;
  const depth = new Map<string, number>();
  const depthOf = (g: GraphGroup): number => {
    const chain: GraphGroup[] = [];
    let cur: GraphGroup | undefined = g;
    while (cur && !depth.has(cur.split)) {
      if (chain.includes(cur)) {
        cur.parent = null; // a malformed cycle of parents: cut it here
        depth.set(cur.split, 0);
        break;
      }
      chain.push(cur);
      cur = cur.parent ? bySplit.get(cur.parent) : undefined;
    }
    let d = cur ? depth.get(cur.split)! + 1 : 0;
    for (const c of chain.reverse()) if (!depth.has(c.split)) depth.set(c.split, d++);
    return depth.get(g.split)!;
  };
  const out = [...bySplit.values()];
  for (const g of out) depthOf(g);
  return out.sort((a, b) => depth.get(a.split)! - depth.get(b.split)!);
}

function box(name: string, node: GraphNode | undefined, compact: boolean): NodeBox {
  const lines = compact
    ? [{ text: name, cls: "n-name" }]
    : node
      ? nodeLines(node)
      : [{ text: name, cls: "n-name" }, { text: "missing step", cls: "n-type" }];
  const longest = Math.max(...lines.map((l) => l.text.length));
  return {
    name,
    lines,
    width: Math.max(compact ? 60 : 90, Math.ceil(longest * CHAR_W) + 2 * PAD_X),
    height: lines.length * LINE_H + 2 * (compact ? PAD_Y / 2 : PAD_Y),
    padY: compact ? PAD_Y / 2 : PAD_Y,
    missing: !node,
    node,
  };
}

function pathFrom(points: { x: number; y: number }[]): string {
  if (!points.length) return "";
  const [first, ...rest] = points;
  if (rest.length >= 2) {
    // A smooth curve through dagre's control points reads better than a polyline.
    let d = `M${first.x.toFixed(1)},${first.y.toFixed(1)}`;
    for (let i = 0; i < rest.length - 1; i++) {
      const p = rest[i];
      const q = rest[i + 1];
      const mx = (p.x + q.x) / 2;
      const my = (p.y + q.y) / 2;
      d += ` Q${p.x.toFixed(1)},${p.y.toFixed(1)} ${i === rest.length - 2 ? `${q.x.toFixed(1)},${q.y.toFixed(1)}` : `${mx.toFixed(1)},${my.toFixed(1)}`}`;
    }
    return d;
  }
  return `M${first.x.toFixed(1)},${first.y.toFixed(1)} ` + rest.map((p) => `L${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
}

const EDGE_KINDS = new Set(["linear", "branch", "foreach", "switch", "parallel", "join"]);

/** SVG for one flow. Nodes carry `data-step`/`data-line` for click → jump. */
export function renderFlowSvg(flow: FlowGraphDto): string {
  const g = new dagre.graphlib.Graph({ multigraph: true, directed: true, compound: true });
  const compact = flow.nodes.length >= COMPACT_MIN_STEPS;
  g.setGraph(
    compact
      ? { rankdir: "TB", nodesep: 16, ranksep: 26, edgesep: 8, marginx: 8, marginy: 8 }
      : { rankdir: "TB", nodesep: 30, ranksep: 44, edgesep: 14, marginx: 12, marginy: 12 },
  );
  g.setDefaultEdgeLabel(() => ({}));

  const known = new Map(flow.nodes.map((n) => [n.name, n]));
  const boxes = new Map<string, NodeBox>();
  const ensure = (name: string) => {
    if (!boxes.has(name)) {
      const b = box(name, known.get(name), compact);
      boxes.set(name, b);
      g.setNode(name, { width: b.width, height: b.height });
    }
  };
  flow.nodes.forEach((n) => ensure(n.name));
  const groups = drawableGroups(flow);
  for (const grp of groups) g.setNode(groupId(grp.split), { label: grp.label });
  for (const grp of groups) {
    if (grp.parent) g.setParent(groupId(grp.split), groupId(grp.parent));
    for (const s of grp.steps) g.setParent(s, groupId(grp.split));
  }
  // A foreach edge into a drawn box: the box's caption already says "foreach items".
  const boxedBy = new Map<string, string>();
  for (const grp of groups) for (const st of grp.steps) boxedBy.set(st, grp.split);
  const shownLabel = (e: FlowGraphDto["edges"][number]): string =>
    e.label && !(boxedBy.get(e.target) === e.source && (e.kind === "foreach" || e.kind === "parallel")) ? String(e.label) : "";
  flow.edges.forEach((e, i) => {
    ensure(e.source);
    ensure(e.target);
    const label = shownLabel(e);
    g.setEdge(
      e.source,
      e.target,
      label
        ? { width: Math.ceil(label.length * CHAR_W * 0.9) + 8, height: LINE_H, labelpos: "c" }
        : {},
      `e${i}`,
    );
  });
  dagre.layout(g);

  const graph = g.graph();
  // Room on the right for self-loops (and their labels), which are drawn outside dagre's box.
  const loopRoom = flow.edges.some((e) => e.source === e.target) ? 90 : 0;
  const width = Math.ceil(graph.width ?? 200) + loopRoom;
  const height = Math.ceil(graph.height ?? 100);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="flow-graph" data-flow="${escapeHtml(flow.name)}" ` +
      `data-width="${width}" data-height="${height}" width="${width}" height="${height}">`,
  );
  out.push("<defs>");
  for (const kind of EDGE_KINDS) {
    out.push(
      `<marker id="arrow-${kind}" class="arrow arrow-${kind}" viewBox="0 0 10 10" refX="9" refY="5" ` +
        `markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`,
    );
  }
  out.push("</defs>");
  out.push(`<g class="zoom">`);

  // Boxes first (outer before inner), so nodes and edges are drawn over them.
  groups.forEach((grp) => {
    const c = g.node(groupId(grp.split)) as { x: number; y: number; width: number; height: number } | undefined;
    if (!c || !Number.isFinite(c.width)) return;
    const x = c.x - c.width / 2;
    const y = c.y - c.height / 2;
    const members = grp.steps.join(", ");
    out.push(
      `<g class="group" data-split="${escapeHtml(grp.split)}"${grp.parent ? ` data-parent="${escapeHtml(grp.parent)}"` : ""}>` +
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${c.width.toFixed(1)}" height="${c.height.toFixed(1)}" rx="10" ry="10"/>` +
        `<text class="group-label" x="${(x + 8).toFixed(1)}" y="${(y + 13).toFixed(1)}">${escapeHtml(grp.label)}</text>` +
        `<title>${escapeHtml(`${grp.label}: once per item (${members})${grp.join ? `, joined by ${grp.join}` : ""}`)}</title></g>`,
    );
  });

  flow.edges.forEach((e, i) => {
    const ed = g.edge({ v: e.source, w: e.target, name: `e${i}` }) as
      | { points?: { x: number; y: number }[]; x?: number; y?: number }
      | undefined;
    if (!ed?.points) return;
    const kind = EDGE_KINDS.has(e.kind) ? e.kind : "linear";
    if (e.source === e.target) {
      // A recursive switch: dagre's self-edge points zig-zag, so draw a loop on the right side.
      const b = boxes.get(e.source);
      const pos = g.node(e.source) as { x: number; y: number } | undefined;
      if (!b || !pos) return;
      const x = pos.x + b.width / 2;
      const y1 = pos.y - b.height / 4;
      const y2 = pos.y + b.height / 4;
      out.push(
        `<g class="edge edge-${kind} self-loop" data-source="${escapeHtml(e.source)}" data-target="${escapeHtml(e.target)}">` +
          `<path d="M${x.toFixed(1)},${y1.toFixed(1)} C${(x + 36).toFixed(1)},${(y1 - 14).toFixed(1)} ${(x + 36).toFixed(1)},${(y2 + 14).toFixed(1)} ${x.toFixed(1)},${y2.toFixed(1)}" marker-end="url(#arrow-${kind})"/>` +
          (e.label ? `<text class="edge-label" x="${(x + 32).toFixed(1)}" y="${(pos.y + 4).toFixed(1)}" text-anchor="start">${escapeHtml(String(e.label))}</text>` : "") +
          `<title>${escapeHtml(`${e.source} → ${e.target} (${e.kind}${e.label ? `: ${e.label}` : ""})`)}</title></g>`,
      );
      return;
    }
    out.push(
      `<g class="edge edge-${kind}" data-source="${escapeHtml(e.source)}" data-target="${escapeHtml(e.target)}">` +
        `<path d="${pathFrom(ed.points)}" marker-end="url(#arrow-${kind})"/>` +
        (shownLabel(e) && ed.x !== undefined && ed.y !== undefined
          ? `<text class="edge-label" x="${ed.x.toFixed(1)}" y="${(ed.y + 4).toFixed(1)}" text-anchor="middle">${escapeHtml(shownLabel(e))}</text>`
          : "") +
        `<title>${escapeHtml(`${e.source} → ${e.target} (${e.kind}${e.label ? `: ${e.label}` : ""})`)}</title></g>`,
    );
  });

  for (const b of boxes.values()) {
    const pos = g.node(b.name) as { x: number; y: number } | undefined;
    if (!pos) continue;
    const x = pos.x - b.width / 2;
    const y = pos.y - b.height / 2;
    const diags = b.node?.diagnostics ?? 0;
    const classes = ["node", `type-${(b.node?.type ?? "missing").replace(/[^a-z-]/gi, "")}`];
    if (b.missing) classes.push("missing");
    if (diags > 0) classes.push("has-diagnostics");
    const line = b.node ? ` data-line="${b.node.line}"` : "";
    out.push(
      `<g class="${classes.join(" ")}" data-step="${escapeHtml(b.name)}"${line} tabindex="0" role="button">` +
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${b.width}" height="${b.height}" rx="6" ry="6"/>`,
    );
    b.lines.forEach((l, k) => {
      out.push(
        `<text class="${l.cls}" x="${pos.x.toFixed(1)}" y="${(y + b.padY + LINE_H * (k + 1) - 4).toFixed(1)}" text-anchor="middle">${escapeHtml(l.text)}</text>`,
      );
    });
    if (diags > 0) {
      const cx = x + b.width - 2;
      const cy = y + 2;
      out.push(
        `<g class="diag-badge"><circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="9"/>` +
          `<text x="${cx.toFixed(1)}" y="${(cy + 4).toFixed(1)}" text-anchor="middle">${diags}</text></g>`,
      );
    }
    out.push(`<title>${escapeHtml(nodeTooltip(b.node, b.name))}</title></g>`);
  }
  out.push("</g></svg>");
  return out.join("");
}
