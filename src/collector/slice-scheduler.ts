/**
 * SliceScheduler: one processing budget per event-loop turn, shared by every BMP session of
 * a collector, so the HTTP API and timers get the loop back after `sliceMs` however many
 * routers stream at once.
 *
 * ```
 *  turn:  ready queue [A, B, C] ──► A.runSlice(deadline) ─► B.runSlice(deadline) ─► … until the deadline
 *         (a task with work left queues itself again at the back; tasks not reached go first next turn)
 *  then:  setImmediate ──► next turn (I/O, HTTP, timers run in between)
 * ```
 *
 * Without it each session took its own `sliceMs` per turn, so ten routers sending their tables
 * together held the loop for ten slices per turn and API requests (which need a few turns each)
 * waited hundreds of milliseconds. Invariants: a task is queued at most once (the task keeps its
 * own "scheduled" flag and calls {@link SliceScheduler.add} only when clear); every queued task
 * runs within a bounded number of turns (FIFO, round-robin: a task that used up a turn goes to
 * the back); one turn runs each task at most once.
 */

/** A unit of sliced work, such as one session's queue of received bytes. */
export interface SliceTask {
  /**
   * Work until `deadline` (a `performance.now()` time), then return. To get more turns the
   * task calls {@link SliceScheduler.add} again (it is off the queue while it runs).
   */
  runSlice(deadline: number): void;
}

/**
 * A clock the tasks' writes read, held for the length of a turn (the RIB's `holdClock`): a
 * turn's routes are stamped with one clock read instead of one per route.
 */
export interface TurnClock {
  holdClock(): void;
  releaseClock(): void;
}

/** Runs queued {@link SliceTask}s in shared time slices; see the module doc. */
export class SliceScheduler {
  private ready: SliceTask[] = [];
  private scheduled = false;
  private readonly turn = (): void => this.runTurn();

  /**
   * @param sliceMs most milliseconds of work per event-loop turn, over all tasks together.
   * @param clock held from the start to the end of each turn, if given.
   */
  constructor(
    readonly sliceMs: number,
    private readonly clock?: TurnClock,
  ) {}

  /** Tasks waiting for a slice. */
  get waiting(): number {
    return this.ready.length;
  }

  /** Queue `task` for a slice (the caller makes sure it is not queued already). */
  add(task: SliceTask): void {
    this.ready.push(task);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  }

  private runTurn(): void {
    this.scheduled = false;
    const deadline = performance.now() + this.sliceMs;
    // The tasks queued now run this turn (in order, until the deadline); re-queued ones wait.
    const turn = this.ready;
    this.ready = [];
    let i = 0;
    this.clock?.holdClock();
    try {
      while (i < turn.length) {
        turn[i++]!.runSlice(deadline);
        if (performance.now() >= deadline) break;
      }
    } finally {
      this.clock?.releaseClock();
      // Tasks not reached keep their place ahead of those that queued themselves again.
      if (i < turn.length) this.ready = turn.slice(i).concat(this.ready);
      if (this.ready.length > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.turn);
      }
    }
  }
}
