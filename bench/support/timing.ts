/**
 * Timing: run a piece of work several rounds with process.hrtime.bigint() and report the median.
 *
 * A round times one call of `work`, which performs `operations` operations (e.g. one lookup over
 * each of 1 M addresses). Warm-up rounds run first and are discarded (they include JIT
 * compilation and inline-cache settling). The figure is the median round divided by
 * `operations`: on a shared, noisy machine the median resists the rounds that another process
 * interrupted, and the spread (min/max) is kept so a reader can see how noisy it was.
 *
 * `work` returns a number that is folded into a sink, so the optimiser cannot drop the loop.
 */

/** Result of {@link measure}. */
export interface Measurement {
  /** Median nanoseconds per operation. */
  readonly nsPerOp: number;
  /** Fastest round, ns per operation. */
  readonly minNsPerOp: number;
  /** Slowest round, ns per operation. */
  readonly maxNsPerOp: number;
  /** Number of timed rounds (warm-up excluded). */
  readonly rounds: number;
  /** Operations per round. */
  readonly operations: number;
}

/** Options for {@link measure}. */
export interface MeasureOptions {
  /** Timed rounds (at least 5 unless the caller has a documented reason). Default 5. */
  rounds?: number;
  /** Untimed warm-up rounds before them. Default 1. */
  warmup?: number;
}

let sink = 0;

/** A value depending on every measured result (print or ignore; it keeps loops alive). */
export function timingSink(): number {
  return sink;
}

/** Time `work` (which does `operations` operations per call) and return the median ns/op. */
export function measure(operations: number, work: () => number, options: MeasureOptions = {}): Measurement {
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? 1;
  for (let i = 0; i < warmup; i++) sink = (sink + work()) | 0;
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    const result = work();
    const elapsed = Number(process.hrtime.bigint() - start);
    sink = (sink + result) | 0;
    times.push(elapsed / operations);
  }
  times.sort((a, b) => a - b);
  return {
    nsPerOp: median(times),
    minNsPerOp: times[0]!,
    maxNsPerOp: times[times.length - 1]!,
    rounds,
    operations,
  };
}

/**
 * Time one run of a piece of work that cannot be repeated without being undone (loading a table,
 * deleting everything). Returns ns per operation; pair it with {@link median} over several
 * build/tear-down cycles where the caller can afford them.
 */
export function timeOnce(operations: number, work: () => number): number {
  const start = process.hrtime.bigint();
  sink = (sink + work()) | 0;
  return Number(process.hrtime.bigint() - start) / operations;
}

/**
 * CPU time of this process in ns: the micro benches time with it so that the time other
 * processes hold the shared cores is not counted (cache contention from them still shows).
 */
export function processCpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/** Median of numbers (sorted copy; mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
