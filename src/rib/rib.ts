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
 * Three layers, one class each: the queries (lookup, routes, more/less specifics, origins,
 * status) and their JSON shaping are the query side, rib-reader.ts ({@link RibReader}); route
 * writes, ages and freezes are the write side, rib-writer.ts ({@link RibWriter}); this file is
 * the life cycle of sessions on top of them (peer and router up/down, stale routes, keep time,
 * End-of-RIB and re-send sweeps).
 */
import { PV_ACTIVE, PV_DOOMED, PV_STALE, type PeerKey, type RouterRecord, viewRank } from './peer-registry.js';
import { type RibWriterOptions, RibWriter } from './rib-writer.js';
import { COMPACT_UNITS_PER_ENTRY, type SweepReport, sweepInSlices } from './rib-sweep.js';

export { RibReader, type RibReaderOptions, type RouteFilter, type OriginPrefixJson } from './rib-reader.js';
export { RibWriter, type RibWriterOptions, type PeerViewKey, type RibWatcher, routeSeconds } from './rib-writer.js';
export type { SweepReport } from './rib-sweep.js';

/** Options of {@link Rib}: the writer's ({@link RibWriterOptions}) and the life cycle's. */
export interface RibOptions extends RibWriterOptions {
  /** How long a disconnected router's routes are kept (ms). Default 300 000 (5 minutes). */
  keepMs?: number;
  /** Longest the async {@link Rib.sweep} works before yielding to the event loop (ms). Default 5. */
  sliceMs?: number;
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
 * The routing information base: the session life cycle (peer and router up/down, stale
 * routes, keep time, End-of-RIB, sweeps) over the write side ({@link RibWriter}) and the
 * queries ({@link RibReader}).
 */
export class Rib extends RibWriter {
  private readonly keepMs: number;
  private readonly sliceMs: number;
  private sweeping: Promise<SweepReport> | undefined;
  /** ACTIVE peer-views that have received End-of-RIB (see {@link resendState}). */
  private readonly endOfRibSeen = new Set<number>();

