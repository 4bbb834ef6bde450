/**
 * The fuzzer's deterministic pseudo-random source: xorshift32 seeded by an integer, so a
 * run (and every finding in it) is reproducible from `--seed`.
 */
export class FuzzRandom {
  private state: number;

  /** Seed must be a non-zero integer (0 is replaced, as xorshift would stay at 0). */
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Next uint32. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Integer in [0, n) for n >= 1. */
  below(n: number): number {
    return this.next() % n;
  }

  /** True with probability 1/n. */
  oneIn(n: number): boolean {
    return this.below(n) === 0;
  }
}
