/**
 * The buffer the compiled blocks of a first level live in (compiled-level.ts for IPv4,
 * compiled-v6.ts for IPv6): {@link SLOTS} slot words, one per /16, then blocks of whole cache
 * lines, reused through free lists kept per size in lines. Each kind of block knows its own size;
 * this file only hands out and takes back room, and counts what is live.
 */

/** Number of slot words before the first block. */
export const SLOTS = 65_536;
/** Block alignment and size unit in words (one 64-byte cache line). */
export const LINE = 16;

/** Slot words and blocks in one Int32Array, with the allocation both compiled levels share. */
export abstract class BlockBuffer {
  /** Words of live blocks (tests check that deleting everything returns every block). */
  liveWords = 0;
  /** End of the used part of {@link words}. */
  private top = SLOTS;
  /** Free blocks by size in lines. */
  private readonly free: number[][] = [];

  /**
   * @param words Slot words, then the blocks. Replaced when it grows: read it after a compile.
   * @param growthShift The buffer grows by its length >> growthShift at least.
   */
  constructor(
    public words: Int32Array,
    private readonly growthShift: number,
  ) {}

  /** Bytes of the slot table and the blocks' buffer (live and free blocks, and room to grow). */
  get bytes(): number {
    return this.words.byteLength;
  }

  /** Room for a block of `lines` cache lines: a free one of that size, or new room at the end. */
  protected allocate(lines: number): number {
    const list = this.free[lines];
    const size = lines * LINE;
    this.liveWords += size;
    if (list !== undefined && list.length > 0) return list.pop()!;
    if (this.top + size > this.words.length) {
      const grown = new Int32Array(Math.max(this.top + size, this.words.length + (this.words.length >> this.growthShift)));
      grown.set(this.words.subarray(0, this.top));
      this.words = grown;
    }
    const block = this.top;
    this.top += size;
    return block;
  }

  /** Take back the block at `block`, `lines` cache lines long, for a later {@link allocate}. */
  protected freeBlock(block: number, lines: number): void {
    this.liveWords -= lines * LINE;
    (this.free[lines] ??= []).push(block);
  }

  /** Every block free again, the buffer kept: the next block starts after the slots. */
  protected freeAll(): void {
    this.top = SLOTS;
    this.free.length = 0;
    this.liveWords = 0;
  }
}