  constructor(options: RibOptions = {}) {
    super(options);
    this.keepMs = options.keepMs ?? 300_000;
    this.sliceMs = options.sliceMs ?? 5;
  }

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
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      const r = this.registry.router(router);
      const p = this.registry.peer(r, peer);
      for (const pv of [...p.views]) this.makeStale(pv);
      p.state = 'up';
    } finally {
      this.versions.endStructure();
    }
  }

  /** BMP Peer Down: every route of the peer goes (hidden at once, swept in slices). */
  peerDown(router: string, peer: PeerKey): void {
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      const r = this.registry.findRouter(router);
      const p = r && this.registry.findPeer(r, peer);
      if (p === undefined) return;
      for (const pv of [...p.views]) this.doom(pv);
      p.state = 'down';
    } finally {
      this.versions.endStructure();
    }
  }

  /**
   * The router's session ended: its routes are kept, marked stale, for the keep time
   * (then {@link tick} flushes them), or until it reconnects and re-announces them.
   */
  routerDown(router: string): void {
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      const r = this.registry.findRouter(router);
      if (r === undefined) return;
      const now = this.now();
      r.state = 'down';
      r.downSince = now;
      r.flushAt = now + this.keepMs;
      for (const pid of r.peers) {
        for (const pv of [...this.registry.peerById(pid).views]) this.makeStale(pv);
      }
    } finally {
      this.versions.endStructure();
    }
  }

  /**
   * The router's session started (BMP Initiation): new routes replace its stale ones as they
   * arrive; what End-of-RIB or the keep time leaves is swept.
   */
  routerUp(router: string): void {
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
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
    } finally {
      this.versions.endStructure();
    }
  }

  /**
   * A router whose session continues across a restart (a bus replica resuming its stream after
   * its snapshot): it is up again with no flush pending, and its restored stale routes are
   * current again, as they are on the source.
   */
  resumeRouter(router: string): void {
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      const r = this.registry.router(router);
      r.state = 'up';
      r.downSince = undefined;
      r.flushAt = undefined;
      this.watcher?.anyChanged();
      for (const pid of r.peers) for (const pv of [...this.registry.peerById(pid).views]) this.registry.reactivate(pv);
    } finally {
      this.versions.endStructure();
    }
  }

  /** Flush every route of a router now (hidden at once, swept in slices). */
  flushRouter(router: string): void {
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      const r = this.registry.findRouter(router);
      if (r === undefined) return;
      for (const pid of r.peers) for (const pv of [...this.registry.peerById(pid).views]) this.doom(pv);
      r.flushAt = undefined;
    } finally {
      this.versions.endStructure();
    }
  }

  /**
   * Flush the router's stale routes now, as if each of its peer-views had sent End-of-RIB
   * (after a complete re-load, e.g. an MRT dump over routes restored from a snapshot).
   */
  flushStale(router: string): void {
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      const r = this.registry.findRouter(router);
      if (r !== undefined) this.flushStaleOf(r);
    } finally {
      this.versions.endStructure();
    }
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
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      if (this.registry.pvState[pv] === PV_ACTIVE) this.endOfRibSeen.add(pv);
      const previous = this.registry.pvPrevious[pv]!;
      if (previous !== 0) this.doom(previous);
    } finally {
      this.versions.endStructure();
    }
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
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
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
    } finally {
      this.versions.endStructure();
    }
  }

  /**
   * Apply the keep-time policy at time `now`: routers whose keep time ended lose their stale
   * routes. Call it periodically (the collector does, every few seconds).
   * @returns the names of the routers flushed by this call (usually none), for logging.
   */
  tick(now: number = this.now()): string[] {
    // One structure section: worker readers see the whole change or none of it.
    this.versions.beginStructure();
    try {
      const flushed: string[] = [];
      for (const r of this.registry.routers()) {
        if (r.flushAt === undefined || r.flushAt > now) continue;
        this.flushStaleOf(r);
        flushed.push(r.name);
      }
      return flushed;
    } finally {
      this.versions.endStructure();
    }
  }

  /** Whether flushed routes are waiting to be swept, or their attribute sets to be freed, or an attribute-pool compaction runs. */
  get sweepPending(): boolean {
    return this.doomedPending > 0 || this.attributes.pendingFrees > 0 || this.attributes.compacting;
  }

  /**
   * Sweep up to about `maxEntries` route entries (synchronously), removing routes of
   * flushed peer-views: it visits only the slots where they have routes (peer-routes.ts).
   * The attribute sets whose last route it removes are not freed at once
   * (`AttributePool.releaseLater`): once no flushed route is left, the budget goes to freeing
   * them in id order (`AttributePool.freePending`, one unit per set), then to a running
   * attribute-pool compaction ({@link COMPACT_UNITS_PER_ENTRY} units per entry of budget).
   * Returns whether work remains (flushed routes, sets to free or a compaction). The core step
   * of {@link sweep}.
   *
   * Each slot is compacted in one pass (RouteSets.removeWhere: every DOOMED entry goes, the
   * others move down once), then the removed routes' peer-views are counted down and their
   * attribute sets released. Measured against removing entries one by one (a shift of the
   * entries after each, through three calls): a third less time per route. Reading the
   * blocks of a batch of slots ahead (to overlap cache misses) and batching the attribute
   * releases were measured too, and made it slower: in a table loaded prefix by prefix the
   * blocks lie in slot order and the hardware prefetcher already streams them. Tried again
   * (in-process A/B over the flushes of bench:rib's 10-peer RIB, load 13-16, CPU time): the
   * slots in ascending instead of descending order, and releases of one attribute set in a
   * row coalesced into one (40% of a peer's consecutive routes share a set): neither moved
   * the time beyond the noise of the pairs (0.88-1.11x). Touching the first line of each block
   * of a 64-slot run before editing them was measured again, on a quiet machine: 1.14x slower.
   * What did pay: slots are taken off the peer-view's list 64 at a time
   * (PeerRoutes.takeDoomedSlots), which keeps the queue and registry checks out of the per-slot
   * loop: 0.88-0.91x wall per flush (three A/B pairs of five flushes, load ~1.5).
   */
  sweepStep(maxEntries = 65536): boolean {
    const sets = this.sets;
    const state = this.registry.pvState;
    const slots = this.sweptSlots;
    let work = 0;
    while (work < maxEntries && this.doomedPending > 0) {
      // Each slot is at least one unit of work, so a run of up to the budget left keeps the
      // step within about its budget.
      const taken = this.peerRoutes.takeDoomedSlots(slots, Math.min(slots.length, maxEntries - work));
      if (taken === 0) break;
      work += taken;
      for (let i = 0; i < taken; i++) {
        const s = slots[i]!;
        if (!sets.isLive(s)) continue;
        const n = sets.count[s]!;
        work += n;
        if (n > this.sweptAttrs.length) {
          this.sweptPvs = new Uint32Array(n * 2);
          this.sweptAttrs = new Uint32Array(n * 2);
        }
        sets.beginWrite(s);
        if (s < this.freezeBound) this.preserve(s);
        const pvs = this.sweptPvs;
        const attrs = this.sweptAttrs;
        const removed = sets.removeWhere(s, state, PV_DOOMED, pvs, attrs, 0);
        if (sets.count[s] === 0) this.dropSlot(s);
        for (let j = 0; j < removed; j++) {
          this.attributes.releaseLater(attrs[j]!);
          this.dropCount(pvs[j]!);
        }
        sets.endWrite(s);
      }
    }
    const pool = this.attributes;
    if (work < maxEntries && this.doomedPending === 0 && pool.pendingFrees > 0) work += pool.freePending(maxEntries - work, this.forgetDecoded);
    if (work < maxEntries && this.doomedPending === 0) pool.compactStep((maxEntries - work) * COMPACT_UNITS_PER_ENTRY);
    return this.doomedPending > 0 || pool.pendingFrees > 0 || pool.compacting;
  }

  /** Drops a freed attribute set's decoded form (the id may be handed out again). */
  private readonly forgetDecoded = (attr: number): void => {
    this.cache.delete(attr);
  };

  /** The run of slots {@link sweepStep} visits next (PeerRoutes.takeDoomedSlots). */
  private readonly sweptSlots = new Uint32Array(64);
  /** Peer-views and attribute sets of the entries {@link sweepStep} removed from one slot. */
  private sweptPvs = new Uint32Array(64);
  private sweptAttrs = new Uint32Array(64);

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
}
