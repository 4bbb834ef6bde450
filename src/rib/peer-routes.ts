/**
 * PeerRoutes: per peer-view, the prefix slots where it has (or had) routes, so flushing a
 * peer-view touches its own routes only instead of scanning the whole route arena.
 *
 * ```
 *  pv 7: list = | s12 | s40 | s41 | s12 | s9000 | ... |        length[7], capacity = list.length
 *                  ▲ appended when pv 7 gets a new entry in a slot (announce, stale-twin
 *                    replacement, snapshot load)
 *  doomed queue: [pv 7, pv 3, ...]   the sweeper pops slots off the first pv's list
 * ```
 *
 * The lists are lazy: a withdrawal does not touch them, so an element may name a slot that
 * no longer holds the pv (withdrawn, or freed and reused by another prefix), and a slot may
 * appear twice. Readers of a list check the slot ({@link PeerRoutes.holds}). Compaction keeps
 * a list within about twice its live size: when an append makes it longer than
 * `2 × pvCount + COMPACT_SLACK`, the elements naming a slot that still holds the pv are kept,
 * once each (a per-slot stamp detects repeats), so compaction is linear in the list and
 * amortised over the appends that grew it.
 *
 * Invariant: every slot that holds an entry of pv appears in pv's list. (A pv that is no
 * longer ACTIVE gets no appends; its list only shrinks as the sweeper pops it.)
 *
 * Memory: 4 bytes per list element, one element per (pv, slot) after compaction, up to twice
 * that between compactions under churn, times the growth slack of the list (×1.5). A loaded
 * full table without churn costs 4–6 bytes per route; plus 4 bytes per slot for the stamps.
 * Writer-only state: queries never read it. One typed array per peer-view (peer-views are
 * few), none per route.
 */
import { PV_DOOMED, type PeerRegistry } from './peer-registry.js';
import { ENTRY_WORDS, PV_MASK, type RouteSets } from './route-sets.js';

/** Elements a list may exceed twice its pv's route count by before it is compacted. */
const COMPACT_SLACK = 64;
/** Capacity of a list's first array. */
const FIRST_CAPACITY = 16;

/** Per peer-view slot lists and the queue of doomed peer-views the sweeper works through. */
export class PeerRoutes {
  private readonly sets: RouteSets;
  private readonly registry: PeerRegistry;
  /** Per pv: its list's array (undefined: empty), grown ×1.5 by copy. */
  private readonly lists: (Uint32Array | undefined)[] = [];
  /** Per pv: elements in use in its list. */
  private length: Uint32Array = new Uint32Array(64);
  /** Per slot: the compaction pass that last kept it (detects repeats within one pass). */
  private stamp: Uint32Array = new Uint32Array(1024);
  private pass = 0;
  /** DOOMED pvs to sweep, in doom order; `queueHead` is the one being swept. */
  private readonly queue: number[] = [];
  private queueHead = 0;

  constructor(sets: RouteSets, registry: PeerRegistry) {
    this.sets = sets;
    this.registry = registry;
  }

  /** Bytes held by the lists and stamps (capacity, not use). */
  get byteLength(): number {
    let bytes = this.length.byteLength + this.stamp.byteLength;
    for (const list of this.lists) if (list !== undefined) bytes += list.byteLength;
    return bytes;
  }

  /** Elements in pv's list (live or not; for tests and statistics). */
  listLength(pv: number): number {
    return pv < this.length.length ? this.length[pv]! : 0;
  }

  /** The distinct slots of pv's list that hold pv now, ascending (for tests: compare with a full scan). */
  liveSlots(pv: number): number[] {
    const list = this.lists[pv];
    const out = new Set<number>();
    for (let i = 0; i < this.listLength(pv); i++) if (this.holds(list![i]!, pv)) out.add(list![i]!);
    return [...out].sort((a, b) => a - b);
  }

  /**
   * Make room in pv's list for `routes` elements in all, so a bulk load (snapshot restore) of
   * that many does not grow the list copy by copy. A hint: more still fit, by growing.
   */
  reserve(pv: number, routes: number): void {
    if (pv >= this.length.length) this.length = grown(this.length, pv + 1);
    const list = this.lists[pv];
    if (list !== undefined && list.length >= routes) return;
    this.lists[pv] = list === undefined ? new Uint32Array(Math.max(FIRST_CAPACITY, routes)) : resized(list, routes, this.length[pv]!);
  }

