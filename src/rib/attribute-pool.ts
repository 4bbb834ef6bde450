/**
 * AttributePool: interned, refcounted attribute sets referred to by 32-bit ids.
 *
 * Routes repeat attribute sets massively (one AS path and community set is shared by
 * thousands of prefixes), so the RIB stores each distinct set once, by its canonical bytes,
 * and routes hold its id. The pool knows nothing of BGP: it stores byte strings plus a few
 * numbers per set that queries and the decision process need without decoding
 * ({@link AttributeSummary}).
 *
 * Layout (struct of arrays, index = attribute id; id 0 is never used, it means "none"):
 *
 * ```
 *   buckets[hash & mask] ──► id ──next[id]──► id ──► 0        (hash chains)
 *   offset[id], length[id] ──► arena bytes [offset, offset+length)
 *   hash[id] refs[id]   summary[4id..4id+3] = originAs, localPref, med, pathLength|origin|flags
 *   stamp[id]           which interning of the id this is (see stampOf / retainStamped)
 *   free ids: freeHead ──next[id]──► id ──► 0                 (ids reused, newest first)
 * ```
 *
 * Invariants: a live id has refs > 0 and sits on exactly one hash chain; a free id has
 * refs = 0 and sits on the free list; while a hold is on, an id whose refs fell to 0 stays
 * on its chain, in `deferred`, until the last unhold frees it; likewise an id whose refs fell
 * to 0 through {@link AttributePool.releaseLater} (the sweeper's release) stays on its chain,
 * its bit set in `pendingBits`, until {@link AttributePool.freePending} frees it. The bytes of a freed set go
 * back to the byte arena (attribute-arena.ts: per-length free lists; when garbage passes 3/4
 * of it, an incremental compaction, attribute-compaction.ts, moves live bytes in bounded steps
 * paced by interns and frees and by {@link AttributePool.compactStep}); this file is the
 * interning table over it (ids, hash chains, refcounts, summaries, holds).
 * Steady state allocates nothing: interning an existing set is a hash, a chain walk and a
 * byte compare; a new set writes into the arrays (which grow in place, see growable.ts).
 *
 * Worker readers (DESIGN-threads.md) map the per-id arrays, the arena and the counters
 * ({@link AttributePool.share} / {@link AttributePool.attach}). A set a route names stays live,
 * with the same bytes, while the route does; only compaction moves live bytes, and each of its
 * steps runs inside a structure section ({@link RibVersions}).
 */
import { ByteArena } from './attribute-arena.js';
import { ArenaCompaction } from './attribute-compaction.js';
import { GrowableArray, type PageRange } from './growable.js';
import { RibVersions } from './shared-versions.js';

/** Flag bit: the set carries a MULTI_EXIT_DISC. */
export const HAS_MED = 1;
/** Flag bit: the set carries a LOCAL_PREF. */
export const HAS_LOCAL_PREF = 2;
/** Flag bit: the set carries an AS_PATH whose origin AS is known (last AS_SEQUENCE ASN). */
export const HAS_ORIGIN_AS = 4;

/**
 * The numbers kept per attribute set for fast queries and route selection. The caller
 * fills one reused object per intern call (no allocation per route).
 */
export interface AttributeSummary {
  /** Origin AS (last ASN of the AS path), 0 when unknown. */
  originAs: number;
  /** LOCAL_PREF, meaningful when `flags & HAS_LOCAL_PREF`. */
  localPref: number;
  /** MED, meaningful when `flags & HAS_MED`. */
  med: number;
  /** AS path length as the decision process counts it (AS_SET = 1, confederations = 0). */
  asPathLength: number;
  /** ORIGIN: 0 IGP, 1 EGP, 2 INCOMPLETE (3 when absent). */
  origin: number;
  /** {@link HAS_MED} | {@link HAS_LOCAL_PREF} | {@link HAS_ORIGIN_AS}. */
  flags: number;
}

/** A fresh summary with every field zero (origin 3 = absent). */
export function emptySummary(): AttributeSummary {
  return { originAs: 0, localPref: 0, med: 0, asPathLength: 0, origin: 3, flags: 0 };
}

