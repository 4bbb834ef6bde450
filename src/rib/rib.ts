/**
 * Rib: the routing information base. Every route of every router, peer and view, with
 * interned attributes, stale/flush life cycle and the queries of the HTTP API.
 *
 * ```
 *   tables[t] (PrefixIndex: prefix → slot)      t = 0 global, t ≥ 1 one per route distinguisher
 *        │
 *        ▼
 *   RouteSets: slot → [ (peer-view, path id, attribute id, receivedAt, changedAt) … ]
 *        │                        │                 │
 *        ▼                        ▼                 ▼
 *   slot key (prefix words)   PeerRegistry       AttributePool (interned canonical bytes,
 *                             (router, peer,      refcounted; decoded on demand for queries,
 *                              view, AFI/SAFI)     through a small cache)
 * ```
 *
 * A route is identified by (table, prefix, peer-view, path id). Writers call
 * {@link Rib.announce} / {@link Rib.withdraw} (numbers and `Prefix` objects, no allocation
 * per route in steady state) or {@link Rib.applyUpdate} for a decoded UPDATE. Life cycle
 * (see peer-registry.ts): Peer Down dooms a peer's peer-views and the sweeper removes their
 * routes in slices ({@link Rib.sweepStep}, {@link Rib.sweep}); a router that disconnects has
 * its routes marked stale and kept for `keepMs`; when it comes back, each re-announced route
 * replaces its stale twin at once (no gap), and End-of-RIB or the end of the keep time
 * dooms what is left.
 *
 * Route ages: each route keeps when it was first seen (`receivedAt`) and when its attributes
 * last changed (`changedAt`), in whole seconds of the `now` clock. An identical
 * re-announcement keeps both; other attributes set `changedAt`; a withdrawn route that comes
 * back is a new route (new `receivedAt`). A stale route replaced by its router's re-announcement
 * after a reconnect keeps its `receivedAt` (and its `changedAt` if the attributes are the same).
 *
 * The queries (lookup, routes, more/less specifics, origins, status) and their JSON shaping
 * live on the query side, rib-reader.ts ({@link RibReader}), which this class extends.
 */
import { RibstoreError } from '../errors.js';
import type { Family } from '../ip/address.js';
import { Prefix } from '../ip/prefix.js';
import type { AttributeSummary } from './attribute-pool.js';
import { PV_ACTIVE, PV_DOOMED, PV_STALE, type PeerKey, type RouterRecord, type View, viewRank } from './peer-registry.js';
import { CHANGED_WORD, ENTRY_WORDS, PV_MASK } from './route-sets.js';
import { PeerRoutes } from './peer-routes.js';
import { type FreezeSource, RibFreeze } from './rib-freeze.js';
import { RibReader, type RibReaderOptions } from './rib-reader.js';
import { type SweepReport, sweepInSlices } from './rib-sweep.js';

export { RibReader, type RibReaderOptions, type RouteFilter, type OriginPrefixJson } from './rib-reader.js';
export type { SweepReport } from './rib-sweep.js';

/** Options of {@link Rib}: the query side's ({@link RibReaderOptions}) and the writer's. */
export interface RibOptions extends RibReaderOptions {
  /** How long a disconnected router's routes are kept (ms). Default 300 000 (5 minutes). */
  keepMs?: number;
  /** Longest the async {@link Rib.sweep} works before yielding to the event loop (ms). Default 5. */
  sliceMs?: number;
  /**
   * Clock (ms since epoch). Default `Date.now`. Keep times run on it, and routes are stamped
   * with it (`receivedAt` / `changedAt`, whole seconds): inject one to make ages deterministic.
   */
  now?: () => number;
}

/** What identifies a peer-view for {@link Rib.peerView}. */
export interface PeerViewKey {
  /** Router name (its BMP session source address, usually). */
  router: string;
  peer: PeerKey;
  view: View;
  afi: number;
  safi: number;
}

/** The view rank of Loc-RIB (peer-registry.ts VIEWS). */
const LOC_RIB_RANK = viewRank('loc-rib');

/** What {@link Rib.resendState} reports of one group of a router's views. */
export interface ResendState {
  /** ACTIVE peer-views (re-sent in the current session). */
  active: number;
  /** Of those, how many have received End-of-RIB. */
  endOfRib: number;
  /** STALE peer-views (from the previous session), and the routes they still hold. */
  stale: number;
  staleRoutes: number;
}

