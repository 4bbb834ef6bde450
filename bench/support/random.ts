/**
 * A small seeded pseudo-random generator, so every benchmark run asks the same questions.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, passes
 * PractRand to 2^42+ bytes), seeded through splitmix32 so that nearby seeds give unrelated
 * streams. Not cryptographic; chosen because it is fast, tiny and fully determined by the seed.
 */

/** Deterministic uint32 / float / integer stream from a 32-bit seed. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Start the stream for `seed` (any integer; the same seed always gives the same stream). */
  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      // splitmix32
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32(); // mix the seed through the state
  }

  /** The next uniformly distributed uint32. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniformly distributed integer in [0, bound) for 0 < bound <= 2^32 (rejection, no modulo bias). */
  below(bound: number): number {
    if (bound <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % bound);
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % bound;
    }
  }

  /** Shuffle `items` in place (Fisher-Yates) and return it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/** A random permutation of 0..count-1 as a Uint32Array. */
export function randomOrder(count: number, random: SeededRandom): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return random.shuffle(order);
}
