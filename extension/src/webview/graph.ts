/**
 * Graph panel script: shows the SVG drawn by the extension host and reports clicks on steps.
 * The SVG comes from our own renderer (all text escaped there), never from the network.
 */

import { byId, vscodeApi } from "./vscodeApi";

interface FlowSvg {
  name: string;
  steps: number;
  svg: string;
  error?: string;
}

type Msg = { type: "graph"; file: string; flows: FlowSvg[] } | { type: "status"; text: string };

const main = byId<HTMLElement>("graphs");
const title = byId<HTMLElement>("title");
const status = byId<HTMLElement>("status");

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
  if (!msg.flows.length) {
    main.innerHTML = `<p class="muted">No FlowSpec subclass in this file.</p>`;
    return;
  }
  const parts: string[] = [];
  for (const f of msg.flows) {
    parts.push(`<section class="flow"><h2></h2>${f.error ? `<p class="error"></p>` : f.svg}</section>`);
  }
  main.innerHTML = parts.join("");
  main.querySelectorAll<HTMLElement>("section.flow").forEach((section, i) => {
    const f = msg.flows[i];
    section.querySelector("h2")!.textContent = `${f.name} · ${f.steps} step${f.steps === 1 ? "" : "s"}`;
    const err = section.querySelector(".error");
    if (err) err.textContent = `Could not draw this flow: ${f.error}`;
  });
});

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