/**
 * The routing information base: the write side (announce, withdraw, life cycle, sweeps,
 * freezes) over the structures and queries of {@link RibReader}.
 */
/**
 * Told of RIB changes while someone watches prefixes (api/prefix-watch.ts). Set with
 * {@link Rib.setWatcher} only while there are watchers: with none, a write pays one field test.
 */
export interface RibWatcher {
  /** A route of this prefix (in any table) was announced (perhaps unchanged) or withdrawn. */
  prefixChanged(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): void;
  /** Whole peer-views changed state (peer up/down, router down/up, flush, sweep): any prefix may have changed. */
  anyChanged(): void;
}

export class Rib extends RibReader {
  /** See {@link RibWatcher}; undefined while nobody watches. */
  private watcher: RibWatcher | undefined;
  private readonly keepMs: number;
  private readonly sliceMs: number;
  private readonly now: () => number;
  /** DOOMED peer-views that still hold routes. */
  private doomedPending = 0;
  /** Per peer-view, the slots it has routes in: what a sweep visits (peer-routes.ts). */
  readonly peerRoutes = new PeerRoutes(this.sets, this.registry);
  private sweeping: Promise<SweepReport> | undefined;
  /** Freezes being read (see rib-freeze.ts); writes to their unread slots preserve them first. */
  private readonly freezes: RibFreeze[] = [];
  /** The largest `bound` of {@link freezes} (0 when none): slots at or past it need no preserving. */
  private freezeBound = 0;
  /** ACTIVE peer-views that have received End-of-RIB (see {@link resendState}). */
  private readonly endOfRibSeen = new Set<number>();

  constructor(options: RibOptions = {}) {
    super(options);
    this.keepMs = options.keepMs ?? 300_000;
    this.sliceMs = options.sliceMs ?? 5;
    this.now = options.now ?? Date.now;
    this.registry.onRelease = (pv) => this.peerRoutes.clear(pv);
  }

  /** Start (or, with undefined, stop) telling `watcher` of changes. */
  setWatcher(watcher: RibWatcher | undefined): void {
    this.watcher = watcher;
  }

  // ───────────────────────────── write side ─────────────────────────────

  /**
   * The time routes are stamped with (receivedAt / changedAt), in seconds since the epoch,
   * instead of the clock while it is >= 0: a replay of recorded updates (MRT BGP4MP records,
   * mrt-loader.ts) sets it to each record's time and back to -1 (the clock) after.
   */
  replayTime = -1;

  /** The time to stamp routes with: {@link replayTime}, else the clock in whole seconds (uint32). */
  private seconds(): number {
    return this.replayTime >= 0 ? this.replayTime : routeSeconds(this.now());
  }

  /**
   * The ACTIVE peer-view id of a (router, peer, view, AFI/SAFI), registering the router and
   * peer if new. Resolve once per UPDATE, then announce/withdraw with the number.
   */
  peerView(key: PeerViewKey): number {
    const router = this.registry.router(key.router);
    const peer = this.registry.peer(router, key.peer);
    peer.state = 'up';
    return this.registry.peerView(peer, viewRank(key.view), key.afi, key.safi);
  }

  /** The table index of a route distinguisher (created if new); null/undefined/'' is the global table 0. */
  table(rd?: string | null): number {
    if (rd === undefined || rd === null || rd === '') return 0;
    let t = this.tableByName.get(rd);
    if (t === undefined) {
      t = this.tables.length;
      if (t >= 1 << 23) throw new RibstoreError('LIMIT_EXCEEDED', 'too many route distinguishers');
      this.tables.push(this.createIndex());
      this.tableNames.push(rd);
      this.tableByName.set(rd, t);
    }
    return t;
  }

  /**
   * Intern an attribute set by its canonical bytes; the caller owns one reference and gives
   * it back with {@link releaseAttributes} when done announcing with it.
   */
  internAttributes(bytes: Uint8Array, start: number, end: number, summary: AttributeSummary): number {
    return this.attributes.intern(bytes, start, end, summary);
  }

