// Drive a real VS Code (code-server) with headless Chromium through playwright-core and check
// the Metaflow Expert extension end to end: diagnostics in Problems, a hover citing
// batch_decorator.py, an offline answer with a citation in the Ask panel, and the flow graph.
// One stage loads the machine (CPU burners beside VS Code) and checks that the first question
// typed into a new Ask panel is shown and answered, and so is a follow-up.
// Started by scripts/e2e-vscode; exits 0 only when every stage passed. A screenshot of each
// stage goes to --artifacts so a person can see what the test saw.
//
// Usage: node e2e.mjs --url URL --workspace DIR --artifacts DIR --playwright PATH/index.js

import { mkdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    workspace: { type: "string" },
    artifacts: { type: "string" },
    playwright: { type: "string" },
    chromium: { type: "string", default: process.env.E2E_CHROMIUM || "/usr/bin/chromium" },
    headed: { type: "boolean", default: false },
    mode: { type: "string", default: "full" }, // full | private-env
    profile: { type: "string" }, // Chromium profile dir; default: a fresh temp dir (runs may overlap)
  },
});
for (const k of ["url", "workspace", "artifacts", "playwright"]) {
  if (!args[k]) {
    console.error(`e2e.mjs: --${k} is required`);
    process.exit(2);
  }
}

const FLOW_FILE = "broken_flow.py";
const STEPS = ["start", "train", "evaluate", "end"];
const QUESTION = "What arguments does the @batch decorator take?";
// Generous: the first run indexes Metaflow before diagnostics with decorator checks appear.
const SERVER_READY_MS = 180_000;

const pw = await import(pathToFileURL(args.playwright).href);
const chromium = (pw.default ?? pw).chromium;
mkdirSync(args.artifacts, { recursive: true });

const t0 = Date.now();
const log = (msg) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it returns a truthy value; the last error is kept for the failure message. */
async function until(what, fn, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${lastError.message.split("\n")[0]})` : ""}`);
}

const { mkdtempSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const profile = args.profile ?? mkdtempSync(path.join(tmpdir(), "mfx-e2e-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: args.chromium,
  headless: !args.headed,
  viewport: { width: 1600, height: 1000 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
const browserLog = [];
page.on("console", (m) => browserLog.push(`${m.type()}: ${m.text()}`));

const results = [];
let shot = 0;
async function screenshot(name) {
  const file = path.join(args.artifacts, `${String(++shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => undefined);
  return file;
}

/** Run one stage; a failure is recorded with a screenshot and, if `critical`, ends the run. */
async function stage(name, fn, { critical = false } = {}) {
  log(`stage ${name}: start`);
  try {
    const detail = await fn();
    await screenshot(name);
    results.push({ name, ok: true, detail });
    log(`stage ${name}: PASS${detail ? ` — ${detail}` : ""}`);
    return true;
  } catch (e) {
    await screenshot(`${name}-FAILED`);
    for (let i = 0; i < 3; i++) await page.keyboard.press("Escape").catch(() => undefined); // leave menus/inputs
    results.push({ name, ok: false, detail: e.message });
    log(`stage ${name}: FAIL — ${e.message}`);
    if (critical) await finish();
    return false;
  }
}

/**
 * Busy-loop processes that load every core, so VS Code, the webview and the server are slow
 * to start things (where a question posted before the panel listens used to vanish).
 * Bounded twice: each one exits by itself after `maxMs`, and stop() (also run on exit) kills it.
 */
async function startBurners(count, maxMs) {
  const { spawn } = await import("node:child_process");
  const procs = [];
  for (let i = 0; i < count; i++) {
    const p = spawn(process.execPath, ["-e", `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`], { stdio: "ignore" });
    procs.push(p);
    burners.add(p);
  }
  return {
    pids: procs.map((p) => p.pid),
    stop() {
      for (const p of procs) {
        burners.delete(p);
        if (p.exitCode === null) p.kill("SIGKILL");
      }
    },
  };
}
const burners = new Set();
process.on("exit", () => burners.forEach((p) => p.kill("SIGKILL")));

async function finish() {
  burners.forEach((p) => p.kill("SIGKILL"));
  const { writeFileSync } = await import("node:fs");
  writeFileSync(path.join(args.artifacts, "browser-console.log"), browserLog.join("\n"));
  await context.close().catch(() => undefined);
  console.log("\nE2E summary:");
  for (const r of results) console.log(`  ${r.ok ? "PASS" : "FAIL"}  ${r.name}${r.detail ? `: ${r.detail}` : ""}`);
  const ok = results.length > 0 && results.every((r) => r.ok);
  console.log(ok ? "E2E PASSED" : "E2E FAILED");
  process.exit(ok ? 0 : 1);
}

/** Run a command from the palette by its title. */
async function runCommand(title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Shift+P");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: 10_000 });
  await input.press("Enter");
}

/** The webview frame (among all frames) that has `selector`: panels are nested iframes. */
async function webviewFrame(selector, timeoutMs) {
  return until(
    `a webview with ${selector}`,
    async () => {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        if (await f.$(selector).catch(() => null)) return f;
      }
      return null;
    },
    timeoutMs,
  );
}

async function focusFlowEditor() {
  const tab = page.locator(".tabs-container .tab", { hasText: FLOW_FILE }).first();
  if (await tab.isVisible().catch(() => false)) await tab.click();
  else await page.locator(".explorer-folders-view .monaco-list-row", { hasText: FLOW_FILE }).first().dblclick();
  await page.locator(".tabs-container .tab.active", { hasText: FLOW_FILE }).first().waitFor({ timeout: 15_000 });
  await page.locator(".editor-instance .monaco-editor.focused").first().waitFor({ timeout: 15_000 });
}

/** Select the first `from` in the flow editor (Find selects the match; Escape keeps it). */
async function selectInEditor(from) {
  const selected = page.locator(".statusbar-item", { hasText: new RegExp(`\\(${from.length} selected\\)`) }).first();
  await focusFlowEditor();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Control+F");
  const find = page.locator(".find-widget textarea, .find-widget input").first();
  await find.waitFor({ timeout: 10_000 });
  await find.fill(from);
  await selected.waitFor({ timeout: 5_000 });
  await page.keyboard.press("Escape"); // focus back in the editor, match still selected
  await sleep(200);
  await selected.waitFor({ timeout: 2_000 });
}

/** Replace the first `from` in the flow editor with `to` by typing over the selection. */
async function replaceInEditor(from, to) {
  await until(
    `the editor to read ${to}`,
    async () => {
      await selectInEditor(from);
      await page.keyboard.type(to);
      await page.keyboard.press("Escape"); // close a completion list, if any
      return page
        .locator(".editor-instance .view-lines", { hasText: to })
        .first()
        .waitFor({ timeout: 3_000 })
        .then(() => true);
    },
    45_000,
    500,
  );
}

// ------------------------------------------------------------------------------------------
await stage(
  "workbench",
  async () => {
    await page.goto(`${args.url}/?folder=${encodeURIComponent(args.workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    return "workbench loaded";
  },
  { critical: true },
);

await stage(
  "open-flow",
  async () => {
    const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: FLOW_FILE }).first();
    await row.waitFor({ timeout: 60_000 });
    await row.dblclick(); // pinned, so opening a citation later does not replace it
    await page.locator(".editor-instance .monaco-editor .view-lines", { hasText: "class BrokenFlow" }).first().waitFor({ timeout: 60_000 });
    return `${FLOW_FILE} open`;
  },
  { critical: true },
);

async function serverReady() {
  const item = page.locator(".statusbar-item", { hasText: "Metaflow" }).first();
  await item.waitFor({ timeout: 60_000 });
  const text = await until(
    "the status bar to show a ready server with its Metaflow version",
    async () => {
      const t = (await item.innerText()).trim();
      if (/error/i.test(t)) throw new Error(`status bar says: ${t}`);
      return /Metaflow \d+\.\d+/.test(t) && !/starting|indexing/.test(t) ? t : null;
    },
    SERVER_READY_MS,
    1000,
  ).catch(async (e) => {
    throw new Error(`${e.message}; status bar text: "${(await item.innerText().catch(() => "?")).trim()}"`);
  });
  return `status bar: ${text.replace(/\s+/g, " ")}`;
}

async function diagnosticsInProblems() {
  await focusFlowEditor();
  await page.locator(".monaco-editor .squiggly-error, .monaco-editor .squiggly-warning").first().waitFor({ timeout: SERVER_READY_MS });
  await page.keyboard.press("Control+Shift+M");
  const panel = page.locator(".markers-panel");
  await panel.waitFor({ timeout: 15_000 });
  const text = await until(
    "a Problems entry with a rule code about the unknown step",
    async () => {
      const t = await panel.innerText();
      return /MF\d{3}/.test(t) && /evalute/.test(t) ? t : null;
    },
    30_000,
  );
  const first = text.split("\n").find((l) => /evalute/.test(l)) ?? "";
  const code = (text.match(/MF\d{3}/) ?? [""])[0];
  return `Problems shows ${code}: ${first.trim().slice(0, 120)}`;
}

if (args.mode === "private-env") {
  await stage("private-env", async () => {
    // The interpreter lacks metaflow_expert: the extension must offer its private environment.
    const toast = page.locator(".notification-toast", { hasText: "metaflow_expert is not installed" }).first();
    await toast.waitFor({ timeout: 120_000 });
    await toast.locator(".monaco-button", { hasText: "Create Private Environment" }).first().click();
    return "offered and accepted";
  });
  await stage("server-status", async () => {
    const item = page.locator(".statusbar-item", { hasText: "Metaflow" }).first();
    await until(
      "the server from the private environment",
      async () => /Metaflow \d+\.\d+/.test(await item.innerText()) && !/starting|indexing|error/.test(await item.innerText()),
      900_000,
      2000,
    );
    return serverReady();
  });
  await stage("diagnostics", diagnosticsInProblems);
  await finish();
}

await stage("server-status", serverReady);

await stage("diagnostics", diagnosticsInProblems);

await stage("hover-batch", async () => {
  await focusFlowEditor();
  const hover = page.locator(".monaco-hover:not(.hidden)");
  const decorator = page.locator(".view-line span", { hasText: /^@?batch$/ }).first();
  await decorator.waitFor({ timeout: 10_000 });
  const text = await until(
    "a hover on @batch with its arguments and a batch_decorator.py:LINE citation",
    async () => {
      await page.mouse.move(5, 5);
      await sleep(200);
      await decorator.hover();
      await hover.first().waitFor({ timeout: 5_000 });
      const t = await hover.first().innerText();
      return /batch_decorator\.py:\d+/.test(t) && /\bcpu\b/.test(t) && /\bmemory\b/.test(t) ? t : null;
    },
    90_000,
    1000,
  );
  const cite = (text.match(/\S*batch_decorator\.py:\d+/) ?? [""])[0];
  return `hover cites ${cite}`;
});

await stage("ask-offline", async () => {
  await page.mouse.move(5, 5);
  await focusFlowEditor();
  await runCommand("Metaflow: Ask Metaflow Expert");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await page.locator(".quick-input-widget", { hasText: "Ask Metaflow Expert" }).waitFor({ timeout: 10_000 });
  await input.fill(QUESTION);
  await input.press("Enter");
  const frame = await webviewFrame("#transcript", 30_000);
  const result = await until(
    "an answer with a citation link in the Ask panel",
    async () => {
      const err = await frame.$eval(".turn .error", (e) => e.textContent).catch(() => null);
      if (err) throw new Error(`panel shows: ${err}`);
      const links = await frame.$$eval(".turn a.cite", (as) => as.map((a) => a.textContent));
      const mode = await frame.$eval(".turn .meta .badge", (e) => e.textContent).catch(() => null);
      return links.length && mode ? { links, mode } : null;
    },
    SERVER_READY_MS,
    1000,
  );
  if (result.mode !== "offline") throw new Error(`expected an offline answer without an API key, got mode ${result.mode}`);
  await screenshot("ask-answer");
  // Following a citation opens the cited Metaflow file read-only at the line.
  const link = await frame.$(".citations a.cite:not(.disabled)");
  if (!link) throw new Error("no openable citation in the Sources list");
  const label = await link.textContent();
  await link.click();
  const file = path.basename(label.split(":")[0]);
  await page.locator(".tabs-container .tab", { hasText: file }).first().waitFor({ timeout: 15_000 });
  return `${result.links.length} citation link(s), mode ${result.mode}; opened ${label}`;
});

await stage("ask-follow-up", async () => {
  const frame = await webviewFrame("#transcript", 10_000);
  await frame.fill("#question", "And what does @retry do?");
  await frame.press("#question", "Enter");
  const n = await until(
    "a second answered turn in the same panel",
    async () => {
      const err = await frame.$eval(".turn:nth-of-type(2) .error", (e) => e.textContent).catch(() => null);
      if (err) throw new Error(`panel shows: ${err}`);
      return frame.$$eval(".turn", (ts) => (ts.length >= 2 && ts[1].querySelector(".meta .badge") ? ts.length : 0));
    },
    60_000,
  );
  const cites = await frame.$$eval(".turn:nth-of-type(2) .citations a.cite", (as) => as.length);
  if (!cites) throw new Error("the follow-up answer has no citations");
  return `${n} turns; follow-up answered with ${cites} citation(s)`;
});

await stage("ask-from-context-menu", async () => {
  // Editor context menu with a selection: the selected code goes along as context.
  await selectInEditor("@retry(times=2)");
  await page.keyboard.press("Shift+F10"); // the editor context menu, at the selection
  const item = page.locator(".context-view .monaco-menu .action-item", { hasText: "Ask Metaflow Expert" }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.hover(); // highlight, then Enter: a mouse click on menu items is not always taken
  await page.keyboard.press("Enter");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await page.locator(".quick-input-widget", { hasText: "selected code" }).waitFor({ timeout: 10_000 });
  await input.fill("What does this decorator do?");
  await input.press("Enter");
  const frame = await webviewFrame("#transcript", 15_000);
  const note = await until(
    "an answered turn asked with the selected code",
    async () => {
      const turns = await frame.$$(".turn");
      const t = turns[turns.length - 1];
      if (!t) return null;
      const ctx = await t.$eval(".muted.small", (e) => e.textContent).catch(() => "");
      const done = await t.$(".meta .badge");
      return done && /selected code/.test(ctx) ? ctx : null;
    },
    60_000,
  );
  return `answered ${note}`;
});

await stage("flow-graph", async () => {
  await focusFlowEditor();
  await runCommand("Metaflow: Show Flow Graph");
  const frame = await webviewFrame("svg.flow-graph", 60_000);
  const steps = await until(
    "every step as a node in the graph",
    async () => {
      const names = await frame.$$eval("svg.flow-graph g.node:not(.missing)", (ns) => ns.map((n) => n.getAttribute("data-step")));
      return STEPS.every((s) => names.includes(s)) ? names : null;
    },
    30_000,
  );
  const missing = await frame.$$eval("svg.flow-graph g.node.missing", (ns) => ns.map((n) => n.getAttribute("data-step")));
  const flagged = await frame.$$eval("svg.flow-graph g.node.has-diagnostics", (ns) => ns.map((n) => n.getAttribute("data-step")));
  // A click on a step jumps to its def in the editor.
  const { readFileSync } = await import("node:fs");
  const src = readFileSync(path.join(args.workspace, FLOW_FILE), "utf8").split("\n");
  const defLine = src.findIndex((l) => /^\s*def end\(/.test(l)) + 1;
  await frame.click('svg.flow-graph g.node[data-step="end"]');
  await page.locator(".statusbar-item", { hasText: new RegExp(`Ln ${defLine},`) }).first().waitFor({ timeout: 15_000 });
  return `nodes: ${steps.join(", ")}; missing target: ${missing.join(", ") || "none"}; with problems: ${flagged.join(", ") || "none"}; click on end → line ${defLine}`;
});

await stage("graph-follows-edits", async () => {
  // Fix the typo in the editor: the graph and Problems must follow without saving.
  await replaceInEditor("self.evalute)", "self.evaluate)");
  const frame = await webviewFrame("svg.flow-graph", 10_000);
  await until(
    "the graph to drop the missing step and draw train → evaluate",
    async () =>
      !(await frame.$("svg.flow-graph g.node.missing")) &&
      !!(await frame.$('svg.flow-graph g.edge[data-source="train"][data-target="evaluate"]')),
    30_000,
  );
  await until("Problems to drop the unknown-step diagnostic", async () => !/evalute/.test(await page.locator(".markers-panel").innerText()), 30_000);
  await page.keyboard.press("Escape"); // close the completion list before the screenshot
  await sleep(300);
  return "graph and Problems updated while typing";
});

if (process.env.E2E_FAKE_KEY) {
  await stage("ask-agent-with-key", async () => {
    // The key goes in through the command (SecretStorage); the server restarts with it and the
    // answer comes from the scripted API at metaflowExpert.ask.baseUrl, streamed into the panel.
    await runCommand("Metaflow: Set Anthropic API Key");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await page.locator(".quick-input-widget", { hasText: "Anthropic API key" }).waitFor({ timeout: 10_000 });
    await input.fill(process.env.E2E_FAKE_KEY);
    await input.press("Enter");
    await page.locator(".tabs-container .tab", { hasText: "Metaflow Expert" }).first().click();
    const frame = await webviewFrame("#transcript", 10_000);
    await until("the no-key hint to go away", async () => frame.$eval("#hint", (h) => h.classList.contains("hidden")), 15_000);
    const before = await frame.$$eval(".turn", (ts) => ts.length);
    await frame.fill("#question", "What is a FlowSpec?");
    await frame.press("#question", "Enter");
    const result = await until(
      "an agent-mode answer with a verified flowspec.py citation",
      async () => {
        const turns = await frame.$$(".turn");
        if (turns.length <= before) return null;
        const t = turns[turns.length - 1];
        const err = await t.$eval(".error", (e) => e.textContent).catch(() => null);
        if (err) throw new Error(`panel shows: ${err}`);
        const mode = await t.$eval(".meta .badge", (e) => e.textContent).catch(() => null);
        if (!mode) return null;
        const cites = await t.$$eval(".citations a.cite:not(.unverified)", (as) => as.map((a) => a.textContent));
        const usage = await t.$eval(".meta .usage", (e) => e.textContent).catch(() => "");
        return { mode, cites, usage };
      },
      SERVER_READY_MS,
      1000,
    );
    if (result.mode !== "agent") throw new Error(`expected mode agent, got ${result.mode}`);
    if (!result.cites.some((c) => /^metaflow\/flowspec\.py:\d+$/.test(c))) throw new Error(`no verified flowspec.py citation in ${result.cites}`);
    if (!/tokens/.test(result.usage) || !/\$\d/.test(result.usage)) throw new Error(`no token/cost line: "${result.usage}"`);
    return `mode agent, cites ${result.cites.join(", ")}; ${result.usage}`;
  });

  await stage("ask-cancel", async () => {
    // The scripted API hangs on this question: Cancel must end it at once and free the panel.
    const frame = await webviewFrame("#transcript", 10_000);
    const before = await frame.$$eval(".turn", (ts) => ts.length);
    await frame.fill("#question", "How does @retry decide when to retry?");
    await frame.press("#question", "Enter");
    await until("the Cancel button", async () => frame.$eval("#cancel", (b) => !b.classList.contains("hidden")), 15_000);
    await sleep(1000);
    await frame.click("#cancel");
    const msg = await until(
      "the question to end as cancelled",
      async () => {
        const turns = await frame.$$(".turn");
        if (turns.length <= before) return null;
        return turns[turns.length - 1].$eval(".error", (e) => e.textContent).catch(() => null);
      },
      15_000,
    );
    if (!/cancel/i.test(msg)) throw new Error(`expected a cancelled turn, got: ${msg}`);
    const free = await frame.$eval("#send", (b) => !b.disabled);
    if (!free) throw new Error("the Ask button stays disabled after cancelling");
    return `turn ended: ${msg}`;
  });

  await stage("ask-new-panel-under-load", async () => {
    // The Ask panel is closed, the machine is loaded, and a question opens a new panel: the
    // question is posted while the webview is still being created. It must appear and be
    // answered, and so must a follow-up typed into that panel.
    const tab = page.locator(".tabs-container .tab", { hasText: "Metaflow Expert" });
    await tab.first().click();
    await tab.first().locator(".tab-actions .action-label").first().click({ force: true });
    await until("the Ask panel to close", async () => (await tab.count()) === 0, 15_000);
    // Busy loops per core (E2E_LOAD_PER_CORE, default 3). Why load matters: VS Code flushes the
    // messages queued for a new webview 200 ms after writing its page even if the page's script
    // has not loaded yet (webview/browser/pre/index.html), and those messages are lost.
    const cores = (await import("node:os")).availableParallelism();
    const load = await startBurners(cores * Number(process.env.E2E_LOAD_PER_CORE || 3), 240_000);
    // Burners alone did not make the old extension lose the question (the browser still got
    // its share of the cores), so the browser's renderer is also slowed through the DevTools
    // protocol (E2E_CPU_THROTTLE times, default 20) from the question's Enter until the new
    // panel has shown it or THROTTLE_MS have passed: the page's script then loads long after
    // that 200 ms flush, every time. The webview frames are same-site with the workbench, so
    // they share its renderer and its throttling.
    const rate = Number(process.env.E2E_CPU_THROTTLE || 20);
    const THROTTLE_MS = 20_000;
    const cdp = await page.context().newCDPSession(page);
    let throttled = false;
    const throttle = async (on) => {
      if (on === throttled) return;
      throttled = on;
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: on ? rate : 1 });
    };
    const times = [];
    try {
      await focusFlowEditor();
      const t0 = Date.now();
      await runCommand("Metaflow: Ask Metaflow Expert");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await page.locator(".quick-input-widget", { hasText: "Ask Metaflow Expert" }).waitFor({ timeout: 30_000 });
      const first = "What does the @step decorator do?";
      await input.fill(first);
      if (rate > 1) await throttle(true);
      await input.press("Enter");
      const asked = Date.now();
      const unthrottle = setTimeout(() => void throttle(false).catch(() => undefined), THROTTLE_MS);
      const frame = await webviewFrame("#transcript", 120_000);
      /** Wait for turn `n` (1-based) to show `question`, then to end with a mode badge. */
      const answered = async (n, question, since) => {
        await until(
          `turn ${n} with the question "${question}" in the new panel`,
          async () => frame.$$eval(".turn .question", (qs, n) => qs[n - 1]?.textContent ?? "", n).then((q) => q === question),
          60_000,
          250,
        );
        const shown = Date.now() - since;
        const mode = await until(
          `turn ${n} to be answered`,
          async () => {
            const t = (await frame.$$(".turn"))[n - 1];
            const err = await t.$eval(".error", (e) => e.textContent).catch(() => null);
            if (err) throw new Error(`panel shows: ${err}`);
            return t.$eval(".meta .badge", (e) => e.textContent).catch(() => null);
          },
          120_000,
          250,
        );
        times.push(`${question.split(" ").slice(0, 4).join(" ")}…: shown ${(shown / 1000).toFixed(1)}s, answered (${mode}) ${((Date.now() - since) / 1000).toFixed(1)}s`);
      };
      await until(
        `turn 1 with the question "${first}" in the new panel (renderer slowed ${rate}x)`,
        async () => frame.$$eval(".turn .question", (qs) => qs[0]?.textContent ?? "").then((q) => q === first),
        THROTTLE_MS + 30_000,
        500,
      );
      clearTimeout(unthrottle);
      await throttle(false);
      await answered(1, first, asked);
      const turns = await frame.$$eval(".turn", (ts) => ts.length);
      if (turns !== 1) throw new Error(`a new panel should hold one turn, has ${turns}`);
      const followUp = "And what does @retry do?";
      await frame.fill("#question", followUp);
      await frame.press("#question", "Enter");
      await answered(2, followUp, Date.now());
      // A reloaded webview starts empty: the extension must replay the transcript to it.
      await frame.evaluate(() => (document.body.dataset.beforeReload = "1")); // tells the old page from the new
      await focusFlowEditor();
      const reloaded = Date.now();
      await runCommand("Developer: Reload Webviews");
      const restored = await until(
        "the reloaded Ask panel to show both answered turns again",
        async () => {
          for (const f of page.frames()) {
            if (await f.$("body[data-before-reload]").catch(() => null)) continue;
            const qs = await f.$$eval(".turn:not(.running) .question", (qs) => qs.map((q) => q.textContent)).catch(() => []);
            const badges = await f.$$eval(".turn .meta .badge", (bs) => bs.length).catch(() => 0);
            if (qs.length === 2 && qs[0] === first && qs[1] === followUp && badges === 2) return true;
          }
          return false;
        },
        60_000,
        250,
      );
      if (restored) times.push(`transcript restored ${((Date.now() - reloaded) / 1000).toFixed(1)}s after Reload Webviews`);
      return `${load.pids.length} CPU burner(s) on ${cores} core(s) (pids ${load.pids.join(", ")}), renderer slowed ${rate}x while the panel opened; ${times.join("; ")}; total ${((Date.now() - t0) / 1000).toFixed(1)}s`;
    } finally {
      await throttle(false).catch(() => undefined);
      await cdp.detach().catch(() => undefined);
      load.stop();
    }
  });
}

await stage("settings-live", async () => {
  // Settings reach the running server (didChangeConfiguration): ignore the only remaining rule
  // family in this file and watch Problems empty, then restore.
  const { readFileSync, writeFileSync } = await import("node:fs");
  const file = path.join(args.workspace, ".vscode", "settings.json");
  const original = readFileSync(file, "utf8");
  await replaceInEditor("self.evaluate)", "self.evalute)");
  const panel = page.locator(".markers-panel");
  await page.keyboard.press("Control+Shift+M");
  await until("Problems to show MF110 again", async () => /MF110/.test(await panel.innerText()), 30_000);
  const settings = JSON.parse(original);
  settings["metaflowExpert.lint.ignore"] = ["MF110"];
  writeFileSync(file, JSON.stringify(settings, null, 2));
  try {
    await until("MF110 to disappear after lint.ignore changed", async () => !/MF110/.test(await panel.innerText()), 30_000);
  } finally {
    writeFileSync(file, original);
  }
  await until("MF110 to come back after the setting was removed", async () => /MF110/.test(await panel.innerText()), 30_000);
  return "lint.ignore applied and removed without a restart";
});

await stage("status-bar-log", async () => {
  await page.locator(".statusbar-item", { hasText: "Metaflow" }).first().click();
  const out = page.locator(".output-view, .panel .monaco-editor", { hasText: "metaflow_expert" }).first();
  await out.waitFor({ timeout: 15_000 });
  return "the status bar opens the Metaflow Expert log";
});

await stage("code-lens-run", async () => {
  // The server's lens carries the client command metaflowExpert.runFlow: a terminal runs
  // `<python> broken_flow.py run` (the run itself may fail here; only the command line matters).
  await focusFlowEditor();
  await page.keyboard.press("Control+Home");
  const lens = page.locator(".codelens-decoration a", { hasText: "Run BrokenFlow" }).first();
  await lens.waitFor({ timeout: 30_000 });
  await lens.click();
  const rows = page.locator(".xterm-rows").first();
  await until(
    "the terminal to show the run command",
    async () => {
      // Long lines wrap in the terminal: compare without whitespace.
      const t = (await rows.innerText().catch(() => "")).replace(/\s+/g, "");
      return t.includes("broken_flow.pyrun");
    },
    60_000,
  ).catch(async (e) => {
    const dom = await page.evaluate(() => {
      const x = document.querySelector(".xterm");
      return x ? `${x.className} :: ${[...x.querySelectorAll("*")].slice(0, 30).map((n) => n.className).join(" | ")}` : "no .xterm";
    });
    throw new Error(`${e.message}; terminal DOM: ${dom}`);
  });
  return "the Run lens ran `<python> broken_flow.py run` in the Metaflow terminal";
});

await finish();
