/**
 * QueueBudget: a bound on the bytes received but not yet processed over all BMP sessions of a
 * collector together, so memory stays bounded however many routers send their tables at once.
 *
 * ```
 *  session receives n bytes ──► add(n) ──► bytes > limit ? that session pauses its socket (register)
 *  session processes n bytes ─► remove(n) ─► bytes < limit/2 ? every registered session may resume
 * ```
 *
 * Each session still has its own high-water mark (`--queue-limit`); this is the shared one
 * (`--queue-total`). Without it ten routers could each fill their own 64 MiB queue, 640 MiB
 * that stays resident after the burst. Invariant: a session paused for the budget is
 * registered until it resumes or closes, and every registered session is offered a resume
 * when the total falls under half the limit: the total only falls when some session processes
 * bytes, so no paused session waits for a wake-up that never comes.
 */

/** A session that can be woken when the budget frees up. */
export interface BudgetedQueue {
  /** Resume reading if the session's own queue allows it; returns whether it did. */
  resumeFromBudget(): boolean;
}

/** The shared bound on queued bytes; see the module doc. */
export class QueueBudget {
  /** Bytes queued over all sessions now. */
  bytes = 0;
  /** Sessions paused while the budget was over its limit, not yet resumed. */
  private readonly waiting = new Set<BudgetedQueue>();

  /** @param limitBytes queued bytes over all sessions above which a receiving session pauses. */
  constructor(readonly limitBytes: number) {}

  /** Whether the total is over the limit (the session that just received should pause). */
  get over(): boolean {
    return this.bytes > this.limitBytes;
  }

  /** Whether the total is low enough for paused sessions to read again. */
  get roomy(): boolean {
    return this.bytes < this.limitBytes / 2;
  }

  /** Count `n` bytes received by some session. */
  add(n: number): void {
    this.bytes += n;
  }

  /** Count `n` bytes processed (or dropped at close); wakes the waiting sessions once there is room. */
  remove(n: number): void {
    this.bytes -= n;
    if (this.waiting.size > 0 && this.roomy) {
      for (const queue of this.waiting) if (queue.resumeFromBudget()) this.waiting.delete(queue);
    }
  }

  /** `queue` paused its socket (for the budget or its own limit): offer it a resume later. */
  register(queue: BudgetedQueue): void {
    this.waiting.add(queue);
  }

  /** `queue` resumed by itself or closed. */
  unregister(queue: BudgetedQueue): void {
    this.waiting.delete(queue);
  }
}