  /**
   * Take one reference to attribute set `attr` again without its bytes, if it is still the
   * set it was when its `stamp` was read (`attributes.stampOf`); returns whether it did (if
   * not, intern the bytes). The caller gives the reference back with {@link releaseAttributes}.
   */
  retainAttributes(attr: number, stamp: number): boolean {
    return this.attributes.retainStamped(attr, stamp);
  }

  /** Drop one reference to an attribute set (see {@link internAttributes}). */
  releaseAttributes(attr: number): void {
    if (this.attributes.release(attr)) this.cache.delete(attr);
  }

  /**
   * Announce (or re-announce) the route (`pv`, `table`, `prefix`, `pathId`) with attribute
   * set `attr` (the route takes its own reference). Replaces the route's previous attributes
   * (in place, moved to its new rank: route-rank.ts), and its stale twin from the peer-view's
   * previous session if there is one. A re-announcement with the same attributes changes nothing.
   * `seenAt` (seconds since the epoch) is the time to stamp the route with (its `receivedAt`
   * if new, its `changedAt` if new or changed) instead of the clock, e.g. an MRT dump's
   * originated time.
   */
  announce(pv: number, table: number, prefix: Prefix, pathId: number, attr: number, seenAt = -1): void {
    this.announceWords(pv, table, prefix.family, prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, pathId, attr, seenAt);
  }

  /**
   * {@link announce} for a prefix in numeric words (host bits must be zero, as decoders
   * give them). The ingest hot path: allocates nothing once the arrays have grown.
   */
  announceWords(pv: number, table: number, family: Family, w0: number, w1: number, w2: number, w3: number, length: number, pathId: number, attr: number, seenAt = -1): void {
    const registry = this.registry;
    if (registry.pvState[pv] !== PV_ACTIVE) throw inactive(pv);
    if (this.watcher !== undefined) this.watcher.prefixChanged(family, w0, w1, w2, w3, length);
    const sets = this.sets;
    const index = this.tables[table]!;
    let s = index.getWords(family, w0, w1, w2, w3, length);
    if (s < 0) {
      s = sets.allocSlot(table, family === 6, length, w0, w1, w2, w3);
      if (s < this.freezeBound) this.preserve(s);
      index.setWords(family, w0, w1, w2, w3, length, s);
      const t = seenAt >= 0 ? seenAt : this.seconds();
      sets.append(s, pv, pathId, attr, t, t);
      this.peerRoutes.add(pv, s);
      registry.pvCount[pv]!++;
      this.attributes.retain(attr);
      return;
    }
    if (s < this.freezeBound) this.preserve(s);
    const at = sets.find(s, pv, pathId);
    if (at >= 0) {
      const old = sets.entries[at + 2]!;
      if (old !== attr) {
        sets.entries[at + 2] = attr;
        sets.entries[at + CHANGED_WORD] = seenAt >= 0 ? seenAt : this.seconds();
        this.rank.settle(s, at);
        this.attributes.retain(attr);
        this.releaseAttributes(old);
      }
      return;
    }
    const previous = registry.pvPrevious[pv]!;
    if (previous !== 0) {
      const twin = sets.find(s, previous, pathId);
      if (twin >= 0) {
        // Replace in place: the stale twin's entry becomes the new route, no gap.
        // It keeps its receivedAt, and its changedAt unless the attributes differ.
        const old = sets.entries[twin + 2]!;
        sets.entries[twin] = pv;
        sets.entries[twin + 2] = attr;
        if (old !== attr) sets.entries[twin + CHANGED_WORD] = seenAt >= 0 ? seenAt : this.seconds();
        this.rank.settle(s, twin);
        this.peerRoutes.add(pv, s);
        registry.pvCount[pv]!++;
        this.attributes.retain(attr);
        this.releaseAttributes(old);
        this.dropCount(previous);
        return;
      }
    }
    const t = seenAt >= 0 ? seenAt : this.seconds();
    this.rank.settle(s, sets.append(s, pv, pathId, attr, t, t));
    this.peerRoutes.add(pv, s);
    registry.pvCount[pv]!++;
    this.attributes.retain(attr);
  }

  /**
   * Withdraw the route (`pv`, `table`, `prefix`, `pathId`) (and its stale twin from the
   * previous session, which the router has just declared gone). Returns whether a route was removed.
   */
  withdraw(pv: number, table: number, prefix: Prefix, pathId: number): boolean {
    return this.withdrawWords(pv, table, prefix.family, prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, pathId);
  }

