/**
 * The sliced sweep: removing flushed routes in slices of a few milliseconds, yielding to the
 * event loop between slices so queries and ingest keep running. Rib.sweepStep does the work
 * of one step (it visits only the slots of the flushed peer-views, see peer-routes.ts); this
 * file times the slices and reports what the sweep cost.
 */

/** What an async sweep ({@link sweepInSlices}, `Rib.sweep`) cost. */
export interface SweepReport {
  /** Slices of synchronous work (event-loop turns). */
  slices: number;
  /** Total time spent sweeping (ms), yields excluded. */
  workMs: number;
  /** The longest slice (ms): the longest the sweep blocked the event loop. */
  longestSliceMs: number;
  /**
   * CPU time of the process during the slices (ms, user + system, all threads): on a busy
   * machine wall-clock slices include time the OS gave to other processes; this does not.
   */
  cpuMs: number;
  /** CPU time of the longest slice by CPU time (ms). */
  longestSliceCpuMs: number;
}

/**
 * Route entries one step of the sweep visits. A step that removes routes costs up to ~1 µs
 * per entry (a refcount and a trie delete each, random accesses), so a step takes well under a
 * millisecond and the clock, read after each one, keeps a slice within its budget.
 */
export const SWEEP_STEP_ENTRIES = 1024;

/**
 * Attribute-pool compaction work (units: bytes copied + 16 per set looked at,
 * attribute-compaction.ts) a sweep step does per route entry of its budget once no flushed
 * route is left: a step of {@link SWEEP_STEP_ENTRIES} moves up to 256 KiB, well under a millisecond.
 */
export const COMPACT_UNITS_PER_ENTRY = 256;

/**
 * Call `step` (which sweeps about {@link SWEEP_STEP_ENTRIES} entries and returns whether work
 * remains) until it reports no work left, in slices of at most about `sliceMs` ms (a slice
 * ends before a step that, as long as the one before it, would take it past `sliceMs`;
 * every slice does at least one step), yielding
 * to the event loop (setImmediate) between slices. `step(0)` must do no work and tell whether
 * any is pending (no slice is counted when none is). `clock` (ms) is for tests.
 */
export async function sweepInSlices(
  step: (maxEntries: number) => boolean,
  sliceMs: number,
  clock: () => number = () => performance.now(),
): Promise<SweepReport> {
  const report: SweepReport = { slices: 0, workMs: 0, longestSliceMs: 0, cpuMs: 0, longestSliceCpuMs: 0 };
  let more = step(0);
  while (more) {
    const cpu = process.cpuUsage();
    const start = clock();
    // Stop before a step that would end past the budget, judged by the step just done (not
    // the longest so far: one step the OS preempted would shrink every later slice).
    let now = start;
    let lastStep = 0;
    do {
      more = step(SWEEP_STEP_ENTRIES);
      const t = clock();
      lastStep = t - now;
      now = t;
    } while (more && now - start + lastStep <= sliceMs);
    const elapsed = now - start;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    report.slices++;
    report.workMs += elapsed;
    report.cpuMs += cpuMs;
    if (elapsed > report.longestSliceMs) report.longestSliceMs = elapsed;
    if (cpuMs > report.longestSliceCpuMs) report.longestSliceCpuMs = cpuMs;
    if (more) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return report;
}