/** Options of {@link AttributePool}. */
export interface AttributePoolOptions {
  /** Ids to reserve room for at first (grows on demand). Default 1024. */
  initialSets?: number;
  /** Arena bytes to reserve at first (grows on demand). Default 64 KiB. */
  initialBytes?: number;
  /**
   * Garbage bytes (past 3/4 of the arena's used bytes) that start a compaction. Default 1 MiB;
   * tests lower it to reach compaction with small sets.
   */
  compactAfterBytes?: number;
  /**
   * Work units (bytes copied + 16 per set looked at) of the compaction step each intern of a
   * new set and each free does while a compaction runs. Default {@link COMPACT_PACE}.
   */
  compactPace?: number;
}

/**
 * Default compaction work paced onto each new-set intern and each free while a compaction
 * runs (about a microsecond); the sweeper adds larger steps of its own ({@link AttributePool.compactStep}).
 */
export const COMPACT_PACE = 4096;

/** The shared buffers of an {@link AttributePool}, for {@link AttributePool.attach} in a worker. */
export interface AttributePoolShared {
  offset: SharedArrayBuffer;
  length: SharedArrayBuffer;
  refs: SharedArrayBuffer;
  stamp: SharedArrayBuffer;
  summary: SharedArrayBuffer;
  arena: SharedArrayBuffer;
  counters: SharedArrayBuffer;
}

/** Counter words (shared): the next never-used id, live sets. */
const HIGH_WATER = 0;
const LIVE_SETS = 1;

/** Interned, refcounted attribute byte strings with per-set summaries. */
export class AttributePool {
  private readonly offsetArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly lengthArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly hashArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly nextArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly refsArr: GrowableArray<Uint32ArrayConstructor>;
  /**
   * Per id, the serial number of the insert that gave it its current bytes (a float64: it
   * never wraps, so a stale (id, stamp) pair never names a reused id by accident).
   */
  private readonly stampArr: GrowableArray<Float64ArrayConstructor>;
  /** Inserts so far: the last stamp handed out. */
  private inserts = 0;
  /**
   * Per id, 4 words in one 16-byte group (one cache line serves a whole route comparison):
   * originAs, localPref, med, pathLength << 16 | origin << 8 | flags.
   */
  private readonly summaryArr: GrowableArray<Uint32ArrayConstructor>;
  /** The sets' bytes, their free lists and compaction (attribute-arena.ts). */
  private readonly arena: ByteArena;
  /** The incremental compaction of the arena. */
  private readonly compaction: ArenaCompaction;
  private readonly compactPace: number;
  private buckets: Uint32Array;
  private mask: number;
  /** HIGH_WATER (next never-used id), LIVE_SETS (shared). */
  private readonly counters: Int32Array;
  private freeHead = 0;
  /** Structure sections around compaction. */
  private readonly versions: RibVersions;
  /** Open {@link hold}s, and the ids whose free they defer. */
  private holds = 0;
  private readonly deferred = new Set<number>();
  /**
   * Per id, one bit: its refs fell to 0 in {@link releaseLater} and {@link freePending} has
   * not yet freed it (it is still chained, its bytes valid, and an intern revives it).
   */
  private pendingBits = new Uint32Array(64);
  /** Ids with their bit set in `pendingBits`. */
  private pendingCount = 0;
  /** The word of `pendingBits` {@link freePending} goes on from. */
  private pendingCursor = 0;