  /** {@link withdraw} for a prefix in numeric words. Allocates nothing. */
  withdrawWords(pv: number, table: number, family: Family, w0: number, w1: number, w2: number, w3: number, length: number, pathId: number): boolean {
    const registry = this.registry;
    if (registry.pvState[pv] !== PV_ACTIVE) throw inactive(pv);
    const s = this.tables[table]!.getWords(family, w0, w1, w2, w3, length);
    if (s < 0) return false;
    if (this.watcher !== undefined) this.watcher.prefixChanged(family, w0, w1, w2, w3, length);
    if (s < this.freezeBound) this.preserve(s);
    let removed = false;
    let at = this.sets.find(s, pv, pathId);
    if (at >= 0) {
      removed = true;
      if (this.removeEntry(s, at) === 0) {
        this.dropSlot(s);
        return true;
      }
    }
    const previous = registry.pvPrevious[pv]!;
    if (previous !== 0) {
      at = this.sets.find(s, previous, pathId);
      if (at >= 0) {
        removed = true;
        if (this.removeEntry(s, at) === 0) this.dropSlot(s);
      }
    }
    return removed;
  }

  /**
   * Bulk load (snapshot restore): add a prefix that table `table` does not hold yet with
   * `count` routes, the (peer-view, path id, attribute id) triples `routes[0 .. 3*count)` in
   * this RIB's ids. Peer-views must be ACTIVE and attribute sets live; (peer-view, path id)
   * pairs must be distinct. One slot allocation of the right size instead of `count`
   * announces. Each route takes its own reference to its attribute set, unless
   * `takeReferences` is false: then the caller vouches that the sets are live and takes the
   * references itself (a restore counts them per set and takes them in one pass). `ages`
   * holds each route's (receivedAt, changedAt) pair (seconds since the epoch, 0 unknown) at
   * `ages[2i]`, `ages[2i+1]`; without it the routes are stamped with the clock.
   * @throws RibstoreError `INVALID_ARGUMENT` when the prefix already has routes or an id is not usable.
   */
  loadPrefix(
    table: number,
    family: Family,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    length: number,
    routes: Uint32Array,
    count: number,
    takeReferences = true,
    ages?: Uint32Array,
  ): void {
    const index = this.tables[table];
    if (index === undefined) throw new RibstoreError('INVALID_ARGUMENT', `no table ${table}`);
    const registry = this.registry;
    const pool = this.attributes;
    // Distinct (peer-view, path id): pairwise for the usual few routes, a set for big ones.
    const seen = count > 32 ? new Set<string>() : undefined;
    for (let i = 0; i < count; i++) {
      const pv = routes[i * 3]!;
      const pathId = routes[i * 3 + 1]!;
      if (pv >= registry.pvBound || registry.pvState[pv] !== PV_ACTIVE) throw inactive(pv);
      if (takeReferences && !pool.has(routes[i * 3 + 2]!)) throw new RibstoreError('INVALID_ARGUMENT', `no attribute set ${routes[i * 3 + 2]}`);
      let twice = false;
      if (seen !== undefined) {
        const k = `${pv}:${pathId}`;
        twice = seen.has(k);
        seen.add(k);
      } else {
        for (let j = 0; j < i && !twice; j++) twice = routes[j * 3] === pv && routes[j * 3 + 1] === pathId;
      }
      if (twice) throw new RibstoreError('INVALID_ARGUMENT', `${new Prefix(family, w0, w1, w2, w3, length)}: route of peer-view ${pv} path id ${pathId} given twice`);
    }
    const sets = this.sets;
    const s = sets.allocSlot(table, family === 6, length, w0, w1, w2, w3, count);
    const previous = index.exchangeWords(family, w0, w1, w2, w3, length, s);
    if (previous >= 0) {
      index.setWords(family, w0, w1, w2, w3, length, previous);
      sets.freeSlot(s);
      throw new RibstoreError('INVALID_ARGUMENT', `${new Prefix(family, w0, w1, w2, w3, length)} is loaded twice`);
    }
    const t = ages === undefined ? this.seconds() : 0;
    for (let i = 0; i < count; i++) {
      const pv = routes[i * 3]!;
      const attr = routes[i * 3 + 2]!;
      const receivedAt = ages === undefined ? t : ages[i * 2]!;
      const changedAt = ages === undefined ? t : ages[i * 2 + 1]!;
      this.rank.settle(s, sets.append(s, pv, routes[i * 3 + 1]!, attr, receivedAt, changedAt));
      this.peerRoutes.add(pv, s);
      registry.pvCount[pv]!++;
      if (takeReferences) pool.retain(attr);
    }
  }

