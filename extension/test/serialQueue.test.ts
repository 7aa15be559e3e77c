import assert from "node:assert/strict";
import { test } from "node:test";
import { SerialQueue } from "../src/pure/serialQueue";

/** A job that records its start and end, and ends when `release` is called. */
function gated(log: string[], name: string) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const job = async () => {
    log.push(`start ${name}`);
    await gate;
    log.push(`end ${name}`);
  };
  return { job, release: () => release() };
}
const tick = () => new Promise((r) => setImmediate(r));

test("a question added while another runs waits for it, then runs; none is dropped", async () => {
  const q = new SerialQueue();
  const log: string[] = [];
  const a = gated(log, "a");
  const b = gated(log, "b");
  const c = gated(log, "c");
  const done = [q.add(a.job), q.add(b.job), q.add(c.job)];
  await tick();
  assert.deepEqual(log, ["start a"]);
  assert.equal(q.length, 3);
  c.release(); // finishing early changes nothing: c still waits for a and b
  b.release();
  await tick();
  assert.deepEqual(log, ["start a"]);
  a.release();
  await Promise.all(done);
  assert.deepEqual(log, ["start a", "end a", "start b", "end b", "start c", "end c"]);
  assert.equal(q.length, 0);
});

test("a failing question rejects its own promise only; the next one still runs", async () => {
  const q = new SerialQueue();
  const log: string[] = [];
  const failed = q.add(async () => {
    log.push("a");
    throw new Error("boom");
  });
  const next = q.add(async () => {
    log.push("b");
  });
  await assert.rejects(failed, /boom/);
  await next;
  assert.deepEqual(log, ["a", "b"]);
  assert.equal(q.length, 0);
});

test("length counts the running job and the waiting ones, and the queue is reusable when empty", async () => {
  const q = new SerialQueue();
  assert.equal(q.length, 0);
  const log: string[] = [];
  const a = gated(log, "a");
  const p = q.add(a.job);
  assert.equal(q.length, 1);
  a.release();
  await p;
  assert.equal(q.length, 0);
  await q.add(async () => {
    log.push("later");
  });
  assert.deepEqual(log, ["start a", "end a", "later"]);
});
