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
 * Usage: `await sampleMemorySettled()` (or the synchronous `sampleMemory()`) before building, build
 * and keep a reference, sample after, subtract.
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

function forcedGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') {
    throw new Error('memory figures need a forced GC: run node with --expose-gc (npm run bench:table does)');
  }
  return gc;
}

function countedNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function readMemory(): MemorySample {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

/**
 * Force full garbage collections, synchronously, until heapUsed + external stops shrinking
 * (three to eight). Caveat: V8 releases a dead ArrayBuffer's backing store from a sweeper task,
 * so buffers that died just before may still be counted in `external`; prefer
 * {@link collectGarbageSettled} where the caller can await.
 * @throws Error when node was started without --expose-gc: a memory figure taken with garbage
 *   still on the heap would be wrong, so the benchmark refuses to produce one.
 */
export function collectGarbage(): void {
  const gc = forcedGc();
  let last = Infinity;
  for (let i = 0; i < 8; i++) {
    gc();
    const used = countedNow();
    if (i >= 2 && used >= last - 4096) break;
    last = used;
  }
}

/**
 * Like {@link collectGarbage}, but waits 50 ms on the event loop after each GC, so the
 * ArrayBuffer sweeper (a background job, slow to get a core on a loaded machine) finishes and
 * freed buffers leave `external`; stops after two consecutive readings within 4 KiB of each
 * other (at least four GCs, at most twelve).
 * @throws Error without --expose-gc, as {@link collectGarbage}.
 */
export async function collectGarbageSettled(): Promise<void> {
  const gc = forcedGc();
  let last = Infinity;
  let stable = 0;
  for (let i = 0; i < 12; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const used = countedNow();
    stable = Math.abs(used - last) < 4096 ? stable + 1 : 0;
    last = used;
    if (i >= 3 && stable >= 2) break;
  }
}

/** {@link collectGarbage}, then read process memory (synchronous; see its caveat). */
export function sampleMemory(): MemorySample {
  collectGarbage();
  return readMemory();
}

/** {@link collectGarbageSettled}, then read process memory: the accurate reading. */
export async function sampleMemorySettled(): Promise<MemorySample> {
  await collectGarbageSettled();
  return readMemory();
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
