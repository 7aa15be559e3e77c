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
  // With focus inside a webview (a graph or Ask panel just clicked), the palette can open and
  // close again as the webview takes focus back: try again rather than wait on a closed box.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+Shift+P");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible", timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
      await row.waitFor({ state: "visible", timeout: 10_000 });
      await input.press("Enter");
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`runCommand(${JSON.stringify(title)}): attempt ${attempt} failed (${String(e.message).split("\n")[0]}); retrying`);
      await sleep(1_000);
    }
  }
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
  // BrokenFlow's @batch needs --datastore=s3 and this run would use the local one: the server's
  // warning (read from batch_decorator.py's step_init) comes first, in a modal; run anyway.
  const dialog = page.locator(".monaco-dialog-box", { hasText: "@batch" }).first();
  await dialog.waitFor({ timeout: 30_000 });
  const warned = (await dialog.innerText()).replace(/\s+/g, " ");
  if (!/--datastore=s3/.test(warned) || !/batch_decorator\.py:\d+/.test(warned)) {
    throw new Error(`the run warning does not name --datastore=s3 and cite batch_decorator.py: ${warned}`);
  }
  await screenshot("run-warning");
  await dialog.locator(".monaco-button", { hasText: "Run anyway" }).first().click();
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
  return "the Run lens warned that @batch needs --datastore=s3 (cited), then ran `<python> broken_flow.py run` in the Metaflow terminal";
});

// --- run-with (issue 14): "Run Flow With…" sets a Parameter and the run gets it --------------
await stage("run-with", async () => {
  // greet_flow.py has `greeting = Parameter("greeting", default="hello")` and prints it. Pick
  // Run Flow With…, change --greeting in the quick pick, Run: the terminal runs
  // `<python> greet_flow.py run --greeting <value>` and the flow prints the value.
  const RUN_WITH_FILE = "greet_flow.py";
  const VALUE = "hi-from-e2e";
  await page.keyboard.press("Escape");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: RUN_WITH_FILE }).first().dblclick();
  await page.locator(".tabs-container .tab.active", { hasText: RUN_WITH_FILE }).first().waitFor({ timeout: 15_000 });
  await page.locator(".editor-instance .monaco-editor.focused").first().waitFor({ timeout: 15_000 });
  await runCommand("Metaflow: Run Flow With…");
  const widget = page.locator(".quick-input-widget");
  const input = page.locator(".quick-input-widget .quick-input-box input");
  const row = (text) => page.locator(".quick-input-list .monaco-list-row", { hasText: text }).first();
  await widget.filter({ hasText: "Run GreetFlow with" }).waitFor({ timeout: 60_000 });
  await row("--greeting").waitFor({ timeout: 10_000 });
  const prefilled = await row("--greeting").innerText();
  if (!/hello/.test(prefilled)) throw new Error(`--greeting is not prefilled with its default: ${prefilled}`);
  await row("--greeting").click();
  // the input box for the value, prefilled with the default
  await widget.filter({ hasText: "--greeting (str)" }).waitFor({ timeout: 10_000 });
  await until("the value box to hold the default", async () => (await input.inputValue()) === "hello", 10_000, 200);
  await input.fill(VALUE);
  await input.press("Enter");
  // back in the menu, with the new value shown; Run
  await widget.filter({ hasText: "Run GreetFlow with" }).waitFor({ timeout: 10_000 });
  await until("the menu to show the new value", async () => (await row("--greeting").innerText()).includes(VALUE), 10_000, 200);
  await screenshot("run-with-picker");
  await row("with the choices below").click();
  const rows = page.locator(".xterm-rows").first();
  const flat = async () => (await rows.innerText().catch(() => "")).replace(/\s+/g, "");
  await until("the terminal to run greet_flow.py with --greeting", async () => (await flat()).includes(`greet_flow.pyrun--greeting${VALUE}`), 60_000);
  await until("the flow to print the greeting it was given", async () => (await flat()).includes(`greetingis${VALUE}`), 120_000);
  return `Run With… ran \`<python> greet_flow.py run --greeting ${VALUE}\` and the flow printed it`;
});


// --- Graph at scale, a proven quick fix, a refused rename (issue 14) ----------------------
// Files of these stages: big_flow.py is generated here (tests/e2e/vscode/bigFlow.mjs, 60
// steps); fixable_flow.py is in the workspace fixture (a typo'd step name, a Config).

/** The editor tab of file `name` (not "Flow Graph: name", whose label also contains it). */
const fileTab = (name, active = false) =>
  page.locator(`.tabs-container .tab${active ? ".active" : ""}`, { hasText: new RegExp(`^\\s*${name.replace(".", "\\.")}`) }).first();

/** Open `name` from the explorer (Quick Open when the explorer does not list it yet). */
async function openWorkspaceFile(name, marker) {
  await page.keyboard.press("Escape");
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).first();
  if (await row.isVisible().catch(() => false)) await row.dblclick();
  else {
    await runCommand("Go to File...");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.fill(name);
    await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor({ timeout: 15_000 });
    await input.press("Enter");
  }
  await fileTab(name, true).waitFor({ timeout: 30_000 });
  await page.locator(".editor-instance .monaco-editor .view-lines", { hasText: marker }).first().waitFor({ timeout: 30_000 });
  await page.locator(".editor-instance .monaco-editor.focused").first().waitFor({ timeout: 15_000 }).catch(() => undefined);
}

