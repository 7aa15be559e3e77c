/**
 * Jobs run one at a time, in the order they were added. Why: the Ask panel answers one question
 * at a time (one conversation, one streamed answer), and a question that arrives while another is
 * being answered (from the palette, or typed before the page knew it was busy) used to be
 * refused after the page had already cleared its text box. Now it waits its turn.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private unsettled = 0;

  /** Jobs added and not yet settled; the first of them is running. */
  get length(): number {
    return this.unsettled;
  }

  /** Run `job` once every job added before it has settled; one that fails does not stop the rest. */
  add(job: () => Promise<void>): Promise<void> {
    this.unsettled++;
    const done = this.tail.then(job).finally(() => {
      this.unsettled--;
    });
    this.tail = done.catch(() => undefined);
    return done;
  }
}
