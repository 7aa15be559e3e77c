import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeLines, renderFlowSvg } from "../src/pure/graphSvg";
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
