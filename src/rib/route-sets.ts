/**
 * RouteSets: the routes of every prefix, as one small vector per prefix in a shared arena.
 *
 * A prefix of one table (the global table or one route distinguisher's) gets a *slot*; the
 * prefix table (PrefixMap) maps the prefix to the slot number. The slot points at a block of
 * route entries in the entry arena; an entry is three uint32 words:
 *
 * ```
 *  slot s: offset[s] ──► entries: | pv+flags | pathId | attrId | pv+flags | pathId | attrId | ... |
 *          count[s]  = entries in use,  sizeClass[s] = block capacity class (CAPACITIES)
 *          key[4s..4s+3] = prefix words w0..w3, meta[s] = table << 9 | (IPv6 ? 256 : 0) | length
 *  word 0: bits 0..23 peer-view id, bits 24..31 flags (reserved)
 * ```
 *
 * Blocks come in size classes (1, 2, 3, 4, 6, 8, 12, 16, 24, ... about x1.5 apart, so at
 * most a third of a block is slack); a block that fills moves to the next class, one that
 * drops below a third of its capacity moves down. Freed blocks go on a per-class free list
 * (the first word of a free block links to the next). Free slots form a list through
 * `offset[]`. Entry order within a block is arbitrary (removal swaps the last entry in):
 * queries order routes themselves.
 *
 * Invariant: a live slot has count >= 1 and sizeClass < FREE_SLOT; its entries are the only
 * routes of its (table, prefix). Nothing here allocates JS objects: all state is typed arrays.
 */
import { GrowableArray } from './growable.js';

/** Words per route entry. */
export const ENTRY_WORDS = 3;
/** Mask of the peer-view id in an entry's first word. */
export const PV_MASK = 0xffffff;
/** `sizeClass` value of a free slot. */
const FREE_SLOT = 255;

/** Block capacities by size class: 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, ... */
const CAPACITIES: number[] = [];
for (let c = 1; CAPACITIES.length < 60; ) {
  CAPACITIES.push(c);
  c = c < 4 ? c + 1 : c % 3 === 0 ? (c / 3) * 4 : (c / 4) * 6;
}
/** Capacity of a size class. */
export function classCapacity(sizeClass: number): number {
  return CAPACITIES[sizeClass]!;
}

/** Per-prefix route vectors over typed arrays. */
export class RouteSets {
  private readonly entriesArr = new GrowableArray(Uint32Array, 4096 * ENTRY_WORDS);
  private readonly offsetArr = new GrowableArray(Uint32Array, 1024);
  private readonly countArr = new GrowableArray(Uint32Array, 1024);
  private readonly classArr = new GrowableArray(Uint8Array, 1024);
  private readonly keyArr = new GrowableArray(Uint32Array, 4096);
  private readonly metaArr = new GrowableArray(Uint32Array, 1024);
  /** Entry words; re-read after any call that may grow (append, allocation). */
  entries: Uint32Array = this.entriesArr.view;
  /** Per slot: offset of its block, in words. */
  offset: Uint32Array = this.offsetArr.view;
  /** Per slot: routes in use. */
  count: Uint32Array = this.countArr.view;
  /** Per slot: prefix words. */
  key: Uint32Array = this.keyArr.view;
  /** Per slot: table << 9 | IPv6 << 8 | length. */
  meta: Uint32Array = this.metaArr.view;
  private readonly freeBlocks = new Uint32Array(CAPACITIES.length);
  /** Words of the entry arena handed out so far (blocks live or on free lists). */
  private arenaTop = ENTRY_WORDS; // offset 0 is never a block, so 0 can mean "end of list"
  private slotHigh = 0;
  private slotFreeHead = -1;
  private liveSlots = 0;
  private liveRoutes = 0;

  /** Number of live slots (prefixes with at least one route, over all tables). */
  get slots(): number {
    return this.liveSlots;
  }

  /** Number of route entries in use. */
  get routes(): number {
    return this.liveRoutes;
  }

  /** One past the highest slot ever used (the bound of a slot scan). */
  get slotBound(): number {
    return this.slotHigh;
  }

  /** Whether slot `s` is live. */
  isLive(s: number): boolean {
    return s < this.slotHigh && this.classArr.view[s] !== FREE_SLOT;
  }

  /** Committed bytes of all arrays. */
  get byteLength(): number {
    return (
      this.entriesArr.byteLength +
      this.offsetArr.byteLength +
      this.countArr.byteLength +
      this.classArr.byteLength +
      this.keyArr.byteLength +
      this.metaArr.byteLength
    );
  }

