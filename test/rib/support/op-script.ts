/**
 * A long random operation script that every thread of the concurrent test builds alike: op
 * `k` is the same everywhere (fast-check samples seeded per chunk), and chunks are made only
 * when reached, so a long run does not hold the whole script.
 */
import fc from 'fast-check';
import { type Op, opArb } from './random-ops.js';

const CHUNK = 1000;

/** Words of the shared progress array of the concurrent test: the writer's op count. */
export const OPS = 0;
/** Set to 1 when the readers must stop. */
export const STOP = 1;
/** First per-worker count of checked answers. */
export const CHECKS = 2;

/** The ops of one seeded script, made chunk by chunk. */
export class OpScript {
  private chunkIndex = -1;
  private chunk: Op[] = [];
  constructor(private readonly seed: number) {}

  /** Op number `k`. */
  op(k: number): Op {
    const c = Math.floor(k / CHUNK);
    if (c !== this.chunkIndex) {
      this.chunk = fc.sample(opArb, { seed: this.seed + c, numRuns: CHUNK });
      this.chunkIndex = c;
    }
    return this.chunk[k - c * CHUNK]!;
  }
}
