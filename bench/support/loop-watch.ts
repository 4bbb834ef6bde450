/**
 * LoopWatch: what held the event loop while a benchmark ran. A 10 ms timer notes every gap
 * longer than `thresholdMs` between its ticks, and for each gap how much of it was garbage
 * collection (`gc` performance entries overlapping it) and how much CPU time the process used
 * in it. A gap whose CPU time is far below its length was the OS running other processes (a
 * loaded machine), one mostly GC was a pause, the rest was JavaScript work.
 *
 * Process CPU counts every thread (workers, GC helpers), so it can exceed the gap.
 */
import { PerformanceObserver } from 'node:perf_hooks';

/** One gap of the loop. */
export interface LoopGap {
  /** When the gap started, ms after {@link LoopWatch.start}. */
  at: number;
  /** How long the loop was held (ms). */
  heldMs: number;
  /** GC pauses within the gap (ms). */
  gcMs: number;
  /** Process CPU time within the gap (ms, all threads). */
  cpuMs: number;
}

/** Watches the event loop between {@link start} and {@link stop}. */
export class LoopWatch {
  private readonly gcs: [number, number][] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.gcs.push([e.startTime, e.duration]);
  });
  private timer: NodeJS.Timeout | undefined;
  private origin = 0;
  /** Raw gaps: [start, end, process CPU µs], resolved against GC entries at {@link stop}. */
  private readonly raw: [number, number, number][] = [];

  constructor(private readonly thresholdMs = 50) {}

  start(): void {
    this.observer.observe({ entryTypes: ['gc'] });
    this.origin = performance.now();
    let last = this.origin;
    let lastCpu = process.cpuUsage();
    this.timer = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage();
      if (now - last > this.thresholdMs) this.raw.push([last, now, cpu.user + cpu.system - lastCpu.user - lastCpu.system]);
      last = now;
      lastCpu = cpu;
    }, 10);
  }

  /** Stop watching; the gaps seen, in order. */
  stop(): LoopGap[] {
    clearInterval(this.timer);
    this.observer.disconnect();
    return this.raw.map(([a, b, cpuUs]) => {
      let gcMs = 0;
      for (const [s, d] of this.gcs) if (s < b && s + d > a) gcMs += Math.min(b, s + d) - Math.max(a, s);
      return { at: a - this.origin, heldMs: b - a, gcMs, cpuMs: cpuUs / 1000 };
    });
  }
}

/** One line on a set of gaps: how many, the longest, and what the time inside them was. */
export function describeGaps(gaps: readonly LoopGap[], thresholdMs = 50): string {
  if (gaps.length === 0) return `no gap over ${thresholdMs} ms`;
  const held = gaps.reduce((x, g) => x + g.heldMs, 0);
  const gc = gaps.reduce((x, g) => x + g.gcMs, 0);
  const cpu = gaps.reduce((x, g) => x + g.cpuMs, 0);
  const longest = gaps.reduce((m, g) => (g.heldMs > m.heldMs ? g : m));
  return (
    `${gaps.length} gaps over ${thresholdMs} ms, ${held.toFixed(0)} ms in all (GC ${gc.toFixed(0)} ms, process CPU ${cpu.toFixed(0)} ms); ` +
    `longest ${longest.heldMs.toFixed(0)} ms at ${(longest.at / 1000).toFixed(2)} s (GC ${longest.gcMs.toFixed(0)}, CPU ${longest.cpuMs.toFixed(0)} ms)`
  );
}