/** Select the first `text` in the active editor (Find selects it; Escape keeps the selection). */
async function selectInActiveEditor(text) {
  const selected = page.locator(".statusbar-item", { hasText: new RegExp(`\\(${text.length} selected\\)`) }).first();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Control+F");
  // Other editor groups keep their (hidden) find widgets: take the one just opened.
  const find = page.locator(".find-widget.visible textarea, .find-widget.visible input").filter({ visible: true }).first();
  await find.waitFor({ timeout: 10_000 });
  await find.fill(text);
  await selected.waitFor({ timeout: 5_000 });
  await page.keyboard.press("Escape");
  await sleep(200);
  await selected.waitFor({ timeout: 2_000 });
}

/** Errors in the status bar's problems item (all open files). */
async function errorCount() {
  const t = await page.locator('[id="status.problems"]').first().innerText();
  const n = t.match(/\d+/);
  return n ? Number(n[0]) : 0;
}

await stage("graph-60-steps", async () => {
  const { writeFileSync } = await import("node:fs");
  const { bigFlowSource, BIG_FLOW_STEPS } = await import(new URL("./bigFlow.mjs", import.meta.url).href);
  writeFileSync(path.join(args.workspace, "big_flow.py"), bigFlowSource());
  // Problems/terminal and the secondary side bar: give the graph the window.
  if (await page.locator(".part.panel").first().isVisible().catch(() => false)) await runCommand("Hide Panel");
  if (await page.locator(".part.auxiliarybar").first().isVisible().catch(() => false)) await runCommand("Hide Secondary Side Bar");
  await openWorkspaceFile("big_flow.py", "class BigFlow");
  await runCommand("Metaflow: Show Flow Graph");
  const frame = await webviewFrame('svg.flow-graph[data-flow="BigFlow"]', 60_000);
  // The graph's editor group takes the window (a 60-step flow is what needs the room).
  await page.locator(".tabs-container .tab", { hasText: "Flow Graph" }).first().click();
  await runCommand("Toggle Maximize Editor Group");
  await sleep(500);
  const measure = () =>
    frame.evaluate(() => {
      const vp = document.querySelector(".graph-viewport").getBoundingClientRect();
      const svg = document.querySelector('svg.flow-graph[data-flow="BigFlow"]');
      const boxes = [...svg.querySelectorAll("g.node > rect")].map((r) => r.getBoundingClientRect());
      const out = boxes.filter((b) => b.left < vp.left - 1 || b.top < vp.top - 1 || b.right > vp.right + 1 || b.bottom > vp.bottom + 1);
      return {
        nodes: boxes.length,
        outside: out.length,
        fitted: svg.getAttribute("data-fitted"),
        scale: Number(svg.getAttribute("data-scale")),
        groups: svg.querySelectorAll("g.group").length,
        nested: svg.querySelectorAll("g.group[data-parent]").length,
        viewport: `${Math.round(vp.width)}×${Math.round(vp.height)}`,
        drawing: `${svg.getAttribute("data-width")}×${svg.getAttribute("data-height")}`,
      };
    });
  const fitted = await until(
    `${BIG_FLOW_STEPS} nodes fitted in the panel`,
    async () => {
      const m = await measure();
      return m.nodes === BIG_FLOW_STEPS && m.fitted === "true" && m.outside === 0 ? m : null;
    },
    30_000,
  ).catch(async (e) => {
    throw new Error(`${e.message}; last: ${JSON.stringify(await measure().catch(() => null))}`);
  });
  if (fitted.groups < 8 || fitted.nested < 3) throw new Error(`expected 8 foreach boxes, 3 nested: ${JSON.stringify(fitted)}`);
  // Zoom in with the toolbar: the view leaves "fitted"; Fit brings every node back.
  await frame.click('.graph-tools button[data-action="zoom-in"]');
  await frame.click('.graph-tools button[data-action="zoom-in"]');
  const zoomed = await measure();
  await screenshot("graph-60-steps-zoomed");
  if (!(zoomed.scale > fitted.scale) || zoomed.fitted !== "false") throw new Error(`zoom in did not zoom: ${JSON.stringify(zoomed)}`);
  await frame.click('.graph-tools button[data-action="fit"]');
  const refit = await measure();
  if (refit.fitted !== "true" || refit.outside !== 0) throw new Error(`Fit did not refit: ${JSON.stringify(refit)}`);
  await screenshot("graph-60-steps-fitted");
  await runCommand("Toggle Maximize Editor Group");
  return `${fitted.nodes} nodes all inside the ${fitted.viewport} panel at scale ${fitted.scale} (drawing ${fitted.drawing}); ${fitted.groups} foreach boxes, ${fitted.nested} nested; zoom ${zoomed.scale.toFixed(2)} then Fit again`;
});