  /** Remove the entry at word `at` of slot `s`; returns the slot's remaining count. */
  private removeEntry(s: number, at: number): number {
    const e = this.sets.entries;
    const pv = e[at]! & PV_MASK;
    const attr = e[at + 2]!;
    const left = this.sets.removeAt(s, at);
    this.releaseAttributes(attr);
    this.dropCount(pv);
    return left;
  }

  private dropCount(pv: number): void {
    const registry = this.registry;
    if (--registry.pvCount[pv]! !== 0) return;
    const state = registry.pvState[pv];
    if (state === PV_ACTIVE) return;
    if (state === PV_DOOMED) this.doomedPending--;
    registry.release(pv);
  }

  /** Remove an emptied slot's prefix from its table and free the slot. */
  private dropSlot(s: number): void {
    const sets = this.sets;
    const meta = sets.meta[s]!;
    const k = s * 4;
    const key = sets.key;
    this.tables[meta >>> 9]!.deleteWords(meta & 256 ? 6 : 4, key[k]!, key[k + 1]!, key[k + 2]!, key[k + 3]!, meta & 255);
    sets.freeSlot(s);
  }

  // ───────────────────────────── life cycle ─────────────────────────────

  private doom(pv: number): void {
    const registry = this.registry;
    const state = registry.pvState[pv];
    if (state !== PV_ACTIVE && state !== PV_STALE) return;
    this.watcher?.anyChanged();
    if (registry.pvCount[pv]! > 0) {
      this.doomedPending++;
      this.peerRoutes.doomed(pv);
    }
    this.endOfRibSeen.delete(pv);
    registry.retire(pv, PV_DOOMED);
  }

  /**
   * Make an ACTIVE pv STALE. A STALE pv of the same key left from an earlier session (a
   * second flap before its sweep) is doomed first, so a key has at most one STALE pv.
   */
  private makeStale(pv: number): void {
    const registry = this.registry;
    if (registry.pvState[pv] !== PV_ACTIVE) return;
    this.watcher?.anyChanged();
    const peer = registry.peerById(registry.pvPeer[pv]!);
    for (const other of [...peer.views]) {
      if (
        other !== pv &&
        registry.pvState[other] === PV_STALE &&
        registry.pvView[other] === registry.pvView[pv] &&
        registry.pvAfi[other] === registry.pvAfi[pv] &&
        registry.pvSafi[other] === registry.pvSafi[pv]
      ) {
        this.doom(other);
      }
    }
    this.endOfRibSeen.delete(pv);
    registry.retire(pv, PV_STALE);
  }

  /** BMP Peer Up: the peer is up; routes it still has from an earlier session become stale. */
  peerUp(router: string, peer: PeerKey): void {
    const r = this.registry.router(router);
    const p = this.registry.peer(r, peer);
    for (const pv of [...p.views]) this.makeStale(pv);
    p.state = 'up';
  }

  /** BMP Peer Down: every route of the peer goes (hidden at once, swept in slices). */
  peerDown(router: string, peer: PeerKey): void {
    const r = this.registry.findRouter(router);
    const p = r && this.registry.findPeer(r, peer);
    if (p === undefined) return;
    for (const pv of [...p.views]) this.doom(pv);
    p.state = 'down';
  }

  /**
   * The router's session ended: its routes are kept, marked stale, for the keep time
   * (then {@link tick} flushes them), or until it reconnects and re-announces them.
   */
  routerDown(router: string): void {
    const r = this.registry.findRouter(router);
    if (r === undefined) return;
    const now = this.now();
    r.state = 'down';
    r.downSince = now;
    r.flushAt = now + this.keepMs;
    for (const pid of r.peers) {
      for (const pv of [...this.registry.peerById(pid).views]) this.makeStale(pv);
    }
  }

