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
 * When garbage passes 1 MiB and 3/4 of the used bytes, {@link ByteArena.release} says so and
 * the pool compacts (live bytes copied down, O(live), rare).
 *
 * The arena's bytes are shared with worker readers ({@link ByteArena.shared}).
 */
import { GrowableArray } from './growable.js';

/** Freed byte ranges shorter than this are kept on per-length free lists for reuse. */
const MAX_REUSE_LENGTH = 4096;

/** Byte storage with per-length free lists and compaction. */
export class ByteArena {
  private readonly arr: GrowableArray<Uint8ArrayConstructor>;
  private used = 0;
  private garbage = 0;
  /** Per byte length (< MAX_REUSE_LENGTH): first free range of that length + 1, 0 for none. */
  private readonly freeRanges = new Uint32Array(MAX_REUSE_LENGTH);

  /** An arena of `initialBytes` (grows on demand, calling `grew`), or a mapping of a `shared` one. */
  constructor(initialBytes: number, grew?: () => void, shared?: SharedArrayBuffer) {
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

  /** Copy `bytes[start, end)` in, into a freed range of that length if there is one; returns the offset. */
  place(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    let offset: number;
    const reuse = length >= 4 && length < MAX_REUSE_LENGTH ? this.freeRanges[length]! : 0;
    if (reuse !== 0) {
      offset = reuse - 1;
      const a = this.arr.view;
      this.freeRanges[length] = (a[offset]! | (a[offset + 1]! << 8) | (a[offset + 2]! << 16) | (a[offset + 3]! << 24)) >>> 0;
      this.garbage -= length;
    } else {
      if (this.used + length > this.arr.length) this.arr.ensure(this.used + length);
      offset = this.used;
      this.used += length;
    }
    this.arr.view.set(bytes.subarray(start, end), offset);
    return offset;
  }

  /**
   * Give back the range `[offset, offset + length)` (its bytes are overwritten). Returns
   * whether garbage has grown past the compaction threshold ({@link compact} is due).
   */
  release(offset: number, length: number): boolean {
    this.garbage += length;
    if (length >= 4 && length < MAX_REUSE_LENGTH) {
      const a = this.arr.view;
      const next = this.freeRanges[length]!;
      a[offset] = next & 255;
      a[offset + 1] = (next >>> 8) & 255;
      a[offset + 2] = (next >>> 16) & 255;
      a[offset + 3] = next >>> 24;
      this.freeRanges[length] = offset + 1;
    }
    return this.garbage > 1 << 20 && this.garbage * 4 > this.used * 3;
  }

  /**
   * Copy the live ranges down to the start of the arena, in id order, dropping garbage and
   * every free list. Ids `1 .. idBound - 1` for which `live(id)` holds keep their bytes;
   * their `offsets` are rewritten in place.
   */
  compact(offsets: Uint32Array, lengths: Uint32Array, idBound: number, live: (id: number) => boolean): void {
    const arena = this.arr.view;
    const kept = new Uint8Array(this.used - this.garbage);
    let at = 0;
    for (let id = 1; id < idBound; id++) {
      if (!live(id)) continue;
      const off = offsets[id]!;
      const len = lengths[id]!;
      kept.set(arena.subarray(off, off + len), at);
      offsets[id] = at;
      at += len;
    }
    arena.set(kept.subarray(0, at), 0);
    this.used = at;
    this.garbage = 0;
    this.freeRanges.fill(0);
  }
}
