/**
 * The extension's side of a webview's message channel, made so that no message is ever lost.
 *
 * Why: a webview's script is not listening the moment its HTML is set. In a busy VS Code a
 * message posted before the script has loaded simply vanishes (the Ask panel's first question
 * never appeared), and a webview that is reloaded (moved to another window, "Reload Webviews")
 * comes back empty. So the page's state is kept here, as the log of messages that built it:
 * nothing is delivered until the page says it is ready, and every "ready" gets the whole log
 * again, after a message that empties the page, so a replay that crosses live messages still
 * ends in the same state. The log stays small: a message with a slot replaces the earlier one
 * in that slot, a message can retire slots it makes irrelevant, and a reset keeps only what
 * survives it.
 */

/** How one panel's messages compact in the log. */
export interface ReplayRules<M> {
  /** Messages sharing a slot supersede each other: only the newest is kept, where the first stood. */
  slot(m: M): string | undefined;
  /** Slots whose messages no longer matter once `m` was posted (e.g. a finished turn's partial text). */
  retires(m: M): string[];
  /** True when `m` empties the page: it is delivered but not kept, and so is nothing before it… */
  resets(m: M): boolean;
  /** …except the messages for which this is true. */
  survivesReset(m: M): boolean;
  /** Sent before each replay to bring a page in any state back to empty. */
  readonly emptyPage: M;
}

/** What delivering one message says: false (now or later) means the page did not get it. */
export type Deliver<M> = (m: M) => boolean | void | PromiseLike<boolean>;

interface Entry<M> {
  slot: string | undefined;
  message: M;
}

export class ReplayChannel<M> {
  private entries: Entry<M>[] = [];
  private readonly bySlot = new Map<string, Entry<M>>();
  private listening = false;
  /** Bumped on every "ready": a late "not delivered" from an older page must not mute the new one. */
  private epoch = 0;

  constructor(
    private readonly deliver: Deliver<M>,
    private readonly rules: ReplayRules<M>,
  ) {}

  /** True between a "ready" and the first sign that the page is gone. */
  get isListening(): boolean {
    return this.listening;
  }

  /** What a page that says "ready" now would receive, in order (without `emptyPage`). */
  get log(): readonly M[] {
    return this.entries.map((e) => e.message);
  }

  /** Record `m` and deliver it if the page is listening; otherwise it waits for the next "ready". */
  post(m: M): void {
    this.record(m);
    if (this.listening) this.send(m);
  }

  /** The page's script is listening (first load, or a reload): replay everything. */
  ready(): void {
    this.epoch++;
    this.listening = true;
    this.send(this.rules.emptyPage);
    for (const e of this.entries) {
      if (!this.listening) break; // the page went away during the replay
      this.send(e.message);
    }
  }

  /** The page is gone (disposed, or not live): keep logging, deliver nothing until "ready". */
  lost(): void {
    this.listening = false;
  }

  private record(m: M): void {
    const r = this.rules;
    if (r.resets(m)) {
      this.entries = this.entries.filter((e) => r.survivesReset(e.message));
      this.bySlot.clear();
      for (const e of this.entries) if (e.slot !== undefined) this.bySlot.set(e.slot, e);
      return;
    }
    for (const s of r.retires(m)) {
      const old = this.bySlot.get(s);
      if (!old) continue;
      this.bySlot.delete(s);
      this.entries.splice(this.entries.indexOf(old), 1);
    }
    const slot = r.slot(m);
    const old = slot === undefined ? undefined : this.bySlot.get(slot);
    if (old) {
      old.message = m;
      return;
    }
    const entry = { slot, message: m };
    this.entries.push(entry);
    if (slot !== undefined) this.bySlot.set(slot, entry);
  }

  private send(m: M): void {
    const epoch = this.epoch;
    const result = this.deliver(m);
    if (result === false) this.lost();
    else if (result && typeof result === "object") {
      result.then(
        (ok) => {
          if (!ok && epoch === this.epoch) this.lost();
        },
        () => {
          if (epoch === this.epoch) this.lost();
        },
      );
    }
  }
}
