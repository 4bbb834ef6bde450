/**
 * The byte arena of the attribute pool (attribute-pool.ts): where the canonical bytes of
 * every interned attribute set live, with the free lists that reuse freed ranges and the
 * compaction that drops garbage. It knows nothing of ids, hashes or reference counts: the
 * pool tells it where each set's bytes are (offset, length) and which sets are live.
 *
 * Freed ranges go on a free list per exact length, linked through their first 4 bytes
 * (little-endian "next offset + 1", 0 ends the list); ranges shorter than 4 bytes (or of
 * MAX_REUSE_LENGTH and more) are left as garbage. A new set of a freed length takes the range
 * back: attribute sets come in few lengths, so churn reuses space without moving anything.
 * When garbage passes 1 MiB (by default) and 3/4 of the used bytes, {@link ByteArena.release}
 * says so and the pool starts an incremental compaction (attribute-compaction.ts), which moves
 * live bytes in bounded steps through the primitives here ({@link ByteArena.beginCompaction},
 * {@link ByteArena.copyUp}, {@link ByteArena.moveDown}, {@link ByteArena.endCompaction}). While
 * it runs the free lists are off: every placement appends at the top, a release only counts.
 *
 * The arena's bytes are shared with worker readers ({@link ByteArena.shared}).
 */
import { GrowableArray, type PageRange } from './growable.js';

/** Freed byte ranges shorter than this are kept on per-length free lists for reuse. */
const MAX_REUSE_LENGTH = 4096;

/** Byte storage with per-length free lists and compaction. */
export class ByteArena {
  private readonly arr: GrowableArray<Uint8ArrayConstructor>;
  private used = 0;
  /** Bytes of placed ranges not yet released (garbage = used - live). */
  private live = 0;
  /** Garbage that, past 3/4 of the used bytes, makes a compaction due. */
  private readonly compactAfter: number;
  /** A compaction runs: no free-list reuse, placements append. */
  private appending = false;
  /** While compacting: where the next {@link moveDown} puts its bytes. */
  private low = 0;
  /** Per byte length (< MAX_REUSE_LENGTH): first free range of that length + 1, 0 for none. */
  private readonly freeRanges = new Uint32Array(MAX_REUSE_LENGTH);

  /** An arena of `initialBytes` (grows on demand, calling `grew`), or a mapping of a `shared` one. */
  constructor(initialBytes: number, grew?: () => void, shared?: SharedArrayBuffer, compactAfter = 1 << 20) {
    this.compactAfter = compactAfter;
    this.arr = shared === undefined ? new GrowableArray(Uint8Array, initialBytes, grew) : GrowableArray.attach(Uint8Array, shared);
  }

  /** The bytes (re-read after every {@link place}: growth replaces the view). */
  get view(): Uint8Array {
    return this.arr.view;
  }

  /** The shared buffer, for a worker's mapping. */
  get shared(): SharedArrayBuffer {
    return this.arr.shared;
  }

  /** Re-map after growth (a reader's mapping). */
  refresh(): void {
    this.arr.refresh();
  }

  /** Committed bytes (garbage included) plus the free-list heads. */
  get byteLength(): number {
    return this.arr.byteLength + this.freeRanges.byteLength;
  }

  /** Bytes used (live and garbage) from the start of the arena. */
  get usedBytes(): number {
    return this.used;
  }

  /** Bytes used that no live range holds. */
  get garbageBytes(): number {
    return this.used - this.live;
  }

  /**
   * Commit room for `bytes` more bytes at the top (a bulk load that knows its size); returns
   * the range they will fill, for `prefaultPages` (prefault-pages.ts).
   */
  reserve(bytes: number): PageRange {
    this.arr.ensure(this.used + bytes);
    return { buffer: this.arr.shared, start: this.used, end: this.used + bytes };
  }

  /**
   * Copy `bytes[start, end)` in, into a freed range of that length if there is one (not while
   * a compaction runs: then at the top); returns the offset.
   */
  place(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    let offset: number;
    const reuse = !this.appending && length >= 4 && length < MAX_REUSE_LENGTH ? this.freeRanges[length]! : 0;
    if (reuse !== 0) {
      offset = reuse - 1;
      const a = this.arr.view;
      this.freeRanges[length] = (a[offset]! | (a[offset + 1]! << 8) | (a[offset + 2]! << 16) | (a[offset + 3]! << 24)) >>> 0;
    } else {
      offset = this.append(length);
    }
    this.live += length;
    this.arr.view.set(bytes.subarray(start, end), offset);
    return offset;
  }

  /** Room for `length` bytes at the top; returns its offset. */
  private append(length: number): number {
    if (this.used + length > this.arr.length) this.arr.ensure(this.used + length);
    const offset = this.used;
    this.used += length;
    return offset;
  }

  /**
   * Give back the range `[offset, offset + length)` (its first bytes are overwritten, except
   * while a compaction runs). Returns whether garbage has grown past the compaction threshold
   * (a compaction is due; never while one runs).
   */
  release(offset: number, length: number): boolean {
    this.live -= length;
    if (this.appending) return false;
    if (length >= 4 && length < MAX_REUSE_LENGTH) {
      const a = this.arr.view;
      const next = this.freeRanges[length]!;
      a[offset] = next & 255;
      a[offset + 1] = (next >>> 8) & 255;
      a[offset + 2] = (next >>> 16) & 255;
      a[offset + 3] = next >>> 24;
      this.freeRanges[length] = offset + 1;
    }
    const garbage = this.used - this.live;
    return garbage > this.compactAfter && garbage * 4 > this.used * 3;
  }

  /** Whether a compaction runs (between {@link beginCompaction} and {@link endCompaction}). */
  get compacting(): boolean {
    return this.appending;
  }

  /**
   * Start a compaction: the free lists are dropped and stay off until {@link endCompaction};
   * returns the top, below which every live range must be {@link copyUp copied up}.
   */
  beginCompaction(): number {
    this.appending = true;
    this.freeRanges.fill(0);
    this.low = 0;
    return this.used;
  }

  /**
   * Copy a live range to the top (the old copy stays intact, so a reader holding the old
   * offset still reads the right bytes); returns the new offset.
   */
  copyUp(offset: number, length: number): number {
    const to = this.append(length);
    this.arr.view.copyWithin(to, offset, offset + length);
    return to;
  }

  /**
   * Move a live range down to the bottom cursor (bytes below `offset` that are not yet below
   * the cursor must be dead or moved already: the pool moves ranges in offset order once
   * nothing live is left under the first top); returns the new offset.
   */
  moveDown(offset: number, length: number): number {
    const to = this.low;
    if (to !== offset) this.arr.view.copyWithin(to, offset, offset + length);
    this.low = to + length;
    return to;
  }

  /** End a compaction: everything live lies below the bottom cursor, which becomes the top. */
  endCompaction(): void {
    this.used = this.low;
    this.appending = false;
  }
}