  /**
   * The router's session started (BMP Initiation): new routes replace its stale ones as they
   * arrive; what End-of-RIB or the keep time leaves is swept.
   */
  routerUp(router: string): void {
    const r = this.registry.router(router);
    if (r.state === 'up' && r.flushAt === undefined) {
      // A new session without a seen disconnect: treat the old session's routes as stale.
      for (const pid of r.peers) {
        for (const pv of [...this.registry.peerById(pid).views]) this.makeStale(pv);
      }
      r.flushAt = this.now() + this.keepMs;
    }
    r.state = 'up';
    r.downSince = undefined;
  }

  /**
   * A router whose session continues across a restart (a bus replica resuming its stream after
   * its snapshot): it is up again with no flush pending, and its restored stale routes are
   * current again, as they are on the source.
   */
  resumeRouter(router: string): void {
    const r = this.registry.router(router);
    r.state = 'up';
    r.downSince = undefined;
    r.flushAt = undefined;
    this.watcher?.anyChanged();
    for (const pid of r.peers) for (const pv of [...this.registry.peerById(pid).views]) this.registry.reactivate(pv);
  }

  /** Flush every route of a router now (hidden at once, swept in slices). */
  flushRouter(router: string): void {
    const r = this.registry.findRouter(router);
    if (r === undefined) return;
    for (const pid of r.peers) for (const pv of [...this.registry.peerById(pid).views]) this.doom(pv);
    r.flushAt = undefined;
  }

  /**
   * Flush the router's stale routes now, as if each of its peer-views had sent End-of-RIB
   * (after a complete re-load, e.g. an MRT dump over routes restored from a snapshot).
   */
  flushStale(router: string): void {
    const r = this.registry.findRouter(router);
    if (r !== undefined) this.flushStaleOf(r);
  }

  /** Doom every STALE peer-view of `r`; no flush is pending for it afterwards. */
  private flushStaleOf(r: RouterRecord): void {
    r.flushAt = undefined;
    for (const pid of r.peers) {
      for (const pv of [...this.registry.peerById(pid).views]) if (this.registry.pvState[pv] === PV_STALE) this.doom(pv);
    }
  }

  /** End-of-RIB for a peer-view: its stale twin (previous session) is swept. */
  endOfRib(pv: number): void {
    if (this.registry.pvState[pv] === PV_ACTIVE) this.endOfRibSeen.add(pv);
    const previous = this.registry.pvPrevious[pv]!;
    if (previous !== 0) this.doom(previous);
  }

  /**
   * How far a router has re-sent one group of its views since it reconnected: its Loc-RIB
   * views (`locRib` true) or its other (Adj-RIB) views. The collector reads it to decide when
   * the re-send is complete (bmp-resync.ts).
   */
  resendState(router: string, locRib: boolean): ResendState {
    const state: ResendState = { active: 0, endOfRib: 0, stale: 0, staleRoutes: 0 };
    const registry = this.registry;
    const r = registry.findRouter(router);
    if (r === undefined) return state;
    for (const pid of r.peers) {
      for (const pv of registry.peerById(pid).views) {
        if ((registry.pvView[pv] === LOC_RIB_RANK) !== locRib) continue;
        const pvState = registry.pvState[pv];
        if (pvState === PV_ACTIVE) {
          state.active++;
          if (this.endOfRibSeen.has(pv)) state.endOfRib++;
        } else if (pvState === PV_STALE) {
          state.stale++;
          state.staleRoutes += registry.pvCount[pv]!;
        }
      }
    }
    return state;
  }

  /**
   * Sweep the router's STALE peer-views of one group of views (Loc-RIB when `locRib`, else the
   * others): the router has re-sent that group, so what it did not re-send was withdrawn while
   * it was away. Once nothing of the router is stale, no keep-time flush is pending for it.
   * @returns how many peer-views were swept.
   */
  flushStaleViews(router: string, locRib: boolean): number {
    const registry = this.registry;
    const r = registry.findRouter(router);
    if (r === undefined) return 0;
    let swept = 0;
    let staleLeft = false;
    for (const pid of r.peers) {
      for (const pv of [...registry.peerById(pid).views]) {
        if (registry.pvState[pv] !== PV_STALE) continue;
        if ((registry.pvView[pv] === LOC_RIB_RANK) === locRib) {
          this.doom(pv);
          swept++;
        } else {
          staleLeft = true;
        }
      }
    }
    if (!staleLeft) r.flushAt = undefined;
    return swept;
  }

