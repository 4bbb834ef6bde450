/**
 * The machine's random-access memory latency, measured the classic way: a pointer chase
 * through a random cyclic permutation (each load's address depends on the previous load, so
 * nothing overlaps and every step costs one full access at that working-set size).
 *
 * Why it is in the benchmarks: a trie lookup is a short chain of dependent loads into a
 * structure bigger than the cache, so its floor is a few of these. Printing the chase beside
 * the lookup figures says, measured on the same machine in the same run, what bounds them.
 */
import { SeededRandom } from './random.js';

/** Best-of-`rounds` nanoseconds per dependent load for a working set of `bytes`. */
export function pointerChaseNs(bytes: number, rounds = 5, rng = new SeededRandom(7)): number {
  const n = Math.max(16, bytes >>> 2);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Sattolo's shuffle: a single cycle through every slot.
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[order[i]!] = order[(i + 1) % n]!;
  const steps = 1 << 21;
  let best = Infinity;
  let j = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) j = next[j]!;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / steps);
  }
  if (j < 0) throw new Error('unreachable: keeps the chase from being optimised away');
  return best;
}

/** One markdown-ready line: latency per dependent load at 256 KiB, 4 MiB, 16 MiB and 64 MiB. */
export function memoryLatencyLine(): string {
  const sizes: Array<[string, number]> = [
    ['256 KiB', 2 ** 18],
    ['4 MiB', 2 ** 22],
    ['16 MiB', 2 ** 24],
    ['64 MiB', 2 ** 26],
  ];
  const parts = sizes.map(([label, bytes]) => `${label} ${pointerChaseNs(bytes).toFixed(1)} ns`);
  return `random dependent load (pointer chase, best of 5): ${parts.join(', ')}`;
}
