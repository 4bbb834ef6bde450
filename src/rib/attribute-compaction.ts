/**
 * Incremental compaction of the attribute pool's byte arena (attribute-arena.ts): live bytes
 * move in bounded steps, so no single step blocks the event loop for longer than a sweep step
 * does (it used to be one O(live) copy inside whichever release crossed the threshold: 22.8 ms
 * in bench:rib's 8th flush, against a 5 ms slice budget).
 *
 * Two phases, both driven by {@link ArenaCompaction.step} with a work budget:
 *
 * ```
 *  start        [ live and garbage ............ )top0
 *  1 evacuate   [ old copies, left intact ..... )top0[ copies in id order, new sets ... )
 *               every kept id below top0 is copied up (ids 1 .. idBound at start, a cursor);
 *               sets interned meanwhile append above too; each placement is logged (id, offset)
 *  2 slide      [ moved down ...)low  (dead) ...   [ not yet moved ........ )
 *               the log is in offset order: each entry still kept at its logged offset moves
 *               down to `low` (nothing live is left below it that has not moved already)
 *  end          [ live ....... )top = low          free lists empty, reuse resumes
 * ```
 *
 * While it runs the arena's free lists are off: placements append, releases only count
 * (a range released before its turn is skipped: not kept, or its id holds another offset).
 *
 * Readers: phase 1 never overwrites a byte a reader could still read (the old copy stays
 * until phase 2); phase 2 overwrites, so the pool runs every step inside a structure section
 * (shared-versions.ts): a worker attempt that overlaps a step fails validation and retries.
 *
 * Memory: the arena's top rises by the live bytes (at most 1/4 of the used bytes when a
 * compaction starts) plus what is interned meanwhile; the log holds 8 bytes per placement,
 * in chunks of 256 KiB.
 */
import type { ByteArena } from './attribute-arena.js';
import type { GrowableArray } from './growable.js';

/** Work units a step charges per set it looks at (on top of the bytes it copies). */
const UNITS_PER_SET = 16;
/**
 * Log pairs per chunk: the log grows by chunks of 256 KiB (a doubling array would copy and
 * zero megabytes inside one step: hundreds of thousands of sets are placed per compaction).
 */
const CHUNK_PAIRS = 32768;

/** The compaction state machine over one arena and the pool's per-id offset and length arrays. */
export class ArenaCompaction {
  /** 0 idle, 1 evacuating, 2 sliding. */
  private phase = 0;
  /** Phase 1: the arena's top when the compaction began. */
  private top0 = 0;
  /** Phase 1: the next id to look at, and the id bound when the compaction began. */
  private nextId = 1;
  private idEnd = 1;
  /** Placements since the compaction began: (id, offset) pairs, in offset order, in chunks. */
  private readonly chunks: Uint32Array[] = [];
  /** Pairs logged, and (phase 2) the next pair to look at. */
  private logLength = 0;
  private logAt = 0;
  /** Compactions completed (statistics, tests). */
  completed = 0;

  constructor(
    private readonly arena: ByteArena,
    private readonly offsets: GrowableArray<Uint32ArrayConstructor>,
    private readonly lengths: GrowableArray<Uint32ArrayConstructor>,
    private readonly kept: (id: number) => boolean,
  ) {}

  /** Whether a compaction runs. */
  get running(): boolean {
    return this.phase !== 0;
  }

  /** Begin a compaction of the ids below `idBound` (idle only). */
  start(idBound: number): void {
    if (this.phase !== 0) return;
    this.top0 = this.arena.beginCompaction();
    this.nextId = 1;
    this.idEnd = idBound;
    this.logLength = 0;
    this.logAt = 0;
    this.phase = 1;
  }

  /** Tell the compaction that `id`'s bytes were placed at `offset` (every placement while it runs). */
  placed(id: number, offset: number): void {
    const c = Math.floor(this.logLength / CHUNK_PAIRS);
    if (c === this.chunks.length) this.chunks.push(new Uint32Array(2 * CHUNK_PAIRS));
    const at = 2 * (this.logLength % CHUNK_PAIRS);
    const chunk = this.chunks[c]!;
    chunk[at] = id;
    chunk[at + 1] = offset;
    this.logLength++;
  }

  /**
   * Do about `budget` units of work (bytes copied + {@link UNITS_PER_SET} per set looked at;
   * at least two sets, so a step paced per placement outruns the placements). Returns whether
   * the compaction still runs. The caller wraps it in a structure section.
   */
  step(budget: number): boolean {
    let work = 0;
    let sets = 0;
    if (this.phase === 1) {
      const offsets = this.offsets.view;
      const lengths = this.lengths.view;
      while (this.nextId < this.idEnd && (work < budget || sets < 2)) {
        const id = this.nextId++;
        sets++;
        work += UNITS_PER_SET;
        if (!this.kept(id)) continue;
        const off = offsets[id]!;
        if (off >= this.top0) continue; // placed since the start: above already (and logged)
        const len = lengths[id]!;
        const to = this.arena.copyUp(off, len);
        offsets[id] = to;
        this.placed(id, to);
        work += len;
      }
      if (this.nextId < this.idEnd) return true;
      this.phase = 2;
    }
    const offsets = this.offsets.view;
    const lengths = this.lengths.view;
    while (this.logAt < this.logLength && (work < budget || sets < 2)) {
      const chunk = this.chunks[Math.floor(this.logAt / CHUNK_PAIRS)]!;
      const at = 2 * (this.logAt % CHUNK_PAIRS);
      const id = chunk[at]!;
      const off = chunk[at + 1]!;
      this.logAt++;
      sets++;
      work += UNITS_PER_SET;
      if (offsets[id] !== off || !this.kept(id)) continue; // released, or its id was reused
      const len = lengths[id]!;
      offsets[id] = this.arena.moveDown(off, len);
      work += len;
    }
    if (this.logAt < this.logLength) return true;
    this.arena.endCompaction();
    this.phase = 0;
    this.completed++;
    this.chunks.length = Math.min(this.chunks.length, 1); // one chunk kept for the next
    return false;
  }
}
