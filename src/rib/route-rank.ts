/**
 * RouteRank: keeps the routes of every prefix in preference order, best first, as they are
 * written, so a best-route lookup reads the prefix's first entries instead of comparing all
 * of them.
 *
 * The stored order is {@link compareStoredRoutes}: the documented order (route-order.ts)
 * without its step 2, current before stale. Every other step depends only on what an entry
 * holds for its lifetime (its peer-view's view, peer and family, its attribute set, its
 * path id), so the order changes only when an entry is written, and the writer re-ranks
 * that one entry ({@link RouteRank.settle}). A peer-view turning stale changes no stored
 * order: re-ranking its routes would mean visiting every prefix it has routes in (a full
 * table's worth for a router that disconnects), while applying step 2 when reading costs
 * one state check per entry read. How reads apply it ({@link RouteRank.best}): the best
 * visible route is the first current route among the routes of the first visible view, or
 * the first visible route when that view has only stale ones. Flushed (DOOMED) routes stay
 * in place until swept and are skipped. While no peer-view is STALE or DOOMED
 * (`PeerRegistry.retiredViews` is 0), the first entry is the best route, and
 * `RibReader.bestRouteV4` answers its handle (the block's offset) without reading an entry.
 *
 * ```
 *  slot s: | loc-rib A (stale) | loc-rib B | adj-in-post C | adj-in-post D (doomed) | ...
 *            first visible       first current of that view: the best route is B
 * ```
 */
import type { AttributePool } from './attribute-pool.js';
import { PV_ACTIVE, PV_STALE, type PeerRegistry } from './peer-registry.js';
import { compareStoredRoutes } from './route-order.js';
import { ENTRY_WORDS, PV_MASK, type RouteSets } from './route-sets.js';

/** Ranks entries as they are written and reads the best one. */
export class RouteRank {
  /** Whether the last {@link best} met a current (ACTIVE) route in its slot. */
  sawLive = false;

  constructor(
    private readonly sets: RouteSets,
    private readonly registry: PeerRegistry,
    private readonly pool: AttributePool,
  ) {}

  /**
   * Move the entry at word offset `at` of slot `s`, just appended or given new attributes
   * (or a new peer-view: a stale twin replaced), to its rank among the slot's other entries,
   * which are in order. Returns the entry's new word offset.
   */
  settle(s: number, at: number): number {
    const sets = this.sets;
    const n = sets.count[s]!;
    if (n === 1) return at;
    const base = sets.offset[s]!;
    const from = (at - base) / ENTRY_WORDS;
    const e = sets.entries;
    const pv = e[at]! & PV_MASK;
    const path = e[at + 1]!;
    const attr = e[at + 2]!;
    let to = from;
    if (from > 0 && this.compareTo(pv, attr, path, base + (from - 1) * ENTRY_WORDS) < 0) {
      // Better than the one before: the first rank in [0, from) it beats.
      let lo = 0;
      let hi = from - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.compareTo(pv, attr, path, base + mid * ENTRY_WORDS) < 0) hi = mid;
        else lo = mid + 1;
      }
      to = lo;
    } else if (from < n - 1 && this.compareTo(pv, attr, path, base + (from + 1) * ENTRY_WORDS) > 0) {
      // Worse than the one after: the last rank in (from, n) that beats it.
      let lo = from + 1;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (this.compareTo(pv, attr, path, base + mid * ENTRY_WORDS) > 0) lo = mid;
        else hi = mid - 1;
      }
      to = lo;
    }
    if (to === from) return at;
    sets.moveEntry(s, from, to);
    return base + to * ENTRY_WORDS;
  }

  /** {@link compareStoredRoutes} of (pv, attr, path) against the entry at word offset `at`. */
  private compareTo(pv: number, attr: number, path: number, at: number): number {
    const e = this.sets.entries;
    return compareStoredRoutes(this.registry, this.pool, pv, attr, path, e[at]! & PV_MASK, e[at + 2]!, e[at + 1]!);
  }

  /**
   * The best visible (ACTIVE or STALE) entry of slot `s` by the documented order
   * (compareRoutes), or -1; sets {@link sawLive}. Reads entries only until the answer is
   * known: one when the first entry is current.
   */
  best(s: number): number {
    const sets = this.sets;
    const e = sets.entries;
    const state = this.registry.pvState;
    const view = this.registry.pvView;
    let at = sets.offset[s]!;
    // The first entry before the count: when it is current it is the answer, and the count
    // (another array, another cache miss on a big table) is never read.
    const pv0 = e[at]! & PV_MASK;
    if (state[pv0] === PV_ACTIVE) {
      this.sawLive = true;
      return at;
    }
    const end = at + sets.count[s]! * ENTRY_WORDS;
    let first = -1;
    let firstView = -1;
    for (; at < end; at += ENTRY_WORDS) {
      const pv = e[at]! & PV_MASK;
      const st = state[pv];
      if (st === PV_ACTIVE) {
        this.sawLive = true;
        return first < 0 || view[pv] === firstView ? at : first;
      }
      if (st === PV_STALE && first < 0) {
        first = at;
        firstView = view[pv]!;
      }
    }
    this.sawLive = false;
    return first;
  }

  /**
   * Whether the entries of slot `s` are in stored order (for tests and checks): each
   * compares before the next.
   */
  inOrder(s: number): boolean {
    const sets = this.sets;
    const e = sets.entries;
    const base = sets.offset[s]!;
    for (let i = 1; i < sets.count[s]!; i++) {
      const at = base + i * ENTRY_WORDS;
      if (this.compareTo(e[at - ENTRY_WORDS]! & PV_MASK, e[at - ENTRY_WORDS + 2]!, e[at - ENTRY_WORDS + 1]!, at) >= 0) return false;
    }
    return true;
  }
}
