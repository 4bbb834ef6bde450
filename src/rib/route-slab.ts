/**
 * The slab allocator of route-sets.ts: the entry words of every prefix's route vector live in
 * blocks of a size class, carved from pages; this file owns the pages and their free lists.
 * It knows nothing of slots or routes: RouteSets asks for a block of a class and gives it back.
 *
 * The arena is a run of pages of
 * PAGE_ENTRIES entries; a page serves one size class, keeps its own free-block list and a
 * live count, and goes back to the pool of free pages, for any class, when its last block
 * is freed. Why: tables grow peer by peer, so every prefix moves up one class per peer; with
 * plain per-class free lists the blocks a class leaves behind are never asked for again
 * (measured: 3x the live size on a 10-peer full table). With pages, the pages a class
 * empties are reused by the next class. Blocks larger than a page (prefixes with thousands
 * of routes) take whole pages of their own.
 *
 * ```
 *  page:   | blk | blk | free | blk | ... | never carved |      pageClass, pageLive,
 *                          └ pageFree list                      pageFree, pageBump
 *  class c: classHead[c] ⇄ page ⇄ page   (pages of class c with a free block)
 * ```
 *
 * The entry words are shared memory (worker readers map them, see route-sets.ts).
 */
import { GrowableArray, type PageRange } from './growable.js';

/** Words per route entry. */
export const ENTRY_WORDS = 5;
/** Entries per page of the slab allocator. */
const PAGE_ENTRIES = 4096;
/** Words per page. */
const PAGE_WORDS = PAGE_ENTRIES * ENTRY_WORDS;
/** Block capacities by size class: 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, ... */
export const CAPACITIES: number[] = [];
for (let c = 1; CAPACITIES.length < 60; ) {
  CAPACITIES.push(c);
  c = c < 4 ? c + 1 : c % 3 === 0 ? (c / 3) * 4 : (c / 4) * 6;
}
/** The smallest size class holding `routes` entries. */
export function classFor(routes: number): number {
  let c = 0;
  while (CAPACITIES[c]! < routes) c++;
  return c;
}

/** Capacity of a size class. */
export function classCapacity(sizeClass: number): number {
  return CAPACITIES[sizeClass]!;
}

/** Blocks of entry words carved from pages, per size class. */
export class RouteSlab {
  private readonly arr: GrowableArray<Uint32ArrayConstructor>;
  /** The entry words; re-read after {@link alloc} (growth replaces the view). */
  entries: Uint32Array;
  /** Pages carved so far (the arena holds `pageCount * PAGE_WORDS` words). */
  private pageCount = 0;
  private pageClass = new Int16Array(64);
  private pageLive = new Uint32Array(64);
  /** Per page: first free block (word offset + 1), 0 for none; free blocks link the same way. */
  private pageFree = new Uint32Array(64);
  /** Per page: blocks carved from its never-used tail so far. */
  private pageBump = new Uint32Array(64);
  private pageNext = new Int32Array(64);
  private pagePrev = new Int32Array(64);
  /** Per class: first page with a free block, or -1. */
  private readonly classHead = new Int32Array(CAPACITIES.length).fill(-1);
  /** Free pages, reusable by any class. */
  private readonly freePages: number[] = [];

  /** An empty slab (growth calls `grew`), or a read-only mapping of a `shared` one. */
  constructor(grew?: () => void, shared?: SharedArrayBuffer) {
    this.arr = shared === undefined ? new GrowableArray(Uint32Array, PAGE_WORDS, grew) : GrowableArray.attach(Uint32Array, shared);
    this.entries = this.arr.view;
  }

  /** The shared buffer of the entry words. */
  get shared(): SharedArrayBuffer {
    return this.arr.shared;
  }

  /** Re-map the entry words after growth (a reader's mapping); returns the new view. */
  refresh(): Uint32Array {
    this.entries = this.arr.refresh();
    return this.entries;
  }

  /** Bytes of the entry words (committed). */
  get byteLength(): number {
    return this.arr.byteLength;
  }