  /**
   * An empty pool; `versions` connects it to worker readers (a RIB passes its own). With
   * `shared`, a read-only mapping of another thread's pool ({@link attach}).
   */
  constructor(options: AttributePoolOptions = {}, versions: RibVersions = new RibVersions(), shared?: AttributePoolShared) {
    this.versions = versions;
    const sets = Math.max(16, options.initialSets ?? 1024);
    const grew = shared === undefined ? () => versions.grew() : undefined;
    const make = <C extends Uint32ArrayConstructor | Uint8ArrayConstructor | Float64ArrayConstructor>(ctor: C, n: number, buffer?: SharedArrayBuffer): GrowableArray<C> =>
      buffer === undefined ? new GrowableArray(ctor, n, grew) : GrowableArray.attach(ctor, buffer);
    this.offsetArr = make(Uint32Array, sets, shared?.offset);
    this.lengthArr = make(Uint32Array, sets, shared?.length);
    this.hashArr = new GrowableArray(Uint32Array, sets);
    this.nextArr = new GrowableArray(Uint32Array, sets);
    this.refsArr = make(Uint32Array, sets, shared?.refs);
    this.stampArr = make(Float64Array, sets, shared?.stamp);
    this.summaryArr = make(Uint32Array, sets * 4, shared?.summary);
    this.arena = new ByteArena(options.initialBytes ?? 65536, grew, shared?.arena, options.compactAfterBytes);
    this.compaction = new ArenaCompaction(this.arena, this.offsetArr, this.lengthArr, (id) => this.isKept(id));
    this.compactPace = options.compactPace ?? COMPACT_PACE;
    this.counters = new Int32Array(shared?.counters ?? new SharedArrayBuffer(8));
    if (shared === undefined) this.counters[HIGH_WATER] = 1;
    this.buckets = new Uint32Array(64);
    this.mask = 63;
  }

  /** The shared buffers, for a worker's {@link attach}. */
  share(): AttributePoolShared {
    return {
      offset: this.offsetArr.shared,
      length: this.lengthArr.shared,
      refs: this.refsArr.shared,
      stamp: this.stampArr.shared,
      summary: this.summaryArr.shared,
      arena: this.arena.shared,
      counters: this.counters.buffer as SharedArrayBuffer,
    };
  }

  /** A read-only mapping of a pool shared by another thread ({@link share}); {@link refresh} after growth. */
  static attach(shared: AttributePoolShared): AttributePool {
    return new AttributePool({ initialSets: 16, initialBytes: 1 }, new RibVersions(), shared);
  }

  /** Re-map arrays that grew (a reader's mapping, see {@link attach}). */
  refresh(): void {
    this.offsetArr.refresh();
    this.lengthArr.refresh();
    this.refsArr.refresh();
    this.stampArr.refresh();
    this.summaryArr.refresh();
    this.arena.refresh();
  }

  /** Number of live (referenced) attribute sets. */
  get size(): number {
    return this.counters[LIVE_SETS]!;
  }

  /** Bytes held by the pool's arrays and arena (committed memory, garbage included). */
  get byteLength(): number {
    return (
      this.offsetArr.byteLength * 5 + // the five per-id uint32 arrays have equal lengths
      this.stampArr.byteLength +
      this.summaryArr.byteLength +
      this.arena.byteLength +
      this.buckets.byteLength
    );
  }

  /**
   * Intern the bytes `bytes[start, end)` and take one reference. Returns the set's id:
   * the existing id if an equal byte string is live, else a new (or reused) id whose summary
   * is copied from `summary`. (Equal bytes always have equal summaries: the summary is a
   * function of the canonical bytes.)
   */
  intern(bytes: Uint8Array, start: number, end: number, summary: AttributeSummary): number {
    const h = hashBytes(bytes, start, end);
    const length = end - start;
    const arena = this.arena.view;
    const offsets = this.offsetArr.view;
    const lengths = this.lengthArr.view;
    const hashes = this.hashArr.view;
    const next = this.nextArr.view;
    for (let id = this.buckets[h & this.mask]!; id !== 0; id = next[id]!) {
      if (hashes[id] !== h || lengths[id] !== length) continue;
      const off = offsets[id]!;
      let i = 0;
      while (i < length && arena[off + i] === bytes[start + i]) i++;
      if (i === length) {
        this.refsArr.view[id]!++;
        return id;
      }
    }
    return this.insert(bytes, start, end, h, summary);
  }

