/**
 * Arena: one growable Int32Array holding every trie node, leaf and compact array of a table,
 * with a block allocator that keeps one free list per block size.
 *
 * ```
 *   words: [ 0 .. 7 reserved | block | block | free block -> next free of same size | ... | top ... length )
 * ```
 *
 * Offsets are the handles: offset 0 is never a block, so 0 means "none". A freed block is
 * pushed on the free list of its exact size (its first word links to the next free block of
 * that size) and is handed out again before the bump pointer `top` moves. Variable-size
 * arrays are allocated with a capacity from {@link capacityFor}, so a growing array changes
 * block only when it crosses a size class, and blocks of each class are reused.
 *
 * Invariant: `liveWords + freeWords + RESERVED_WORDS === top` (checked by tests through
 * {@link Arena.stats}).
 *
 * Memory: an ordinary `ArrayBuffer`, replaced by a copy half as large again when full (and
 * trimmed to its high-water mark on request); or, for
 * sharing with worker threads, a growable `SharedArrayBuffer` that grows in place (old views
 * stay valid since a shared buffer never shrinks). Callers {@link Arena.reserve} room before
 * a mutation, so no allocation inside one operation moves the words under it.
 */
import { RibstoreError } from '../errors.js';

/** Words at the start of the arena that are never allocated (offset 0 is the null handle). */
export const RESERVED_WORDS = 8;
/** Size of the aligned blocks of {@link Arena.allocLine} (trie nodes). */
export const LINE_BLOCK_WORDS = 32;
/** Largest block the allocator hands out. */
export const MAX_BLOCK_WORDS = 512;

/** Options for an {@link Arena}. */
export interface ArenaOptions {
  /** Back the arena with a growable SharedArrayBuffer so worker threads can read it. */
  shared?: boolean;
  /** Initial size in bytes (default 64 KiB). */
  initialBytes?: number;
  /** Upper bound for a shared arena in bytes (default 2 GiB); growth past it throws LIMIT_EXCEEDED. */
  maxBytes?: number;
}

const CAPACITY = buildCapacityTable();

/** A growable SharedArrayBuffer (ES2024; Node >= 20 has it, the ES2022 typings do not). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(newByteLength: number): void;
}
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  byteLength: number,
  options: { maxByteLength: number },
) => GrowableSharedArrayBuffer;

/**
 * Block size for a compact array holding `n` items (n <= 512): exact up to 4, then rounded
 * up to four steps per doubling (8, 10, 12, 14, 16, 20, 24, 28, 32, 40, ...), which bounds
 * the slack at 25% while a growing array changes block only every few inserts.
 */
export function capacityFor(n: number): number {
  return CAPACITY[n]!;
}

function buildCapacityTable(): Uint16Array {
  const table = new Uint16Array(MAX_BLOCK_WORDS + 1);
  for (let n = 0; n <= MAX_BLOCK_WORDS; n++) {
    if (n <= 4) {
      table[n] = n;
      continue;
    }
    const step = 1 << Math.max(0, 31 - Math.clz32(n) - 2);
    table[n] = Math.min(MAX_BLOCK_WORDS, Math.ceil(n / step) * step);
  }
  return table;
}

/** Counters describing an arena's memory (all in 32-bit words except `bytes`). */
export interface ArenaStats {
  /** Bytes of the backing buffer. */
  bytes: number;
  /** Words handed out and not freed. */
  liveWords: number;
  /** Words sitting on free lists. */
  freeWords: number;
  /** High-water mark of the bump allocator (including the reserved words). */
  topWords: number;
}

/** A growable Int32Array with a size-class free-list block allocator (see the module doc). */
export class Arena {
  /** The current view of all words. Re-read after {@link Arena.reserve}: it may be replaced. */
  words: Int32Array;
  /** The shared buffer when the arena is shared, else null. */
  readonly sharedBuffer: GrowableSharedArrayBuffer | null;
  private top = RESERVED_WORDS;
  private readonly freeHeads = new Int32Array(MAX_BLOCK_WORDS + 1);
  private lineHead = 0;
  private liveWords = 0;
  private freeWords = 0;

