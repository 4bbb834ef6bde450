/**
 * Memory of a data structure: the process memory delta after full garbage collections.
 *
 * What is counted: `heapUsed + external` from process.memoryUsage(), after forcing full GCs with
 * `global.gc()` (node must run with --expose-gc). `heapUsed` is live V8 heap (JS objects, strings,
 * arrays); `external` is memory V8 knows is owned by JS objects but lives outside the heap, and it
 * INCLUDES `arrayBuffers` (the backing stores of every ArrayBuffer, SharedArrayBuffer and Buffer),
 * so a typed-array structure is counted in full. A native addon's own malloc'd memory is invisible
 * to both unless the addon reports it to V8; for those, the RSS delta is the only measure and it
 * is reported beside (RSS is noisier: the allocator keeps freed pages, and it counts page-granular).
 *
 * Usage: sample before building, build and keep a reference, sample after, subtract.
 */

/** One reading of process memory, in bytes, taken after full GCs. */
export interface MemorySample {
  /** Live V8 heap. */
  readonly heapUsed: number;
  /** Off-heap memory owned by JS objects, array buffers included. */
  readonly external: number;
  /** Backing stores of ArrayBuffers/SharedArrayBuffers/Buffers (part of `external`). */
  readonly arrayBuffers: number;
  /** Resident set size of the whole process. */
  readonly rss: number;
}

/** Difference between two {@link MemorySample}s. */
export interface MemoryDelta {
  /** heapUsed + external difference: what a JS or typed-array structure costs. */
  readonly counted: number;
  /** heapUsed difference alone. */
  readonly heap: number;
  /** arrayBuffers difference alone. */
  readonly arrayBuffers: number;
  /** RSS difference: the only view of native allocations (noisy). */
  readonly rss: number;
}

/** Whether node runs with --expose-gc (global.gc exists). */
export function gcAvailable(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/**
 * Force full garbage collections: at least three (a freed ArrayBuffer's backing store is released
 * by a sweeper that the next GC finishes, so one GC can leave `external` high), then more until
 * heapUsed + external stops shrinking (at most eight in all).
 * @throws Error when node was started without --expose-gc: a memory figure taken with garbage
 *   still on the heap would be wrong, so the benchmark refuses to produce one.
 */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') {
    throw new Error('memory figures need a forced GC: run node with --expose-gc (npm run bench:table does)');
  }
  let last = Infinity;
  for (let i = 0; i < 8; i++) {
    gc();
    const m = process.memoryUsage();
    const used = m.heapUsed + m.external;
    if (i >= 2 && used >= last - 4096) break;
    last = used;
  }
}

/** Collect garbage, then read process memory. */
export function sampleMemory(): MemorySample {
  collectGarbage();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

/** `after - before`. */
export function memoryDelta(before: MemorySample, after: MemorySample): MemoryDelta {
  return {
    counted: after.heapUsed + after.external - (before.heapUsed + before.external),
    heap: after.heapUsed - before.heapUsed,
    arrayBuffers: after.arrayBuffers - before.arrayBuffers,
    rss: after.rss - before.rss,
  };
}