await stage("quick-fix-applied", async () => {
  await openWorkspaceFile("fixable_flow.py", "class FixableFlow");
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: 60_000 });
  // The graph panel follows the editor: the step's tooltip lists its problem, code and message.
  const frame = await webviewFrame('svg.flow-graph[data-flow="FixableFlow"]', 30_000);
  const tip = await until(
    "the train node's tooltip to list MF110",
    async () => {
      const t = await frame.$eval('g.node[data-step="train"] > title', (e) => e.textContent).catch(() => "");
      return /MF110: .*evalute/.test(t) ? t : null;
    },
    30_000,
  );
  const before = await until("an error count in the status bar", async () => ((await errorCount()) > 0 ? errorCount() : null), 30_000);
  await fileTab("fixable_flow.py", true).click();
  await selectInActiveEditor("evalute)");
  await page.keyboard.press("Control+.");
  const item = page.locator(".action-widget .monaco-list-row", { hasText: /evaluate/ }).first();
  await item.waitFor({ timeout: 15_000 });
  const title = (await item.innerText()).trim();
  await item.click();
  await page.locator(".editor-instance .view-lines", { hasText: "self.next(self.evaluate)" }).first().waitFor({ timeout: 15_000 });
  const after = await until("the error count to drop", async () => {
    const n = await errorCount();
    return n < before ? String(n) : null;
  }, 30_000);
  await page.keyboard.press("Control+S");
  await page.locator(".tabs-container .tab.active.dirty").first().waitFor({ state: "detached", timeout: 10_000 }).catch(() => undefined);
  return `tooltip: "${tip.split("\n")[1]?.slice(0, 60)}…"; applied "${title}"; errors ${before} → ${after}`;
});

await stage("rename-refused", async () => {
  const { readFileSync } = await import("node:fs");
  const file = path.join(args.workspace, "fixable_flow.py");
  await fileTab("fixable_flow.py").click();
  await fileTab("fixable_flow.py", true).waitFor({ timeout: 10_000 });
  await page.locator(".tabs-container .tab.active.dirty").first().waitFor({ state: "detached", timeout: 10_000 });
  const before = readFileSync(file, "utf8");
  await selectInActiveEditor("def train");
  await page.keyboard.press("ArrowLeft"); // cursor at "def", then onto the name
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("F2");
  const box = page.locator(".rename-box input, .rename-box .rename-input").first();
  await box.waitFor({ timeout: 15_000 });
  await box.fill("evaluate");
  await box.press("Enter");
  const shown = await until(
    "VS Code to show the refusal",
    async () => {
      for (const sel of [".monaco-editor-overlaymessage", ".notification-toast"]) {
        const t = await page.locator(sel, { hasText: "already exists" }).first().innerText({ timeout: 200 }).catch(() => "");
        if (t) return t.replace(/\s+/g, " ").trim();
      }
      return null;
    },
    20_000,
    100,
  ).catch(async (e) => {
    const seen = await page.locator(".monaco-editor-overlaymessage, .notification-toast").allInnerTexts().catch(() => []);
    const line = await page.locator(".editor-instance .view-lines .view-line", { hasText: "def " }).allInnerTexts().catch(() => []);
    throw new Error(`${e.message}; messages: ${JSON.stringify(seen)}; defs: ${JSON.stringify(line)}`);
  });
  await sleep(500);
  const dirty = await page.locator(".tabs-container .tab.active.dirty").count();
  if (dirty) throw new Error("the editor has unsaved changes after a refused rename");
  if (readFileSync(file, "utf8") !== before) throw new Error("the file changed on disk");
  const defs = await page.locator(".editor-instance .view-lines", { hasText: "def train(self)" }).count();
  if (!defs) throw new Error("def train is gone from the editor");
  return `refused: "${shown.slice(0, 140)}"; file unchanged`;
});

await stage("hover-config", async () => {
  // For the docs: what a Config's hover shows (its flags, its default).
  await page.keyboard.press("Escape");
  await fileTab("fixable_flow.py").click();
  await fileTab("fixable_flow.py", true).waitFor({ timeout: 10_000 });
  const hover = page.locator(".monaco-hover:not(.hidden)");
  // Monaco merges same-coloured tokens into one span ("    settings = ", nbsp), so hover at the word.
  const span = page.locator(".view-line span", { hasText: /\bsettings\s*=/ }).first();
  await span.waitFor({ timeout: 10_000 });
  const text = await until(
    "a hover on the Config",
    async () => {
      await page.mouse.move(5, 5);
      await sleep(200);
      const box = await span.boundingBox();
      const line = await span.textContent();
      const at = line.indexOf("settings") + 3;
      await page.mouse.move(box.x + (at * box.width) / line.length, box.y + box.height / 2);
      await hover.first().waitFor({ timeout: 5_000 });
      const t = await hover.first().innerText();
      return /Config/.test(t) ? t : null;
    },
    60_000,
    1000,
  );
  return `hover: ${text.split("\n")[0].slice(0, 100)}`;
});

await finish();