  constructor(options: ArenaOptions = {}) {
    const initialBytes = Math.max(4096, (options.initialBytes ?? 65536) & ~3);
    if (options.shared) {
      const maxBytes = options.maxBytes ?? 2 ** 31;
      this.sharedBuffer = new GrowableSharedArrayBuffer(initialBytes, { maxByteLength: Math.max(maxBytes, initialBytes) });
      this.words = new Int32Array(this.sharedBuffer, 0, initialBytes >> 2);
    } else {
      this.sharedBuffer = null;
      this.words = new Int32Array(initialBytes >> 2);
    }
  }

  /** Make sure at least `count` words can be bump-allocated without growing. */
  reserve(count: number): void {
    if (this.top + count <= this.words.length) return;
    // Grow by half: a full table then wastes at most a third of its buffer, and the copies
    // still add up to O(final size).
    let length = this.words.length;
    while (this.top + count > length) length = (Math.ceil((length * 1.5) / 1024) * 1024) | 0;
    if (this.sharedBuffer !== null) {
      const bytes = length * 4;
      if (bytes > this.sharedBuffer.maxByteLength) {
        throw new RibstoreError(
          'LIMIT_EXCEEDED',
          `prefix table arena needs ${bytes} bytes, over its shared maximum of ${this.sharedBuffer.maxByteLength}; pass a larger maxBytes`,
        );
      }
      this.sharedBuffer.grow(bytes);
      this.words = new Int32Array(this.sharedBuffer, 0, length);
    } else {
      const words = new Int32Array(length);
      words.set(this.words.subarray(0, this.top));
      this.words = words;
    }
  }

  /**
   * Shrink an unshared arena's buffer to its high-water mark (e.g. after a bulk load), so no
   * growth slack is held. Returns the bytes given back. A shared arena cannot shrink.
   */
  trim(): number {
    if (this.sharedBuffer !== null || this.top >= this.words.length) return 0;
    const before = this.words.byteLength;
    this.words = this.words.slice(0, Math.max(this.top, 1024));
    return before - this.words.byteLength;
  }

  /** Allocate a block of `size` words (1..512). Contents are unspecified. */
  alloc(size: number): number {
    const head = this.freeHeads[size]!;
    if (head !== 0) {
      this.freeHeads[size] = this.words[head]!;
      this.freeWords -= size;
      this.liveWords += size;
      return head;
    }
    if (this.top + size > this.words.length) this.reserve(size);
    const offset = this.top;
    this.top += size;
    this.liveWords += size;
    return offset;
  }

  /** Return a block of `size` words to the free list of its size. */
  free(offset: number, size: number): void {
    this.words[offset] = this.freeHeads[size]!;
    this.freeHeads[size] = offset;
    this.freeWords += size;
    this.liveWords -= size;
  }

  /**
   * Allocate a node block of {@link LINE_BLOCK_WORDS} words aligned to 16 words (64 bytes),
   * from its own free list so it never mixes with unaligned array blocks. The padding skipped
   * to align the bump pointer goes onto the free list of its size.
   */
  allocLine(): number {
    const head = this.lineHead;
    if (head !== 0) {
      this.lineHead = this.words[head]!;
      this.freeWords -= LINE_BLOCK_WORDS;
      this.liveWords += LINE_BLOCK_WORDS;
      return head;
    }
    const pad = (16 - (this.top & 15)) & 15;
    if (this.top + pad + LINE_BLOCK_WORDS > this.words.length) this.reserve(pad + LINE_BLOCK_WORDS);
    if (pad !== 0) {
      const gap = this.top;
      this.top += pad;
      this.liveWords += pad;
      this.free(gap, pad);
    }
    const offset = this.top;
    this.top += LINE_BLOCK_WORDS;
    this.liveWords += LINE_BLOCK_WORDS;
    return offset;
  }

  /** Return a block from {@link Arena.allocLine}. */
  freeLine(offset: number): void {
    this.words[offset] = this.lineHead;
    this.lineHead = offset;
    this.freeWords += LINE_BLOCK_WORDS;
    this.liveWords -= LINE_BLOCK_WORDS;
  }

  /** Drop every block at once (all handles become invalid). */
  reset(): void {
    this.top = RESERVED_WORDS;
    this.freeHeads.fill(0);
    this.lineHead = 0;
    this.liveWords = 0;
    this.freeWords = 0;
  }

  /** Memory counters. */
  stats(): ArenaStats {
    return { bytes: this.words.byteLength, liveWords: this.liveWords, freeWords: this.freeWords, topWords: this.top };
  }
}