  /**
   * The stamp of a live id: which interning of the id it is. An (id, stamp) pair names one
   * set for good: when the id is freed and handed out again, it gets a new stamp.
   */
  stampOf(id: number): number {
    return this.stampArr.view[id]!;
  }

  /**
   * Take one reference to `id` if it is live and still the set it was when `stamp` was
   * read ({@link stampOf}); returns whether it did. This is how a caller that remembers the
   * id of a byte string it interned before takes it again without hashing and comparing the
   * bytes. False for a freed, reused or held-but-unreferenced id: intern the bytes then.
   */
  retainStamped(id: number, stamp: number): boolean {
    if (id <= 0 || id >= this.counters[HIGH_WATER]! || this.stampArr.view[id] !== stamp) return false;
    const refs = this.refsArr.view;
    if (refs[id] === 0) return false;
    refs[id]!++;
    return true;
  }

  /**
   * Find the id of a live set equal to `bytes[start, end)` without taking a reference;
   * 0 if none.
   */
  find(bytes: Uint8Array, start: number, end: number): number {
    const h = hashBytes(bytes, start, end);
    const length = end - start;
    const arena = this.arena.view;
    for (let id = this.buckets[h & this.mask]!; id !== 0; id = this.nextArr.view[id]!) {
      if (this.hashArr.view[id] !== h || this.lengthArr.view[id] !== length) continue;
      const off = this.offsetArr.view[id]!;
      let i = 0;
      while (i < length && arena[off + i] === bytes[start + i]) i++;
      if (i === length) return id;
    }
    return 0;
  }

  private insert(bytes: Uint8Array, start: number, end: number, h: number, summary: AttributeSummary): number {
    const length = end - start;
    const offset = this.arena.place(bytes, start, end);
    let id = this.freeHead;
    if (id !== 0) {
      this.freeHead = this.nextArr.view[id]!;
    } else {
      id = this.counters[HIGH_WATER]!++;
      if (id >= this.offsetArr.length) this.growIds(id + 1);
    }
    this.offsetArr.view[id] = offset;
    this.lengthArr.view[id] = length;
    this.hashArr.view[id] = h;
    this.refsArr.view[id] = 1;
    this.stampArr.view[id] = ++this.inserts;
    if (this.compaction.running) {
      this.compaction.placed(id, offset);
      this.compactStep(this.compactPace);
    }
    const sum = this.summaryArr.view;
    sum[id * 4] = summary.originAs;
    sum[id * 4 + 1] = summary.localPref;
    sum[id * 4 + 2] = summary.med;
    sum[id * 4 + 3] = (Math.min(summary.asPathLength, 0xffff) << 16) | ((summary.origin & 255) << 8) | (summary.flags & 255);
    const b = h & this.mask;
    this.nextArr.view[id] = this.buckets[b]!;
    this.buckets[b] = id;
    this.counters[LIVE_SETS]!++;
    if (this.counters[LIVE_SETS]! > this.buckets.length * 0.75) this.rehash(this.buckets.length * 2);
    return id;
  }

  /**
   * Make room for `sets` more sets of `bytes` bytes in all (a bulk load that knows its size:
   * a snapshot restore): the per-id arrays and the arena are committed and the hash table sized
   * so that no rehash follows. Returns the byte ranges the sets will fill, for `prefaultPages`
   * (prefault-pages.ts).
   */
  reserve(sets: number, bytes: number): PageRange[] {
    const first = this.counters[HIGH_WATER]!;
    const end = first + sets;
    if (end > this.offsetArr.length) this.growIds(end);
    let size = this.buckets.length;
    while (this.counters[LIVE_SETS]! + sets > size * 0.75) size *= 2;
    if (size !== this.buckets.length) this.rehash(size);
    const ranges: PageRange[] = [this.arena.reserve(bytes)];
    for (const arr of [this.offsetArr, this.lengthArr, this.hashArr, this.nextArr, this.refsArr]) ranges.push({ buffer: arr.shared, start: first * 4, end: end * 4 });
    ranges.push({ buffer: this.stampArr.shared, start: first * 8, end: end * 8 });
    ranges.push({ buffer: this.summaryArr.shared, start: first * 16, end: end * 16 });
    return ranges;
  }