  /**
   * Apply the keep-time policy at time `now`: routers whose keep time ended lose their stale
   * routes. Call it periodically (the collector does, every few seconds).
   * @returns the names of the routers flushed by this call (usually none), for logging.
   */
  tick(now: number = this.now()): string[] {
    const flushed: string[] = [];
    for (const r of this.registry.routers()) {
      if (r.flushAt === undefined || r.flushAt > now) continue;
      this.flushStaleOf(r);
      flushed.push(r.name);
    }
    return flushed;
  }

  /** Whether flushed routes are waiting to be swept. */
  get sweepPending(): boolean {
    return this.doomedPending > 0;
  }

  /**
   * Sweep up to about `maxEntries` route entries (synchronously), removing routes of
   * flushed peer-views: it visits only the slots where they have routes (peer-routes.ts).
   * Returns whether work remains. The core step of {@link sweep}.
   */
  sweepStep(maxEntries = 65536): boolean {
    const sets = this.sets;
    const state = this.registry.pvState;
    let work = 0;
    while (work < maxEntries && this.doomedPending > 0) {
      const s = this.peerRoutes.nextDoomedSlot();
      if (s < 0) break;
      if (!sets.isLive(s)) {
        work++;
        continue;
      }
      // Every DOOMED entry of the slot goes, not only the listed pv's: one visit per slot.
      let n = sets.count[s]!;
      work += n + 1;
      for (let i = n - 1; i >= 0; i--) {
        const at = sets.offset[s]! + i * ENTRY_WORDS;
        if (state[sets.entries[at]! & PV_MASK] !== PV_DOOMED) continue;
        if (s < this.freezeBound) this.preserve(s);
        n = this.removeEntry(s, at);
        if (n === 0) {
          this.dropSlot(s);
          break;
        }
        // removeAt shifted the entries after `at` (already visited) down; a block move keeps the order.
      }
    }
    return this.doomedPending > 0;
  }

  /**
   * Sweep until no flushed route is left, in slices of at most about `sliceMs` of work,
   * yielding to the event loop between slices. Concurrent calls share one sweep. Resolves
   * with what the sweep cost.
   */
  sweep(): Promise<SweepReport> {
    this.sweeping ??= sweepInSlices((max) => this.sweepStep(max), this.sliceMs).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  // ───────────────────────────── freezes ─────────────────────────────

  /**
   * A consistent view of every route as it is now, to read piece by piece while writes go
   * on (snapshot files, MRT exports; see rib-freeze.ts). Release it when done: until then
   * attribute sets are not freed and copies of the slots written ahead of its cursor are kept.
   */
  freeze(): RibFreeze {
    const source: FreezeSource = {
      registry: this.registry,
      attributes: this.attributes,
      sets: this.sets,
      tableNames: this.tableNames,
      unholdAttributes: () => this.attributes.unhold((id) => this.cache.delete(id)),
      unregister: (f) => {
        this.freezes.splice(this.freezes.indexOf(f), 1);
        this.freezeBound = this.freezes.reduce((max, g) => Math.max(max, g.bound), 0);
      },
    };
    const f = new RibFreeze(source, this.now());
    this.freezes.push(f);
    this.freezeBound = Math.max(this.freezeBound, f.bound);
    return f;
  }

  /** Freezes taken and not yet released. */
  get openFreezes(): number {
    return this.freezes.length;
  }

  private preserve(s: number): void {
    for (const f of this.freezes) f.preserve(s);
  }
}

/**
 * A clock reading (ms since the epoch) as the whole seconds route entries keep, clamped to
 * what a uint32 holds (times before 1970 read as 0, "unknown").
 */
export function routeSeconds(ms: number): number {
  const s = Math.floor(ms / 1000);
  return s > 0 ? (s < 0xffffffff ? s : 0xffffffff) : 0;
}

function inactive(pv: number): RibstoreError {
  return new RibstoreError('INVALID_ARGUMENT', `peer-view ${pv} is not active (flushed or stale): resolve it again with peerView()`);
}
