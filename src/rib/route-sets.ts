/**
 * RouteSets: the routes of every prefix, as one small vector per prefix in a shared arena.
 *
 * A prefix of one table (the global table or one route distinguisher's) gets a *slot*; the
 * prefix table (PrefixMap) maps the prefix to the slot number. The slot points at a block of
 * route entries in the entry arena; an entry is five uint32 words (ENTRY_WORDS):
 *
 * ```
 *  slot s: offset[s] ──► entries: | pv+flags | pathId | attrId | receivedAt | changedAt | pv+flags | ... |
 *          count[s]  = entries in use,  sizeClass[s] = block capacity class (CAPACITIES)
 *          key[4s..4s+3] = prefix words w0..w3, meta[s] = table << 9 | (IPv6 ? 256 : 0) | length
 *  word 0: bits 0..23 peer-view id, bits 24..31 flags (reserved)
 *  words 3, 4: when the route was first seen and when its attributes last changed, in
 *              seconds since the Unix epoch (0: not known, e.g. restored from an old snapshot)
 * ```
 *
 * The two times cost 8 bytes per route; seconds in a uint32 last until 2106. They sit in the
 * entry rather than in a column of their own so that every move of an entry (rank changes,
 * block moves, removals) carries them without a second copy loop.
 *
 * Blocks come in size classes (1, 2, 3, 4, 6, 8, 12, 16, 24, ... about x1.5 apart, so at
 * most a third of a block is slack); a block that fills moves to the next class, one that
 * drops below a third of its capacity moves down. Free slots form a list through `offset[]`.
 * Entries keep the order their writer gives them: removal shifts the entries after it down,
 * and {@link RouteSets.moveEntry} moves one to another rank (the RIB keeps them best first,
 * route-rank.ts). Moves copy whole entries of ENTRY_WORDS words, whatever they hold.
 *
 * Blocks come from a slab allocator of pages (route-slab.ts).
 *
 * Invariant: a live slot has count >= 1 and sizeClass < FREE_SLOT; its entries are the only
 * routes of its (table, prefix). Nothing here allocates JS objects: all state is typed arrays.
 *
 * Worker readers (DESIGN-threads.md): `version[s]` is odd while the writer changes slot `s`
 * ({@link RouteSets.beginWrite} / {@link RouteSets.endWrite}, once per RIB operation), and
 * grows by 2 when the slot is allocated or freed. The arrays and the counters
 * (`slotBound`, `slots`, `routes`) are shared memory; {@link RouteSets.share} gives what a
 * worker maps with {@link RouteSets.attach}.
 */
import { GrowableArray, type PageRange } from './growable.js';
import { CAPACITIES, ENTRY_WORDS, RouteSlab, classFor } from './route-slab.js';
import { ORDERED_STORES, type RibVersions } from './shared-versions.js';

export { ENTRY_WORDS, classCapacity } from './route-slab.js';

/** Word of an entry holding when the route was first seen (seconds since the epoch, 0 unknown). */
export const RECEIVED_WORD = 3;
/** Word of an entry holding when the route's attributes last changed (seconds since the epoch, 0 unknown). */
export const CHANGED_WORD = 4;
/** Mask of the peer-view id in an entry's first word. */
export const PV_MASK = 0xffffff;
/** `sizeClass` value of a free slot. */
const FREE_SLOT = 255;

/** Counter words of {@link RouteSets} (shared with readers). */
const SLOT_HIGH = 0;
const LIVE_SLOTS = 1;
const LIVE_ROUTES = 2;

/** The shared buffers of a {@link RouteSets}, for {@link RouteSets.attach} in a worker. */
export interface RouteSetsShared {
  entries: SharedArrayBuffer;
  offset: SharedArrayBuffer;
  count: SharedArrayBuffer;
  sizeClass: SharedArrayBuffer;
  key: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  version: SharedArrayBuffer;
  counters: SharedArrayBuffer;
}