  private growIds(length: number): void {
    // Every per-id array to the ids the offsets now hold: `insert` grows only when an id passes
    // the offsets' length, and the summaries (4 words per id) grown to `length * 4` on their own
    // would hold fewer ids than that (their 1/4 growth slack counts words): the summaries of the
    // ids in between were dropped, zero when read (ranking without LOCAL_PREF, path length, MED).
    const ids = this.offsetArr.ensure(length).length;
    this.lengthArr.ensure(ids);
    this.hashArr.ensure(ids);
    this.nextArr.ensure(ids);
    this.refsArr.ensure(ids);
    this.stampArr.ensure(ids);
    this.summaryArr.ensure(ids * 4);
  }

  private rehash(size: number): void {
    const buckets = new Uint32Array(size);
    const mask = size - 1;
    const next = this.nextArr.view;
    const hashes = this.hashArr.view;
    const refs = this.refsArr.view;
    for (let id = 1; id < this.counters[HIGH_WATER]!; id++) {
      if (refs[id] === 0 && !this.deferred.has(id) && !this.isPending(id)) continue; // free (a deferred or pending one is still chained)
      const b = hashes[id]! & mask;
      next[id] = buckets[b]!;
      buckets[b] = id;
    }
    this.buckets = buckets;
    this.mask = mask;
  }

  /** Take one more reference (or `n` more) to a live id. */
  retain(id: number, n = 1): void {
    this.refsArr.view[id]! += n;
  }

  /**
   * Drop one reference; at zero the set is freed (its id goes back to the free list and
   * may be handed out again by a later {@link intern}) unless a {@link hold} is on, which
   * defers the free. Returns whether it was freed.
   */
  release(id: number): boolean {
    const refs = this.refsArr.view;
    if (refs[id] === 0) throw new RangeError(`attribute set ${id} released more often than retained`);
    if (--refs[id]! !== 0) return false;
    if (this.holds > 0) {
      this.deferred.add(id);
      return false;
    }
    this.free(id);
    return true;
  }

  /**
   * Drop one reference, as {@link release}, but at zero leave the set on its chain and mark it
   * for {@link freePending}, which frees such sets later in id order (or a {@link hold} defers
   * it as usual). For the sweeper: a flush drops the last reference of many sets (one per
   * origin of the flushed peer, 65 k on a full table); freed as they come each costs several
   * random reads (its hash, its bucket, its chain, its length and offset, its bytes), freed in
   * id order most of those reads are near the previous ones (ids were handed out in arena order).
   */
  releaseLater(id: number): void {
    const refs = this.refsArr.view;
    if (refs[id] === 0) throw new RangeError(`attribute set ${id} released more often than retained`);
    if (--refs[id]! !== 0) return;
    if (this.holds > 0) {
      this.deferred.add(id);
      return;
    }
    const w = id >>> 5;
    if (w >= this.pendingBits.length) {
      const bigger = new Uint32Array(Math.max(w + 1, this.pendingBits.length * 2));
      bigger.set(this.pendingBits);
      this.pendingBits = bigger;
    }
    const bit = 1 << (id & 31);
    if ((this.pendingBits[w]! & bit) === 0) {
      this.pendingBits[w]! |= bit;
      this.pendingCount++;
    }
  }

  /** Sets {@link releaseLater} left for {@link freePending} (some may have been revived since). */
  get pendingFrees(): number {
    return this.pendingCount;
  }

  /** Whether `id`'s free is pending ({@link releaseLater}). */
  private isPending(id: number): boolean {
    const w = id >>> 5;
    return w < this.pendingBits.length && (this.pendingBits[w]! & (1 << (id & 31))) !== 0;
  }

