/**
 * Graph panel script: shows the SVG drawn by the extension host, fits it to the panel, zooms
 * (wheel, +/−), pans (drag), and reports clicks on steps. The SVG comes from our own renderer
 * (all text escaped there), never from the network. The view maths is pure (graphView.ts);
 * here it is only applied as an SVG `transform` attribute (the CSP forbids inline styles).
 *
 * A redraw while the user types keeps a view the user chose (zoomed or panned); a fitted view
 * stays fitted, also when the panel is resized.
 */

import { actualSizeView, fitView, panBy, transformOf, wheelFactor, ZOOM_STEP, zoomAt, type View } from "../pure/graphView";
import { byId, vscodeApi } from "./vscodeApi";

interface FlowSvg {
  name: string;
  steps: number;
  svg: string;
  error?: string;
}

type Msg = { type: "graph"; file: string; flows: FlowSvg[] } | { type: "status"; text: string };

interface Pane {
  viewport: HTMLElement;
  svg: SVGSVGElement;
  zoom: SVGGElement;
  view: View;
  fitted: boolean;
}

const main = byId<HTMLElement>("graphs");
const title = byId<HTMLElement>("title");
const status = byId<HTMLElement>("status");
/** The user's view per flow name, kept across redraws unless it is the fitted one. */
const kept = new Map<string, { view: View; fitted: boolean }>();
const panes: Pane[] = [];

function contentSize(svg: SVGSVGElement) {
  return { width: Number(svg.getAttribute("data-width")) || 1, height: Number(svg.getAttribute("data-height")) || 1 };
}

function viewportSize(p: Pane) {
  return { width: p.viewport.clientWidth, height: p.viewport.clientHeight };
}

function apply(p: Pane, view: View, fitted: boolean): void {
  p.view = view;
  p.fitted = fitted;
  p.zoom.setAttribute("transform", transformOf(view));
  p.svg.setAttribute("data-scale", view.scale.toFixed(4));
  p.svg.setAttribute("data-fitted", String(fitted));
  kept.set(p.svg.getAttribute("data-flow") ?? "", { view, fitted });
}

function fit(p: Pane): void {
  apply(p, fitView(contentSize(p.svg), viewportSize(p)), true);
}

function centre(p: Pane) {
  const s = viewportSize(p);
  return { x: s.width / 2, y: s.height / 2 };
}

function toolbar(): HTMLElement {
  const bar = document.createElement("div");
  bar.className = "graph-tools";
  for (const [action, label, tip] of [
    ["fit", "Fit", "Fit the whole flow in the panel"],
    ["zoom-in", "+", "Zoom in"],
    ["zoom-out", "−", "Zoom out"],
    ["actual", "1:1", "Actual size"],
  ]) {
    const b = document.createElement("button");
    b.className = "secondary";
    b.dataset.action = action;
    b.textContent = label;
    b.title = tip;
    bar.appendChild(b);
  }
  return bar;
}

function wire(p: Pane, section: HTMLElement): void {
  section.querySelector(".graph-tools")?.addEventListener("click", (e) => {
    const action = (e.target as HTMLElement).closest("button")?.dataset.action;
    if (action === "fit") fit(p);
    else if (action === "zoom-in") apply(p, zoomAt(p.view, ZOOM_STEP, centre(p)), false);
    else if (action === "zoom-out") apply(p, zoomAt(p.view, 1 / ZOOM_STEP, centre(p)), false);
    else if (action === "actual") apply(p, actualSizeView(contentSize(p.svg), viewportSize(p)), false);
  });
  p.viewport.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const r = p.viewport.getBoundingClientRect();
      apply(p, zoomAt(p.view, wheelFactor(e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY), { x: e.clientX - r.left, y: e.clientY - r.top }), false);
    },
    { passive: false },
  );
  let drag: { x: number; y: number; moved: boolean } | undefined;
  p.viewport.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, moved: false };
  });
  p.viewport.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!drag.moved) p.viewport.setPointerCapture(e.pointerId);
    drag.moved = true;
    drag.x = e.clientX;
    drag.y = e.clientY;
    p.viewport.classList.add("panning");
    apply(p, panBy(p.view, dx, dy), false);
  });
  const end = (e: PointerEvent) => {
    if (drag?.moved) {
      // A drag is not a click on the step it ended over.
      const swallow = (c: Event) => c.stopPropagation();
      window.addEventListener("click", swallow, { capture: true, once: true });
      setTimeout(() => window.removeEventListener("click", swallow, { capture: true }), 0);
    }
    drag = undefined;
    p.viewport.classList.remove("panning");
    if (p.viewport.hasPointerCapture(e.pointerId)) p.viewport.releasePointerCapture(e.pointerId);
  };
  p.viewport.addEventListener("pointerup", end);
  p.viewport.addEventListener("pointercancel", end);
}

window.addEventListener("message", (event: MessageEvent<Msg>) => {
  const msg = event.data;
  if (msg.type === "status") {
    status.textContent = msg.text;
    if (!main.querySelector("svg")) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = msg.text;
      main.replaceChildren(p);
    }
    return;
  }
  if (msg.type !== "graph") return;
  title.textContent = msg.file;
  status.textContent = "";
  panes.length = 0;
  if (!msg.flows.length) {
    main.innerHTML = `<p class="muted">No FlowSpec subclass in this file.</p>`;
    return;
  }
  const parts: string[] = [];
  for (const f of msg.flows) {
    parts.push(`<section class="flow"><h2></h2>${f.error ? `<p class="error"></p>` : `<div class="graph-viewport">${f.svg}</div>`}</section>`);
  }
  main.innerHTML = parts.join("");
  main.classList.toggle("single", msg.flows.length === 1);
  main.querySelectorAll<HTMLElement>("section.flow").forEach((section, i) => {
    const f = msg.flows[i];
    const h2 = section.querySelector("h2")!;
    h2.textContent = `${f.name} · ${f.steps} step${f.steps === 1 ? "" : "s"}`;
    const err = section.querySelector(".error");
    if (err) err.textContent = `Could not draw this flow: ${f.error}`;
    const viewport = section.querySelector<HTMLElement>(".graph-viewport");
    const svg = viewport?.querySelector<SVGSVGElement>("svg.flow-graph");
    const zoom = svg?.querySelector<SVGGElement>("g.zoom");
    if (!viewport || !svg || !zoom) return;
    section.insertBefore(toolbar(), viewport);
    svg.setAttribute("width", "100%");
    svg.setAttribute("height", "100%");
    const p: Pane = { viewport, svg, zoom, view: { scale: 1, tx: 0, ty: 0 }, fitted: true };
    panes.push(p);
    wire(p, section);
    const prior = kept.get(f.name);
    if (prior && !prior.fitted) apply(p, prior.view, false);
    else fit(p);
  });
});

// A fitted view follows the panel's size.
new ResizeObserver(() => {
  for (const p of panes) if (p.fitted) fit(p);
}).observe(main);

function reveal(target: EventTarget | null): void {
  const node = (target as Element | null)?.closest?.("g.node");
  if (!node || node.classList.contains("missing")) return;
  const line = node.getAttribute("data-line");
  vscodeApi.postMessage({ type: "reveal", step: node.getAttribute("data-step"), line: line === null ? undefined : Number(line) });
}

main.addEventListener("click", (e) => reveal(e.target));
main.addEventListener("keydown", (e) => {
  if (e.key === "Enter" || e.key === " ") reveal(e.target);
});

vscodeApi.postMessage({ type: "ready" });