  /** Record that pv has just got an entry in slot `s` that it did not have (an ACTIVE pv). */
  add(pv: number, s: number): void {
    if (pv >= this.length.length) this.length = grown(this.length, pv + 1);
    let list = this.lists[pv];
    let n = this.length[pv]!;
    if (list === undefined) {
      list = new Uint32Array(FIRST_CAPACITY);
      this.lists[pv] = list;
    } else if (n === list.length) {
      if (n > 2 * this.registry.pvCount[pv]! + COMPACT_SLACK) {
        n = this.compact(pv, list, n);
        // Shrink too when most of the array is no longer needed.
        if (n * 4 < list.length && list.length > FIRST_CAPACITY) list = resized(list, Math.max(FIRST_CAPACITY, n * 2), n);
      }
      if (n === list.length) list = resized(list, Math.ceil(list.length * 1.5), n);
      this.lists[pv] = list;
    }
    list[n] = s;
    this.length[pv] = n + 1;
  }

  /** Forget pv's list (the pv is freed; its id may be handed out again). */
  clear(pv: number): void {
    this.lists[pv] = undefined;
    if (pv < this.length.length) this.length[pv] = 0;
  }

  /** Queue a pv that has just been doomed and still holds routes, for {@link takeDoomedSlots}. */
  doomed(pv: number): void {
    this.queue.push(pv);
  }

  /**
   * The next slots the sweeper should visit: up to `max` slots that may hold an entry of a
   * DOOMED pv, taken off the end of the list of the first queued pv that is still DOOMED with
   * routes and written to `out` from index 0. Returns how many (0 when none is left). A taken
   * slot is not visited again for that pv, so the caller must remove every entry of the pv it
   * finds there, in every slot taken. Taking a run of slots per call, not one, keeps the queue
   * and registry checks out of the sweeper's per-slot loop.
   */
  takeDoomedSlots(out: Uint32Array, max: number): number {
    const registry = this.registry;
    while (this.queueHead < this.queue.length) {
      const pv = this.queue[this.queueHead]!;
      // Skipped when swept already, or freed (and perhaps handed out again) since it was queued.
      if (registry.pvState[pv] === PV_DOOMED && registry.pvCount[pv]! > 0) {
        const n = this.length[pv]!;
        if (n > 0) {
          const taken = Math.min(n, max);
          const list = this.lists[pv]!;
          for (let i = 0; i < taken; i++) out[i] = list[n - 1 - i]!;
          this.length[pv] = n - taken;
          return taken;
        }
        throw new Error(`peer-routes invariant broken: doomed peer-view ${pv} holds ${registry.pvCount[pv]} routes its list does not name`);
      }
      this.queueHead++;
      if (this.queueHead === this.queue.length || this.queueHead > 1024) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
    }
    return 0;
  }

  /** Whether slot `s` is live and holds an entry of pv. */
  holds(s: number, pv: number): boolean {
    const sets = this.sets;
    if (!sets.isLive(s)) return false;
    const e = sets.entries;
    const start = sets.offset[s]!;
    const end = start + sets.count[s]! * ENTRY_WORDS;
    for (let at = start; at < end; at += ENTRY_WORDS) if ((e[at]! & PV_MASK) === pv) return true;
    return false;
  }

  /** Keep the elements of pv's list that hold pv, once each; returns the new length. */
  private compact(pv: number, list: Uint32Array, n: number): number {
    if (this.sets.slotBound > this.stamp.length) this.stamp = grown(this.stamp, this.sets.slotBound);
    const stamp = this.stamp;
    let pass = ++this.pass;
    if (pass === 0xffffffff) {
      stamp.fill(0);
      this.pass = pass = 1;
    }
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const s = list[i]!;
      if (stamp[s] === pass || !this.holds(s, pv)) continue;
      stamp[s] = pass;
      list[kept++] = s;
    }
    this.length[pv] = kept;
    return kept;
  }
}

/** A copy of `list`'s first `n` elements in an array of `capacity`. */
function resized(list: Uint32Array, capacity: number, n: number): Uint32Array {
  const bigger = new Uint32Array(capacity);
  bigger.set(list.subarray(0, n));
  return bigger;
}

/** `old` copied into an array of at least `length` elements (doubling). */
function grown(old: Uint32Array, length: number): Uint32Array {
  const bigger = new Uint32Array(Math.max(length, old.length * 2));
  bigger.set(old);
  return bigger;
}
