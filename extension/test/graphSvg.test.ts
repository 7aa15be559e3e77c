import assert from "node:assert/strict";
import { test } from "node:test";
import { drawableGroups, nodeLines, nodeTooltip, renderFlowSvg } from "../src/pure/graphSvg";
import type { FlowGraphDto } from "../src/pure/protocol";

const flow: FlowGraphDto = {
  name: "BranchFlow",
  line: 3,
  nodes: [
    { name: "start", type: "split-switch", line: 5, decorators: [], diagnostics: 0 },
    { name: "a", type: "foreach", line: 9, decorators: ["batch", "@retry", "resources", "timeout", "catch"], diagnostics: 2 },
    { name: "b", type: "linear", line: 13, decorators: [], diagnostics: 0 },
    { name: "join", type: "join", line: 17, decorators: [], diagnostics: 0 },
    { name: "end", type: "end", line: 21, decorators: [], diagnostics: 0 },
  ],
  edges: [
    { source: "start", target: "a", kind: "switch", label: "high" },
    { source: "start", target: "b", kind: "switch", label: "low" },
    { source: "a", target: "join", kind: "foreach" },
    { source: "b", target: "trian", kind: "linear" },
    { source: "b", target: "b", kind: "switch", label: "again" },
    { source: "join", target: "end", kind: "linear" },
  ],
};

test("every step is a node with its name, type, decorators and line", () => {
  const svg = renderFlowSvg(flow);
  for (const n of flow.nodes) assert.match(svg, new RegExp(`<g class="node[^"]*" data-step="${n.name}" data-line="${n.line}"`));
  assert.match(svg, /<text class="n-type"[^>]*>split-switch<\/text>/);
  assert.match(svg, /@batch @retry @resources</);
  assert.match(svg, /@catch/);
});

test("steps with diagnostics are marked with a count", () => {
  const svg = renderFlowSvg(flow);
  assert.match(svg, /class="node type-foreach has-diagnostics" data-step="a"/);
  assert.match(svg, /<g class="diag-badge">.*?>2<\/text><\/g>/);
});

