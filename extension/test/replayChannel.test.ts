import assert from "node:assert/strict";
import { test } from "node:test";
import { askReplayRules, type ToAskView } from "../src/pure/askMessages";
import { type Deliver, ReplayChannel } from "../src/pure/replayChannel";

/** A channel whose page is a list of the messages it received. */
function harness(deliver?: Deliver<ToAskView>) {
  const page: ToAskView[] = [];
  const channel = new ReplayChannel<ToAskView>(
    (m) => {
      page.push(m);
      return deliver ? deliver(m) : true;
    },
    askReplayRules,
  );
  return { page, channel };
}

const start = (id: number): ToAskView => ({ type: "turnStart", id, question: `q${id}`, context: "" });
const delta = (id: number, html: string): ToAskView => ({ type: "delta", id, html });
const progress = (id: number, message: string): ToAskView => ({ type: "progress", id, message });
const end = (id: number): ToAskView => ({ type: "turnEnd", id, html: `a${id}`, citations: [], mode: "offline", notFound: false, usage: "", note: "" });
const CLEARED: ToAskView = { type: "cleared" };
const tick = () => new Promise((r) => setImmediate(r));

test("nothing is delivered before ready; ready delivers every queued message in order", () => {
  const { page, channel } = harness();
  channel.post({ type: "hint", hasKey: false });
  channel.post(start(1));
  channel.post(progress(1, "Waiting for the language server…"));
  assert.deepEqual(page, []);
  assert.equal(channel.isListening, false);
  channel.ready();
  assert.deepEqual(page, [CLEARED, { type: "hint", hasKey: false }, start(1), progress(1, "Waiting for the language server…")]);
  channel.post(delta(1, "<p>x</p>"));
  assert.deepEqual(page.at(-1), delta(1, "<p>x</p>"));
});

test("a question asked while the panel is being created is not dropped", () => {
  // The command opens the panel and asks at once; a second question arrives before "ready".
  const { page, channel } = harness();
  channel.post(start(1));
  channel.post(start(2));
  channel.post(progress(2, "Waiting for the previous question…"));
  channel.ready();
  assert.deepEqual(
    page.filter((m) => m.type === "turnStart").map((m) => (m as { id: number }).id),
    [1, 2],
  );
});

test("a reload gets the whole transcript again, compacted: newest delta and progress only, none after the end", () => {
  const { page, channel } = harness();
  channel.ready();
  channel.post({ type: "hint", hasKey: false });
  channel.post(start(1));
  channel.post(progress(1, "Thinking…"));
  channel.post(delta(1, "a"));
  channel.post(delta(1, "ab"));
  channel.post(end(1));
  channel.post(start(2));
  channel.post(progress(2, "Thinking…"));
  channel.post(delta(2, "c"));
  channel.post(progress(2, "Searching…"));
  channel.post(delta(2, "cd"));
  channel.post({ type: "hint", hasKey: true });
  assert.deepEqual(channel.log, [{ type: "hint", hasKey: true }, start(1), end(1), start(2), progress(2, "Searching…"), delta(2, "cd")]);
  page.length = 0;
  channel.ready(); // the page reloaded
  assert.deepEqual(page, [CLEARED, ...channel.log]);
});

test("a new conversation keeps only the hint; a turn error retires the turn's partial text", () => {
  const { channel } = harness();
  channel.post({ type: "hint", hasKey: false });
  channel.post(start(1));
  channel.post(end(1));
  channel.post(CLEARED);
  assert.deepEqual(channel.log, [{ type: "hint", hasKey: false }]);
  channel.post(start(2));
  channel.post(delta(2, "partial"));
  channel.post({ type: "turnError", id: 2, message: "Cancelled.", partial: "partial" });
  channel.post(delta(2, "late")); // a throttled render after the end still takes its own slot
  assert.deepEqual(channel.log, [{ type: "hint", hasKey: false }, start(2), { type: "turnError", id: 2, message: "Cancelled.", partial: "partial" }, delta(2, "late")]);
});

test("a message the page did not get stops live delivery until the next ready, which replays it", async () => {
  let live = true;
  const { page, channel } = harness(() => Promise.resolve(live));
  channel.ready();
  live = false; // hidden without retained context, or reloading
  channel.post(start(1));
  await tick();
  assert.equal(channel.isListening, false);
  channel.post(delta(1, "x"));
  assert.equal(page.filter((m) => m.type === "delta").length, 0);
  live = true;
  page.length = 0;
  channel.ready();
  assert.deepEqual(page, [CLEARED, start(1), delta(1, "x")]);
  assert.equal(channel.isListening, true);
});

test("a late 'not delivered' from the previous page does not mute the page that just said ready", async () => {
  let resolveOld: (ok: boolean) => void = () => undefined;
  let first = true;
  const { channel } = harness(() => {
    if (first) {
      first = false;
      return new Promise<boolean>((r) => (resolveOld = r));
    }
    return true;
  });
  channel.ready(); // delivery of its "cleared" hangs
  channel.ready(); // the page reloaded and said ready again
  resolveOld(false);
  await tick();
  assert.equal(channel.isListening, true);
});

test("a repeated ready (it crossed the replay) ends in the same page: every replay starts by emptying it", () => {
  const { page, channel } = harness();
  channel.post(start(1));
  channel.ready();
  channel.post(delta(1, "x"));
  channel.ready();
  // Rebuild the page the way the webview does: "cleared" empties it, turnStart (re)creates a turn.
  const turns = new Map<number, string>();
  for (const m of page) {
    if (m.type === "cleared") turns.clear();
    else if (m.type === "turnStart") turns.set(m.id, "");
    else if (m.type === "delta" && turns.has(m.id)) turns.set(m.id, m.html);
  }
  assert.deepEqual([...turns], [[1, "x"]]);
});

test("a synchronous delivery failure during a replay stops it; the next ready starts over", () => {
  let fail = true;
  const { page, channel } = harness(() => !fail);
  channel.post(start(1));
  channel.post(start(2));
  channel.ready();
  assert.deepEqual(page, [CLEARED]);
  assert.equal(channel.isListening, false);
  fail = false;
  page.length = 0;
  channel.ready();
  assert.deepEqual(page, [CLEARED, start(1), start(2)]);
});