/** Per-prefix route vectors over typed arrays. */
export class RouteSets {
  /** The entry words' pages and blocks (route-slab.ts). */
  private readonly slab: RouteSlab;
  private readonly offsetArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly countArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly classArr: GrowableArray<Uint8ArrayConstructor>;
  private readonly keyArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly metaArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly versionArr: GrowableArray<Uint32ArrayConstructor>;
  /** SLOT_HIGH, LIVE_SLOTS, LIVE_ROUTES. */
  private readonly counters: Int32Array;
  /** Entry words; re-read after any call that may grow (append, allocation). */
  entries: Uint32Array;
  /** Per slot: offset of its block, in words. */
  offset: Uint32Array;
  /** Per slot: routes in use. */
  count: Uint32Array;
  /** Per slot: prefix words. */
  key: Uint32Array;
  /** Per slot: table << 9 | IPv6 << 8 | length. */
  meta: Uint32Array;
  /** Per slot: the version word readers validate against (see the module doc). */
  version: Uint32Array;
  private slotFreeHead = -1;

  /**
   * Empty route sets; `versions` is told when an array grows (for worker readers). With
   * `shared`, a read-only mapping of another thread's route sets (use {@link attach}).
   */
  constructor(versions?: RibVersions, shared?: RouteSetsShared) {
    const grew = versions === undefined ? undefined : () => versions.grew();
    const make = <C extends Uint32ArrayConstructor | Uint8ArrayConstructor>(ctor: C, n: number, buffer?: SharedArrayBuffer): GrowableArray<C> =>
      buffer === undefined ? new GrowableArray(ctor, n, grew) : GrowableArray.attach(ctor, buffer);
    this.slab = new RouteSlab(grew, shared?.entries);
    this.offsetArr = make(Uint32Array, 1024, shared?.offset);
    this.countArr = make(Uint32Array, 1024, shared?.count);
    this.classArr = make(Uint8Array, 1024, shared?.sizeClass);
    this.keyArr = make(Uint32Array, 4096, shared?.key);
    this.metaArr = make(Uint32Array, 1024, shared?.meta);
    this.versionArr = make(Uint32Array, 1024, shared?.version);
    this.counters = new Int32Array(shared?.counters ?? new SharedArrayBuffer(16));
    this.entries = this.slab.entries;
    this.offset = this.offsetArr.view;
    this.count = this.countArr.view;
    this.key = this.keyArr.view;
    this.meta = this.metaArr.view;
    this.version = this.versionArr.view;
  }

  /** The shared buffers, for a worker's {@link attach}. */
  share(): RouteSetsShared {
    return {
      entries: this.slab.shared,
      offset: this.offsetArr.shared,
      count: this.countArr.shared,
      sizeClass: this.classArr.shared,
      key: this.keyArr.shared,
      meta: this.metaArr.shared,
      version: this.versionArr.shared,
      counters: this.counters.buffer as SharedArrayBuffer,
    };
  }

  /** A read-only mapping of route sets shared by another thread ({@link share}); {@link refresh} after growth. */
  static attach(shared: RouteSetsShared): RouteSets {
    return new RouteSets(undefined, shared);
  }

  /** Re-map arrays that grew (a reader's mapping, see {@link attach}). */
  refresh(): void {
    this.entries = this.slab.refresh();
    this.offset = this.offsetArr.refresh();
    this.count = this.countArr.refresh();
    this.classArr.refresh();
    this.key = this.keyArr.refresh();
    this.meta = this.metaArr.refresh();
    this.version = this.versionArr.refresh();
  }

  /** Begin a change of slot `s` (its version turns odd); one per RIB operation. */
  beginWrite(s: number): void {
    // bumpVersion's store, written out so this hot call sees one array type (monomorphic).
    const version = this.version;
    if (ORDERED_STORES) version[s] = version[s]! + 1;
    else Atomics.store(version, s, version[s]! + 1);
  }

  /** End a change of slot `s` (its version turns even). */
  endWrite(s: number): void {
    const version = this.version;
    if (ORDERED_STORES) version[s] = version[s]! + 1;
    else Atomics.store(version, s, version[s]! + 1);
  }

  /** Number of live slots (prefixes with at least one route, over all tables). */
  get slots(): number {
    return this.counters[LIVE_SLOTS]!;
  }

  /** Number of route entries in use. */
  get routes(): number {
    return this.counters[LIVE_ROUTES]!;
  }

  /** One past the highest slot ever used (the bound of a slot scan). */
  get slotBound(): number {
    return this.counters[SLOT_HIGH]!;
  }

  /** Whether slot `s` is live. */
  isLive(s: number): boolean {
    return s < this.counters[SLOT_HIGH]! && this.classArr.view[s] !== FREE_SLOT;
  }