  /** A block of size class `sizeClass`: its word offset in {@link entries} (re-read it: may grow). */
  alloc(sizeClass: number): number {
    const words = CAPACITIES[sizeClass]! * ENTRY_WORDS;
    if (words > PAGE_WORDS) return this.allocLarge(sizeClass, words);
    let p = this.classHead[sizeClass]!;
    if (p < 0) {
      p = this.newPage();
      this.pageClass[p] = sizeClass;
      this.link(p, sizeClass);
    }
    let at: number;
    const free = this.pageFree[p]!;
    if (free !== 0) {
      at = free - 1;
      this.pageFree[p] = this.entries[at]!;
    } else {
      at = p * PAGE_WORDS + this.pageBump[p]! * words;
      this.pageBump[p]!++;
    }
    this.pageLive[p]!++;
    if (this.isFull(p, words)) this.unlink(p, sizeClass);
    return at;
  }

  /**
   * Commit room for at least `routes` more entries than the arena holds now (a bulk load that
   * knows its size) and return the byte range of the entry words they will fill first, for
   * `prefaultPages` (prefault-pages.ts): the pages the next allocations carve, in carving order.
   */
  reserve(routes: number): PageRange {
    const start = this.pageCount * PAGE_WORDS;
    const end = start + routes * ENTRY_WORDS;
    this.entries = this.arr.ensure(Math.ceil(end / PAGE_WORDS) * PAGE_WORDS);
    return { buffer: this.arr.shared, start: start * 4, end: end * 4 };
  }

  /** Give back the block at word offset `at` of size class `sizeClass`. */
  free(at: number, sizeClass: number): void {
    const words = CAPACITIES[sizeClass]! * ENTRY_WORDS;
    const p = Math.floor(at / PAGE_WORDS);
    if (words > PAGE_WORDS) {
      for (let k = 0; k < words / PAGE_WORDS; k++) this.releasePage(p + k);
      return;
    }
    const wasFull = this.isFull(p, words);
    this.entries[at] = this.pageFree[p]!;
    this.pageFree[p] = at + 1;
    if (--this.pageLive[p]! === 0) {
      if (!wasFull) this.unlink(p, sizeClass);
      this.releasePage(p);
    } else if (wasFull) {
      this.link(p, sizeClass);
    }
  }

  private isFull(p: number, words: number): boolean {
    return this.pageFree[p] === 0 && (this.pageBump[p]! + 1) * words > PAGE_WORDS;
  }

  /** A block of whole pages for a class larger than a page: always fresh pages at the top. */
  private allocLarge(sizeClass: number, words: number): number {
    const pages = words / PAGE_WORDS;
    const first = this.pageCount;
    for (let k = 0; k < pages; k++) {
      const p = this.carvePage();
      this.pageClass[p] = sizeClass;
      this.pageLive[p] = 1;
    }
    return first * PAGE_WORDS;
  }

  private newPage(): number {
    const p = this.freePages.pop();
    return p !== undefined ? p : this.carvePage();
  }

  /** Extend the arena by one page. */
  private carvePage(): number {
    const p = this.pageCount++;
    if (p >= this.pageClass.length) {
      const n = this.pageClass.length * 2;
      this.pageClass = grown(this.pageClass, new Int16Array(n));
      this.pageLive = grown(this.pageLive, new Uint32Array(n));
      this.pageFree = grown(this.pageFree, new Uint32Array(n));
      this.pageBump = grown(this.pageBump, new Uint32Array(n));
      this.pageNext = grown(this.pageNext, new Int32Array(n));
      this.pagePrev = grown(this.pagePrev, new Int32Array(n));
    }
    if (this.pageCount * PAGE_WORDS > this.entries.length) this.entries = this.arr.ensure(this.pageCount * PAGE_WORDS);
    return p;
  }

  private releasePage(p: number): void {
    this.pageClass[p] = -1;
    this.pageLive[p] = 0;
    this.pageFree[p] = 0;
    this.pageBump[p] = 0;
    this.freePages.push(p);
  }

  private link(p: number, sizeClass: number): void {
    const head = this.classHead[sizeClass]!;
    this.pageNext[p] = head;
    this.pagePrev[p] = -1;
    if (head >= 0) this.pagePrev[head] = p;
    this.classHead[sizeClass] = p;
  }

  private unlink(p: number, sizeClass: number): void {
    const prev = this.pagePrev[p]!;
    const next = this.pageNext[p]!;
    if (prev >= 0) this.pageNext[prev] = next;
    else this.classHead[sizeClass] = next;
    if (next >= 0) this.pagePrev[next] = prev;
  }

  /** Pages in use and free (for statistics): `[used, free]`. */
  pageUsage(): [number, number] {
    return [this.pageCount - this.freePages.length, this.freePages.length];
  }
}

function grown<T extends Int16Array | Int32Array | Uint32Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}