  /** Allocate a slot for a prefix (no routes yet: the caller appends one at once). */
  allocSlot(table: number, v6: boolean, length: number, w0: number, w1: number, w2: number, w3: number): number {
    let s = this.slotFreeHead;
    if (s >= 0) {
      this.slotFreeHead = this.offset[s]! - 1;
    } else {
      s = this.slotHigh++;
      if (s >= this.offset.length) {
        this.offset = this.offsetArr.ensure(s + 1);
        this.count = this.countArr.ensure(this.offset.length);
        this.classArr.ensure(this.offset.length);
        this.meta = this.metaArr.ensure(this.offset.length);
        this.key = this.keyArr.ensure(this.offset.length * 4);
      }
    }
    this.offset[s] = this.allocBlock(0);
    this.count[s] = 0;
    this.classArr.view[s] = 0;
    this.meta[s] = (table << 9) | (v6 ? 256 : 0) | length;
    const k = s * 4;
    this.key[k] = w0;
    this.key[k + 1] = w1;
    this.key[k + 2] = w2;
    this.key[k + 3] = w3;
    this.liveSlots++;
    return s;
  }

  /** Free an empty slot (count must be 0). */
  freeSlot(s: number): void {
    this.freeBlock(this.offset[s]!, this.classArr.view[s]!);
    this.classArr.view[s] = FREE_SLOT;
    this.offset[s] = this.slotFreeHead + 1;
    this.slotFreeHead = s;
    this.liveSlots--;
  }

  private allocBlock(sizeClass: number): number {
    const head = this.freeBlocks[sizeClass]!;
    if (head !== 0) {
      this.freeBlocks[sizeClass] = this.entries[head]!;
      return head;
    }
    const at = this.arenaTop;
    const words = CAPACITIES[sizeClass]! * ENTRY_WORDS;
    this.arenaTop += words;
    if (this.arenaTop > this.entries.length) this.entries = this.entriesArr.ensure(this.arenaTop);
    return at;
  }

  private freeBlock(at: number, sizeClass: number): void {
    this.entries[at] = this.freeBlocks[sizeClass]!;
    this.freeBlocks[sizeClass] = at;
  }

  /** Index (word offset) of the entry of (pv, pathId) in slot `s`, or -1. */
  find(s: number, pv: number, pathId: number): number {
    const e = this.entries;
    let at = this.offset[s]!;
    const end = at + this.count[s]! * ENTRY_WORDS;
    for (; at < end; at += ENTRY_WORDS) {
      if ((e[at]! & PV_MASK) === pv && e[at + 1] === pathId) return at;
    }
    return -1;
  }

  /** Append an entry to slot `s`, moving its block up a class when full. Returns its word offset. */
  append(s: number, pv: number, pathId: number, attr: number): number {
    const n = this.count[s]!;
    const sizeClass = this.classArr.view[s]!;
    if (n === CAPACITIES[sizeClass]) this.move(s, sizeClass + 1);
    const at = this.offset[s]! + n * ENTRY_WORDS;
    const e = this.entries;
    e[at] = pv;
    e[at + 1] = pathId;
    e[at + 2] = attr;
    this.count[s] = n + 1;
    this.liveRoutes++;
    return at;
  }

  /**
   * Remove the entry at word offset `at` of slot `s` (the last entry moves into its place).
   * Returns the slot's new count; the caller frees the slot at 0.
   */
  removeAt(s: number, at: number): number {
    const n = this.count[s]! - 1;
    const last = this.offset[s]! + n * ENTRY_WORDS;
    const e = this.entries;
    if (at !== last) {
      e[at] = e[last]!;
      e[at + 1] = e[last + 1]!;
      e[at + 2] = e[last + 2]!;
    }
    this.count[s] = n;
    this.liveRoutes--;
    const sizeClass = this.classArr.view[s]!;
    if (n > 0 && sizeClass > 2 && n * 3 < CAPACITIES[sizeClass]!) this.move(s, sizeClass - 1);
    return n;
  }

  private move(s: number, sizeClass: number): void {
    const to = this.allocBlock(sizeClass);
    const from = this.offset[s]!;
    const e = this.entries;
    e.copyWithin(to, from, from + this.count[s]! * ENTRY_WORDS);
    this.freeBlock(from, this.classArr.view[s]!);
    this.offset[s] = to;
    this.classArr.view[s] = sizeClass;
  }
}