  /** Committed bytes of all arrays. */
  get byteLength(): number {
    return (
      this.slab.byteLength +
      this.offsetArr.byteLength +
      this.countArr.byteLength +
      this.classArr.byteLength +
      this.keyArr.byteLength +
      this.metaArr.byteLength +
      this.versionArr.byteLength
    );
  }

  /**
   * Allocate a slot for a prefix with room for `routes` entries (no routes yet: the caller
   * appends at least one at once).
   */
  allocSlot(table: number, v6: boolean, length: number, w0: number, w1: number, w2: number, w3: number, routes = 1): number {
    let s = this.slotFreeHead;
    if (s >= 0) {
      this.slotFreeHead = this.offset[s]! - 1;
    } else {
      s = this.counters[SLOT_HIGH]!;
      if (s >= this.offset.length) this.growSlots(s + 1);
      this.counters[SLOT_HIGH] = s + 1;
    }
    this.version[s]! += 2;
    const sizeClass = routes > 1 ? classFor(routes) : 0;
    this.offset[s] = this.slab.alloc(sizeClass);
    this.entries = this.slab.entries;
    this.count[s] = 0;
    this.classArr.view[s] = sizeClass;
    this.meta[s] = (table << 9) | (v6 ? 256 : 0) | length;
    const k = s * 4;
    this.key[k] = w0;
    this.key[k + 1] = w1;
    this.key[k + 2] = w2;
    this.key[k + 3] = w3;
    this.counters[LIVE_SLOTS]!++;
    return s;
  }

  /**
   * Commit room for `slots` more slots and `routes` more route entries (a bulk load that knows
   * its size: a snapshot restore) and return the byte ranges they will fill, for
   * `prefaultPages` (prefault-pages.ts).
   */
  reserve(slots: number, routes: number): PageRange[] {
    const first = this.counters[SLOT_HIGH]!;
    const end = first + slots;
    if (end > this.offset.length) this.growSlots(end);
    const ranges: PageRange[] = [this.slab.reserve(routes)];
    this.entries = this.slab.entries;
    for (const arr of [this.offsetArr, this.countArr, this.metaArr, this.versionArr]) ranges.push({ buffer: arr.shared, start: first * 4, end: end * 4 });
    ranges.push({ buffer: this.keyArr.shared, start: first * 16, end: end * 16 });
    ranges.push({ buffer: this.classArr.shared, start: first, end });
    return ranges;
  }

  /** Every per-slot array to room for at least `slots` slots (the offsets' growth sets the length). */
  private growSlots(slots: number): void {
    this.offset = this.offsetArr.ensure(slots);
    this.count = this.countArr.ensure(this.offset.length);
    this.classArr.ensure(this.offset.length);
    this.meta = this.metaArr.ensure(this.offset.length);
    this.key = this.keyArr.ensure(this.offset.length * 4);
    this.version = this.versionArr.ensure(this.offset.length);
  }

  /** Free an empty slot (count must be 0). */
  freeSlot(s: number): void {
    this.slab.free(this.offset[s]!, this.classArr.view[s]!);
    this.classArr.view[s] = FREE_SLOT;
    this.offset[s] = this.slotFreeHead + 1;
    this.slotFreeHead = s;
    this.counters[LIVE_SLOTS]!--;
    this.version[s]! += 2;
  }