  /**
   * Free sets {@link releaseLater} left, in ascending id order from where the last call
   * stopped, about `budget` units of work (one per set, one per 32 ids scanned); a set revived
   * meanwhile (interned again) is skipped, and while a {@link hold} is on the sets go to its
   * deferred frees instead. `onFree` is told each id freed. Returns the units done.
   */
  freePending(budget: number, onFree: (id: number) => void): number {
    const bits = this.pendingBits;
    const words = Math.min(bits.length, (this.counters[HIGH_WATER]! + 31) >>> 5);
    const limit = budget * 32; // units of 1/32: a word scanned is 1, a set freed 32
    let w = this.pendingCursor;
    let done = 0;
    while (this.pendingCount > 0 && done < limit) {
      if (w >= words) w = 0;
      let word = bits[w]!;
      done++;
      while (word !== 0 && done < limit) {
        const low = word & -word;
        const id = (w << 5) | (31 - Math.clz32(low));
        word ^= low;
        // Each bit is cleared just before its id is freed: a free may step a compaction, which
        // must still see the ids of this word not yet freed as kept (isPending).
        bits[w] = word;
        this.pendingCount--;
        if (this.refsArr.view[id] !== 0) continue; // interned again meanwhile
        done += 32;
        if (this.holds > 0) {
          this.deferred.add(id);
        } else {
          this.free(id);
          onFree(id);
        }
      }
      if (word === 0) w++; // else the budget ran out inside this word: go on from it next time
    }
    this.pendingCursor = w;
    return Math.ceil(done / 32);
  }

  /**
   * Defer every free until the matching {@link unhold}: while held, an id whose last
   * reference goes keeps its bytes, its summary and its place in the hash table (an intern
   * of the same bytes revives it), so no id is reused with other bytes. This is how a RIB
   * freeze keeps the sets its routes name valid: O(1) to start, O(sets released meanwhile) to end.
   */
  hold(): void {
    this.holds++;
  }

  /**
   * End one {@link hold}; when none is left, free the deferred sets still unreferenced,
   * telling `onFree` each id freed.
   */
  unhold(onFree: (id: number) => void): void {
    if (this.holds === 0) throw new RangeError('unhold without hold');
    if (--this.holds > 0) return;
    const refs = this.refsArr.view;
    for (const id of this.deferred) {
      this.deferred.delete(id); // before the free: a compaction step it paces must not keep it
      if (refs[id] !== 0) continue;
      this.free(id);
      onFree(id);
    }
  }

  /** Whether `id` names a set that is live or whose free a hold defers: its bytes are valid. */
  isKept(id: number): boolean {
    return this.refCount(id) > 0 || this.deferred.has(id) || this.isPending(id);
  }

  /** Free an unreferenced set: off its hash chain, id and bytes onto the free lists. */
  private free(id: number): void {
    if (this.pendingCount > 0) {
      // Revived after releaseLater and released again (release, unhold): no longer pending. A
      // free id must not look pending (rehash would chain it, compaction would keep it).
      const w = id >>> 5;
      const bit = 1 << (id & 31);
      if (w < this.pendingBits.length && (this.pendingBits[w]! & bit) !== 0) {
        this.pendingBits[w]! &= ~bit;
        this.pendingCount--;
      }
    }
    const next = this.nextArr.view;
    const b = this.hashArr.view[id]! & this.mask;
    if (this.buckets[b] === id) {
      this.buckets[b] = next[id]!;
    } else {
      let prev = this.buckets[b]!;
      while (next[prev] !== id) prev = next[prev]!;
      next[prev] = next[id]!;
    }
    next[id] = this.freeHead;
    this.freeHead = id;
    this.counters[LIVE_SETS]!--;
    const length = this.lengthArr.view[id]!;
    this.lengthArr.view[id] = 0;
    if (this.arena.release(this.offsetArr.view[id]!, length)) this.compaction.start(this.counters[HIGH_WATER]!);
    if (this.compaction.running) this.compactStep(this.compactPace);
  }

  /** Whether an arena compaction runs (the sweeper steps it: {@link compactStep}). */
  get compacting(): boolean {
    return this.compaction.running;
  }

  /** Arena bytes no live (or held) set occupies: freed ranges not yet reused, and old copies. */
  get garbageBytes(): number {
    return this.arena.garbageBytes;
  }

