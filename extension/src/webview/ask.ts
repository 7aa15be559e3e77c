/**
 * Ask panel script: shows the transcript, streams answer HTML rendered by the extension host,
 * and sends questions, cancellations and citation clicks back. All HTML it inserts was rendered
 * (and escaped) by the extension host; user-typed text is inserted as text only.
 *
 * The page holds no state of its own that matters: the extension replays the whole transcript
 * each time this script says "ready" (see replayChannel.ts), starting with "cleared", so every
 * handler must give the same page whatever was shown before.
 */

import type { FromAskView, ToAskView } from "../pure/askMessages";
import { byId, vscodeApi } from "./vscodeApi";

/** How often, and how many times, "ready" is repeated until the extension answers. */
const READY_RETRY_MS = 1000;
const READY_RETRIES = 60;

const transcript = byId<HTMLElement>("transcript");
const form = byId<HTMLFormElement>("ask-form");
const question = byId<HTMLTextAreaElement>("question");
const offline = byId<HTMLInputElement>("offline");
const cancel = byId<HTMLButtonElement>("cancel");
const send = byId<HTMLButtonElement>("send");
const hint = byId<HTMLElement>("hint");

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function turn(id: number): HTMLElement | null {
  return transcript.querySelector(`.turn[data-turn="${id}"]`);
}

function post(msg: FromAskView): void {
  vscodeApi.postMessage(msg);
}

/** Busy while any turn is still running: derived from the page, so a replay cannot leave it stale. */
function refreshBusy(): void {
  const busy = !!transcript.querySelector(".turn.running");
  cancel.classList.toggle("hidden", !busy);
  send.disabled = busy;
}

let heard = false;

window.addEventListener("message", (event: MessageEvent<ToAskView>) => {
  const msg = event.data;
  heard = true;
  switch (msg.type) {
    case "hint": {
      hint.classList.toggle("hidden", msg.hasKey);
      hint.textContent = "";
      if (!msg.hasKey) {
        hint.append("No Anthropic API key is set: answers come from the offline index (search results with citations). ");
        const a = el("a", "set-key", "Set API key");
        a.setAttribute("href", "#");
        hint.append(a);
      }
      break;
    }
    case "turnStart": {
      turn(msg.id)?.remove();
      const t = el("section", "turn running");
      t.dataset.turn = String(msg.id);
      t.append(el("div", "question", msg.question));
      if (msg.context) t.append(el("div", "muted small", msg.context));
      t.append(el("div", "progress muted small", "Thinking…"));
      t.append(el("div", "answer"));
      t.append(el("div", "meta muted small"));
      transcript.append(t);
      t.scrollIntoView({ block: "end" });
      refreshBusy();
      break;
    }
    case "progress": {
      const p = turn(msg.id)?.querySelector(".progress");
      if (p) p.textContent = msg.message;
      break;
    }
    case "delta": {
      const a = turn(msg.id)?.querySelector(".answer");
      if (a) a.innerHTML = msg.html;
      break;
    }
    case "turnEnd": {
      const t = turn(msg.id);
      if (!t) {
        refreshBusy();
        break;
      }
      t.classList.remove("running");
      t.querySelector(".progress")?.remove();
      (t.querySelector(".answer") as HTMLElement).innerHTML = msg.html;
      if (msg.notFound) t.querySelector(".answer")?.prepend(el("p", "not-found", "Not found in the indexed source."));
      if (msg.citations.length) {
        const list = el("ol", "citations");
        for (const c of msg.citations) {
          const li = document.createElement("li");
          const a = el("a", c.verified ? "cite" : "cite unverified", c.label);
          a.setAttribute("href", "#");
          a.dataset.cite = String(c.index);
          if (!c.openable) a.classList.add("disabled");
          li.append(a);
          if (!c.verified) li.append(el("span", "badge warn", "unverified"));
          list.append(li);
        }
        const box = el("div", "citations-box");
        box.append(el("div", "small muted", "Sources"), list);
        t.insertBefore(box, t.querySelector(".meta"));
      }
      const meta = t.querySelector(".meta") as HTMLElement;
      meta.textContent = "";
      meta.append(el("span", `badge mode-${msg.mode}`, msg.mode));
      if (msg.usage) meta.append(el("span", "usage", msg.usage));
      if (msg.note) meta.append(el("div", "note", msg.note));
      refreshBusy();
      t.scrollIntoView({ block: "end" });
      break;
    }
    case "turnError": {
      const t = turn(msg.id);
      if (t) {
        t.classList.remove("running");
        t.querySelector(".progress")?.remove();
        if (msg.partial) (t.querySelector(".answer") as HTMLElement).innerHTML = msg.partial;
        t.append(el("div", "error", msg.message));
      }
      refreshBusy();
      break;
    }
    case "cleared":
      transcript.textContent = "";
      refreshBusy();
      break;
  }
});

transcript.addEventListener("click", (e) => {
  const a = (e.target as Element).closest("a.cite") as HTMLElement | null;
  if (!a) return;
  e.preventDefault();
  const t = a.closest(".turn") as HTMLElement | null;
  if (!t) return;
  post({ type: "openCitation", turn: Number(t.dataset.turn), index: Number(a.dataset.cite) });
});

hint.addEventListener("click", (e) => {
  if ((e.target as Element).closest("a.set-key")) {
    e.preventDefault();
    post({ type: "setKey" });
  }
});

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const q = question.value.trim();
  if (!q || send.disabled) return;
  post({ type: "ask", question: q, offline: offline.checked });
  question.value = "";
});

question.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    form.requestSubmit();
  }
});

cancel.addEventListener("click", () => post({ type: "cancel" }));
byId<HTMLButtonElement>("new").addEventListener("click", () => post({ type: "newConversation" }));

// Say "ready" until the extension answers (its replay always starts with "cleared"): under
// load the first one may cross the panel's creation, and a repeated one only replays again.
post({ type: "ready" });
let retries = 0;
const readyTimer = setInterval(() => {
  if (heard || ++retries > READY_RETRIES) clearInterval(readyTimer);
  else post({ type: "ready" });
}, READY_RETRY_MS);