  /** Pages in use and free (for statistics): `[used, free]`. */
  pageUsage(): [number, number] {
    return this.slab.pageUsage();
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

  /**
   * Append an entry to slot `s`, moving its block up a class when full. `receivedAt` and
   * `changedAt` are seconds since the epoch (0: unknown). Returns its word offset.
   */
  append(s: number, pv: number, pathId: number, attr: number, receivedAt: number, changedAt: number): number {
    const n = this.count[s]!;
    const sizeClass = this.classArr.view[s]!;
    if (n === CAPACITIES[sizeClass]) this.move(s, sizeClass + 1);
    const at = this.offset[s]! + n * ENTRY_WORDS;
    const e = this.entries;
    e[at] = pv;
    e[at + 1] = pathId;
    e[at + 2] = attr;
    e[at + RECEIVED_WORD] = receivedAt;
    e[at + CHANGED_WORD] = changedAt;
    this.count[s] = n + 1;
    this.counters[LIVE_ROUTES]!++;
    return at;
  }

  /**
   * Remove the entry at word offset `at` of slot `s`; the entries after it move down one, so
   * the others keep their order. Returns the slot's new count; the caller frees the slot at 0.
   */
  removeAt(s: number, at: number): number {
    const n = this.count[s]! - 1;
    const end = this.offset[s]! + (n + 1) * ENTRY_WORDS;
    const e = this.entries;
    for (let w = at + ENTRY_WORDS; w < end; w++) e[w - ENTRY_WORDS] = e[w]!;
    this.count[s] = n;
    this.counters[LIVE_ROUTES]!--;
    const sizeClass = this.classArr.view[s]!;
    if (n > 0 && sizeClass > 2 && n * 3 < CAPACITIES[sizeClass]!) this.move(s, sizeClass - 1);
    return n;
  }

  /**
   * Remove every entry of slot `s` whose peer-view `pv` has `pvState[pv] === state`, in one
   * pass (the entries kept move down over the gaps, keeping their order; a removed last entry
   * moves nothing), and move the block down a class at a time while it is less than a third
   * full (as {@link removeAt} does, in one move). Each removed entry's peer-view id and
   * attribute id are written to `pvs[at]` and `attrs[at]`, `at` counting up (room for
   * count[s] more in each is the caller's). Returns the new `at`; the slot's new count is
   * `count[s]` (the caller frees the slot at 0).
   */
  removeWhere(s: number, pvState: Uint8Array, state: number, pvs: Uint32Array, attrs: Uint32Array, at: number): number {
    const e = this.entries;
    const base = this.offset[s]!;
    const n = this.count[s]!;
    const end = base + n * ENTRY_WORDS;
    let to = base;
    for (let from = base; from < end; from += ENTRY_WORDS) {
      const pv = e[from]! & PV_MASK;
      if (pvState[pv] === state) {
        pvs[at] = pv;
        attrs[at++] = e[from + 2]!;
      } else {
        if (to !== from) {
          // Unrolled (ENTRY_WORDS words): a loop here cost a third of the sweep, measured.
          e[to] = e[from]!;
          e[to + 1] = e[from + 1]!;
          e[to + 2] = e[from + 2]!;
          e[to + 3] = e[from + 3]!;
          e[to + 4] = e[from + 4]!;
        }
        to += ENTRY_WORDS;
      }
    }
    const left = (to - base) / ENTRY_WORDS;
    if (left === n) return at;
    this.count[s] = left;
    this.counters[LIVE_ROUTES]! -= n - left;
    const sizeClass = this.classArr.view[s]!;
    let down = sizeClass;
    while (left > 0 && down > 2 && left * 3 < CAPACITIES[down]!) down--;
    if (down !== sizeClass) this.move(s, down);
    return at;
  }

  /**
   * Move the entry at rank `from` of slot `s` to rank `to` (ranks count entries from the
   * block's start); the entries between shift by one towards `from`.
   */
  moveEntry(s: number, from: number, to: number): void {
    if (from === to) return;
    const e = this.entries;
    const base = this.offset[s]!;
    const src = base + from * ENTRY_WORDS;
    const dst = base + to * ENTRY_WORDS;
    const held = this.held;
    for (let k = 0; k < ENTRY_WORDS; k++) held[k] = e[src + k]!;
    if (from > to) {
      for (let w = src - 1; w >= dst; w--) e[w + ENTRY_WORDS] = e[w]!;
    } else {
      for (let w = src + ENTRY_WORDS; w < dst + ENTRY_WORDS; w++) e[w - ENTRY_WORDS] = e[w]!;
    }
    for (let k = 0; k < ENTRY_WORDS; k++) e[dst + k] = held[k]!;
  }

  /** The entry {@link moveEntry} is moving. */
  private readonly held = new Uint32Array(ENTRY_WORDS);

  private move(s: number, sizeClass: number): void {
    const to = this.slab.alloc(sizeClass);
    const from = this.offset[s]!;
    const e = (this.entries = this.slab.entries);
    e.copyWithin(to, from, from + this.count[s]! * ENTRY_WORDS);
    this.slab.free(from, this.classArr.view[s]!);
    this.offset[s] = to;
    this.classArr.view[s] = sizeClass;
  }
}