  /** Arena compactions completed so far. */
  get compactions(): number {
    return this.compaction.completed;
  }

  /**
   * Do about `budget` units (bytes copied + 16 per set looked at) of a running compaction,
   * inside one structure section; returns whether it still runs. No work for a budget of 0.
   */
  compactStep(budget: number): boolean {
    if (!this.compaction.running || budget <= 0) return this.compaction.running;
    this.versions.beginStructure();
    try {
      return this.compaction.step(budget);
    } finally {
      this.versions.endStructure();
    }
  }

  /** Run a running compaction to its end (tests; a caller that wants the garbage gone now). */
  finishCompaction(): void {
    while (this.compactStep(1 << 30));
  }

  /** Current reference count of an id (0 for a free or never-used id). */
  refCount(id: number): number {
    return id > 0 && id < this.counters[HIGH_WATER]! ? this.refsArr.view[id]! : 0;
  }

  /** Whether `id` is a live set. */
  has(id: number): boolean {
    return this.refCount(id) > 0;
  }

  /**
   * The canonical bytes of a live set, as a view into the arena: valid until the next
   * intern or release (copy it to keep it).
   */
  bytes(id: number): Uint8Array {
    const off = this.offsetArr.view[id]!;
    return this.arena.view.subarray(off, off + this.lengthArr.view[id]!);
  }

  /** Byte length of a set. */
  setLength(id: number): number {
    return this.lengthArr.view[id]!;
  }

  /**
   * Copy a set's bytes into `into` at `at` (room for {@link setLength} bytes is the caller's),
   * without making a view: a snapshot copies hundreds of thousands of sets, and a view each
   * was most of what the snapshot allocated (57 MB for bench:store's 647 k sets), garbage
   * collected in pauses that landed in the writer's slices.
   */
  copyBytes(id: number, into: Uint8Array, at: number): void {
    const arena = this.arena.view;
    const off = this.offsetArr.view[id]!;
    const n = this.lengthArr.view[id]!;
    for (let i = 0; i < n; i++) into[at + i] = arena[off + i]!;
  }

  /** Origin AS of a set (0 when unknown; see {@link HAS_ORIGIN_AS}). */
  originAs(id: number): number {
    return this.summaryArr.view[id * 4]!;
  }
  /** LOCAL_PREF of a set (see {@link HAS_LOCAL_PREF}). */
  localPref(id: number): number {
    return this.summaryArr.view[id * 4 + 1]!;
  }
  /** MED of a set (see {@link HAS_MED}). */
  med(id: number): number {
    return this.summaryArr.view[id * 4 + 2]!;
  }
  /** AS path length as the decision process counts it. */
  asPathLength(id: number): number {
    return this.summaryArr.view[id * 4 + 3]! >>> 16;
  }
  /** ORIGIN code (3 when absent). */
  origin(id: number): number {
    return (this.summaryArr.view[id * 4 + 3]! >>> 8) & 255;
  }
  /** Summary flags ({@link HAS_MED}, {@link HAS_LOCAL_PREF}, {@link HAS_ORIGIN_AS}). */
  flags(id: number): number {
    return this.summaryArr.view[id * 4 + 3]! & 255;
  }

  /** Every live id, ascending (a scan of the id space, for queries such as by origin AS). */
  *ids(): IterableIterator<number> {
    for (let id = 1; id < this.counters[HIGH_WATER]!; id++) if (this.refsArr.view[id]! > 0) yield id;
  }

  /** One past the highest id ever handed out (the bound of the id space). */
  get idBound(): number {
    return this.counters[HIGH_WATER]!;
  }
}

/**
 * FNV-1a-style over a byte range, four bytes per multiply (a quarter of the steps of the
 * byte-wise form: a set's bytes are hashed on every intern of new bytes), then murmur3's
 * final avalanche so the low bits are usable as a bucket index.
 */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h = Math.imul(h ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)), 0x01000193);
    h = (h << 13) | (h >>> 19);
  }
  for (; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