test("edges by kind, switch labels, self loops and missing targets", () => {
  const svg = renderFlowSvg(flow);
  assert.equal((svg.match(/<g class="edge /g) ?? []).length, flow.edges.length);
  assert.match(svg, /class="edge edge-switch" data-source="start" data-target="a"/);
  assert.match(svg, /class="edge-label"[^>]*>high<\/text>/);
  assert.match(svg, /class="edge edge-foreach"/);
  assert.match(svg, /class="node missing missing" data-step="trian"|class="node type-missing missing" data-step="trian"/);
  assert.match(svg, /class="edge edge-switch self-loop" data-source="b" data-target="b"><path d="M[\d.]+,[\d.]+ C/);
});

test("text is escaped and no inline style attributes are emitted (CSP)", () => {
  const svg = renderFlowSvg({ name: "<x>", line: 0, nodes: [{ name: "s<t>", type: "start", line: 1, decorators: ['a"b'], diagnostics: 0, doc: "<b>" }], edges: [] });
  assert.doesNotMatch(svg, /<x>|s<t>|<b>/);
  assert.doesNotMatch(svg, /style=/);
});

test("decorators wrap onto several lines", () => {
  const lines = nodeLines({ name: "s", type: "linear", line: 0, decorators: ["kubernetes", "resources", "retry", "environment", "card"], diagnostics: 0 });
  assert.ok(lines.filter((l) => l.cls === "n-deco").length >= 2);
  assert.ok(lines.every((l) => l.text.length <= 30 || l.cls !== "n-deco"));
});

test("an empty flow still renders", () => {
  assert.match(renderFlowSvg({ name: "Empty", line: 0, nodes: [], edges: [] }), /^<svg .*<\/svg>$/);
});

const nested: FlowGraphDto = {
  name: "Nested",
  line: 0,
  nodes: ["start", "outer", "inner", "inner_join", "outer_join", "end"].map((name, i) => ({
    name,
    type: name.endsWith("join") ? "join" : name === "start" || name === "outer" ? "foreach" : "linear",
    line: i * 4,
    decorators: [],
    diagnostics: name === "inner" ? 2 : 0,
    problems:
      name === "inner"
        ? [
            { code: "MF205", message: "artifact <x> is not set on every path", severity: "error" },
            { code: "MF301", message: "unknown argument memroy", severity: "warning" },
          ]
        : [],
  })),
  edges: [
    { source: "start", target: "outer", kind: "foreach", label: "foreach items" },
    { source: "outer", target: "inner", kind: "foreach", label: "foreach parts" },
    { source: "inner", target: "inner_join", kind: "join" },
    { source: "inner_join", target: "outer_join", kind: "join" },
    { source: "outer_join", target: "end", kind: "linear" },
  ],
  groups: [
    { split: "start", join: "outer_join", parent: null, label: "foreach items", steps: ["outer", "inner_join"] },
    { split: "outer", join: "inner_join", parent: "start", label: "foreach parts", steps: ["inner"] },
  ],
};

function rects(svg: string): Map<string, { x: number; y: number; w: number; h: number }> {
  const out = new Map<string, { x: number; y: number; w: number; h: number }>();
  const re = /<g class="(?:group|node[^"]*)" data-(?:split|step)="([^"]+)"[^>]*><rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g;
  for (const m of svg.matchAll(re)) {
    const key = m[0].startsWith('<g class="group"') ? `group:${m[1]}` : m[1];
    out.set(key, { x: +m[2], y: +m[3], w: +m[4], h: +m[5] });
  }
  return out;
}

const inside = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
  a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;

test("foreach bodies are drawn as labelled, nested boxes around their steps", () => {
  const svg = renderFlowSvg(nested);
  assert.match(svg, /<g class="group" data-split="start"><rect /);
  assert.match(svg, /<g class="group" data-split="outer" data-parent="start"><rect /);
  assert.match(svg, /class="group-label"[^>]*>foreach parts<\/text>/);
  const r = rects(svg);
  const outerBox = r.get("group:start")!;
  const innerBox = r.get("group:outer")!;
  assert.ok(inside(innerBox, outerBox), "the nested foreach's box lies inside the outer one");
  for (const s of ["outer", "inner_join", "inner"]) assert.ok(inside(r.get(s)!, outerBox), `${s} inside the outer box`);
  assert.ok(inside(r.get("inner")!, innerBox));
  for (const s of ["start", "outer_join", "end"]) assert.ok(!inside(r.get(s)!, outerBox), `${s} outside the outer box`);
  assert.ok(!inside(r.get("outer")!, innerBox), "a foreach split sits outside its own box");
  // boxes come before nodes, so nodes are drawn on top
  assert.ok(svg.indexOf('class="group"') < svg.indexOf('class="node'));
});

test("a node's tooltip lists its problems, code and message", () => {
  const tip = nodeTooltip(nested.nodes[2], "inner");
  assert.equal(tip.split("\n")[0], "inner (linear)");
  assert.ok(tip.includes("MF205: artifact <x> is not set on every path"));
  assert.ok(tip.includes("MF301: unknown argument memroy"));
  const svg = renderFlowSvg(nested);
  assert.match(svg, /<title>inner \(linear\)\nMF205: artifact &lt;x&gt; is not set on every path\nMF301: unknown argument memroy<\/title>/);
  // an older server sends only a count
  assert.match(nodeTooltip({ name: "a", type: "linear", line: 0, decorators: [], diagnostics: 3 }, "a"), /3 problems/);
  assert.equal(nodeTooltip(undefined, "trian"), "trian: no step with this name");
});

test("groups with unknown members or parents, or a cycle of parents, still draw", () => {
  const flow: FlowGraphDto = {
    ...nested,
    groups: [
      { split: "ghost", label: "foreach g", steps: ["nope"] },
      { split: "outer", parent: "start", label: "foreach parts", steps: ["inner"] },
      { split: "start", parent: "outer", label: "foreach items", steps: ["outer", "inner_join"] },
      { split: "x", parent: "missing", label: "foreach x", steps: ["end"] },
    ],
  };
  const groups = drawableGroups(flow);
  assert.deepEqual(groups.map((g) => g.split).sort(), ["outer", "start", "x"]);
  assert.equal(groups.find((g) => g.split === "x")!.parent, null);
  assert.ok(groups.some((g) => !g.parent));
  assert.match(renderFlowSvg(flow), /<\/svg>$/);
});

test("the drawing sits in one zoom group and declares its size", () => {
  const svg = renderFlowSvg(nested);
  assert.match(svg, /^<svg [^>]*data-width="\d+" data-height="\d+"/);
  assert.match(svg, /<\/defs><g class="zoom">.*<\/g><\/svg>$/s);
});

function bigFlow(n: number): FlowGraphDto {
  // start → n-2 steps in a few foreach bodies and branches → end
  const nodes: FlowGraphDto["nodes"] = [];
  const edges: FlowGraphDto["edges"] = [];
  const groups: NonNullable<FlowGraphDto["groups"]> = [];
  const add = (name: string, type = "linear") => nodes.push({ name, type, line: nodes.length, decorators: ["retry"], diagnostics: 0 });
  add("start", "start");
  let prev = "start";
  let k = 0;
  while (nodes.length < n - 5) {
    const split = `fe${k}`;
    add(split, "foreach");
    edges.push({ source: prev, target: split, kind: "linear" });
    const body = [`a${k}`, `b${k}`, `c${k}`];
    body.forEach((s) => add(s));
    add(`j${k}`, "join");
    edges.push({ source: split, target: body[0], kind: "foreach" }, { source: body[0], target: body[1], kind: "linear" });
    edges.push({ source: body[0], target: body[2], kind: "linear" }, { source: body[1], target: `j${k}`, kind: "join" });
    edges.push({ source: body[2], target: `j${k}`, kind: "join" });
    groups.push({ split, join: `j${k}`, label: `foreach items${k}`, steps: body });
    prev = `j${k}`;
    k++;
  }
  add("end", "end");
  edges.push({ source: prev, target: "end", kind: "linear" });
  return { name: "Big", line: 0, nodes, edges, groups };
}

test("a 60-step flow lays out without overlapping nodes, every step inside the drawing", () => {
  const flow = bigFlow(60);
  const svg = renderFlowSvg(flow);
  const w = Number(svg.match(/data-width="(\d+)"/)![1]);
  const h = Number(svg.match(/data-height="(\d+)"/)![1]);
  const r = rects(svg);
  const nodes = flow.nodes.map((n) => r.get(n.name)!);
  assert.equal(nodes.filter(Boolean).length, flow.nodes.length);
  for (const a of nodes) assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.w <= w && a.y + a.h <= h);
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i];
      const b = nodes[j];
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      assert.ok(!overlap, `${flow.nodes[i].name} overlaps ${flow.nodes[j].name}`);
    }
  for (const g of flow.groups!) for (const s of g.steps) assert.ok(inside(r.get(s)!, r.get(`group:${g.split}`)!));
});

test("large flows draw compact nodes (name only; type and decorators in the tooltip)", () => {
  const big = renderFlowSvg(bigFlow(60));
  assert.doesNotMatch(big, /class="n-type"|class="n-deco"/);
  assert.match(big, /<title>a0 \(linear\)\n@retry<\/title>/);
  const small = renderFlowSvg(bigFlow(12));
  assert.match(small, /class="n-type"/);
});

test("a foreach edge into its drawn box leaves the caption to the box", () => {
  const svg = renderFlowSvg(nested);
  assert.doesNotMatch(svg, /class="edge-label"[^>]*>foreach items</);
  assert.match(svg, /<title>start → outer \(foreach: foreach items\)<\/title>/);
  const unboxed = renderFlowSvg({ ...nested, groups: [] });
  assert.match(unboxed, /class="edge-label"[^>]*>foreach items</);
});
