/**
 * Rib: the routing information base. Every route of every router, peer and view, with
 * interned attributes, stale/flush life cycle and the queries of the HTTP API.
 *
 * ```
 *   tables[t] (PrefixIndex: prefix → slot)      t = 0 global, t ≥ 1 one per route distinguisher
 *        │
 *        ▼
 *   RouteSets: slot → [ (peer-view, path id, attribute id) … ]     routes of one prefix
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
 * Queries run between writes (JavaScript gives them a consistent view: no write runs while a
 * query runs). Iterating answers (`moreSpecifics`, `lessSpecifics`) read each prefix's routes
 * when they reach it and skip a prefix whose slot was freed or reused meanwhile.
 */
import { RibstoreError } from '../errors.js';
import { type Address, type Family, parseAddress } from '../ip/address.js';
import { Prefix, type PrefixInput, comparePrefixes, toPrefix } from '../ip/prefix.js';
import { type AttributeSummary, AttributePool } from './attribute-pool.js';
import type { PrefixIndex } from './prefix-index.js';
import {
  PV_ACTIVE,
  PV_DOOMED,
  PV_STALE,
  type PeerKey,
  type PeerRecord,
  PeerRegistry,
  type RouterRecord,
  VIEWS,
  type View,
  afiSafiName,
  viewRank,
} from './peer-registry.js';
import { ENTRY_WORDS, PV_MASK, RouteSets } from './route-sets.js';
import { compareRoutes } from './route-order.js';
import { lostAt } from './route-decision.js';
import {
  type AttributesJson,
  type LookupJson,
  type PeerJson,
  type PeerStatusJson,
  type PrefixRoutesJson,
  type RibStatsJson,
  type RouteJson,
  type RouterStatusJson,
  peerTypeName,
} from './route-json.js';
import { formatIPv4 } from '../ip/address.js';
import { PrefixTable } from '../table/prefix-table.js';
import { decodeRouteAttributes } from './attribute-codec.js';
import { type FreezeSource, RibFreeze } from './rib-freeze.js';

/** Options of {@link Rib}. */
export interface RibOptions {
  /** How long a disconnected router's routes are kept (ms). Default 300 000 (5 minutes). */
  keepMs?: number;
  /** Whether `lookup` with a `router` falls back to other routers when that router has no route. Default true. */
  fallbackToOtherRouters?: boolean;
  /** Longest the async {@link Rib.sweep} works before yielding to the event loop (ms). Default 5. */
  sliceMs?: number;
  /** Clock (ms since epoch). Default `Date.now`. */
  now?: () => number;
  /** Decoded attribute sets kept for queries. Default 65 536. */
  attributeCacheSize?: number;
  /**
   * Decode an interned attribute set (its canonical bytes) into its query form. Default:
   * {@link decodeRouteAttributes} (wire/bgp's encoding, see attribute-codec.ts); tests that
   * intern other byte forms pass their own.
   */
  decodeAttributes?: (bytes: Uint8Array) => AttributesJson;
  /** Make an empty prefix index (one per table). Default: table/'s `PrefixTable` over shared memory. */
  createIndex?: () => PrefixIndex;
}

/** Which routes a query considers. Every field narrows; absent fields do not. */
export interface RouteFilter {
  /** Router name. */
  router?: string;
  /** Peer address (canonical text). */
  peer?: string;
  /** View. */
  view?: View;
  /** Route distinguisher text (`"65000:100"`-style as given to {@link Rib.table}); absent: the global table. */
  rd?: string;
  /** AFI/SAFI name (`ipv4-unicast`, ...). */
  afiSafi?: string;
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

/** What an async {@link Rib.sweep} cost. */
export interface SweepReport {
  /** Slices of synchronous work (event-loop turns). */
  slices: number;
  /** Total time spent sweeping (ms), yields excluded. */
  workMs: number;
  /** The longest slice (ms): the longest the sweep blocked the event loop. */
  longestSliceMs: number;
  /**
   * CPU time of the process during the slices (ms, user + system, all threads): on a busy
   * machine wall-clock slices include time the OS gave to other processes; this does not.
   */
  cpuMs: number;
  /** CPU time of the longest slice by CPU time (ms). */
  longestSliceCpuMs: number;
}

/** A prefix originated by an AS, for {@link Rib.originatedBy}. */
export interface OriginPrefixJson {
  prefix: string;
  rd: string | null;
  /** Routes of the prefix whose AS path ends in the AS. */
  routes: number;
}

/** The routing information base. */
export class Rib {
  /** Routers, peers and peer-view ids. */
  readonly registry = new PeerRegistry();
  /** Interned attribute sets. */
  readonly attributes = new AttributePool();
  /** Per-prefix route vectors. */
  readonly sets = new RouteSets();
  private readonly tables: PrefixIndex[] = [];
  private readonly tableNames: (string | null)[] = [];
  private readonly tableByName = new Map<string, number>();
  private readonly keepMs: number;
  private readonly fallback: boolean;
  private readonly sliceMs: number;
  private readonly now: () => number;
  private readonly decode: (bytes: Uint8Array) => AttributesJson;
  private readonly createIndex: () => PrefixIndex;
  private readonly cache = new Map<number, AttributesJson>();
  private readonly cacheSize: number;
  /** DOOMED peer-views that still hold routes. */
  private doomedPending = 0;
  private sweepCursor = 0;
  private sweeping: Promise<SweepReport> | undefined;
  /** Freezes being read (see rib-freeze.ts); writes to their unread slots preserve them first. */
  private readonly freezes: RibFreeze[] = [];
  /** The largest `bound` of {@link freezes} (0 when none): slots at or past it need no preserving. */
  private freezeBound = 0;

  constructor(options: RibOptions = {}) {
    this.keepMs = options.keepMs ?? 300_000;
    this.fallback = options.fallbackToOtherRouters ?? true;
    this.sliceMs = options.sliceMs ?? 5;
    this.now = options.now ?? Date.now;
    this.cacheSize = options.attributeCacheSize ?? 65536;
    this.decode = options.decodeAttributes ?? decodeRouteAttributes;
    this.createIndex = options.createIndex ?? (() => new PrefixTable({ shared: true }));
    this.tables.push(this.createIndex());
    this.tableNames.push(null);
  }

  // ───────────────────────────── write side ─────────────────────────────

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

  /** Number of tables (the global table and one per route distinguisher seen). */
  get tableCount(): number {
    return this.tables.length;
  }

  /**
   * Intern an attribute set by its canonical bytes; the caller owns one reference and gives
   * it back with {@link releaseAttributes} when done announcing with it.
   */
  internAttributes(bytes: Uint8Array, start: number, end: number, summary: AttributeSummary): number {
    return this.attributes.intern(bytes, start, end, summary);
  }

  /** Drop one reference to an attribute set (see {@link internAttributes}). */
  releaseAttributes(attr: number): void {
    if (this.attributes.release(attr)) this.cache.delete(attr);
  }

  /**
   * Announce (or re-announce) the route (`pv`, `table`, `prefix`, `pathId`) with attribute
   * set `attr` (the route takes its own reference). Replaces the route's previous attributes,
   * and its stale twin from the peer-view's previous session if there is one.
   */
  announce(pv: number, table: number, prefix: Prefix, pathId: number, attr: number): void {
    this.announceWords(pv, table, prefix.family, prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, pathId, attr);
  }

  /**
   * {@link announce} for a prefix in numeric words (host bits must be zero, as decoders
   * give them). The ingest hot path: allocates nothing once the arrays have grown.
   */
  announceWords(pv: number, table: number, family: Family, w0: number, w1: number, w2: number, w3: number, length: number, pathId: number, attr: number): void {
    const registry = this.registry;
    if (registry.pvState[pv] !== PV_ACTIVE) throw inactive(pv);
    const sets = this.sets;
    const index = this.tables[table]!;
    let s = index.getWords(family, w0, w1, w2, w3, length);
    if (s < 0) {
      s = sets.allocSlot(table, family === 6, length, w0, w1, w2, w3);
      if (s < this.freezeBound) this.preserve(s);
      index.setWords(family, w0, w1, w2, w3, length, s);
      sets.append(s, pv, pathId, attr);
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
        const old = sets.entries[twin + 2]!;
        sets.entries[twin] = pv;
        sets.entries[twin + 2] = attr;
        registry.pvCount[pv]!++;
        this.attributes.retain(attr);
        this.releaseAttributes(old);
        this.dropCount(previous);
        return;
      }
    }
    sets.append(s, pv, pathId, attr);
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
   * references itself (a restore counts them per set and takes them in one pass).
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
    for (let i = 0; i < count; i++) {
      const pv = routes[i * 3]!;
      const attr = routes[i * 3 + 2]!;
      sets.append(s, pv, routes[i * 3 + 1]!, attr);
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

  private slotPrefix(s: number): Prefix {
    const k = s * 4;
    const key = this.sets.key;
    const meta = this.sets.meta[s]!;
    return new Prefix(meta & 256 ? 6 : 4, key[k]!, key[k + 1]!, key[k + 2]!, key[k + 3]!, meta & 255);
  }

  // ───────────────────────────── life cycle ─────────────────────────────

  private doom(pv: number): void {
    const registry = this.registry;
    const state = registry.pvState[pv];
    if (state !== PV_ACTIVE && state !== PV_STALE) return;
    if (registry.pvCount[pv]! > 0) this.doomedPending++;
    registry.retire(pv, PV_DOOMED);
  }

  /**
   * Make an ACTIVE pv STALE. A STALE pv of the same key left from an earlier session (a
   * second flap before its sweep) is doomed first, so a key has at most one STALE pv.
   */
  private makeStale(pv: number): void {
    const registry = this.registry;
    if (registry.pvState[pv] !== PV_ACTIVE) return;
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
    const previous = this.registry.pvPrevious[pv]!;
    if (previous !== 0) this.doom(previous);
  }

  /**
   * Apply the keep-time policy at time `now`: routers whose keep time ended lose their stale
   * routes. Call it periodically (the collector does, every few seconds).
   */
  tick(now: number = this.now()): void {
    for (const r of this.registry.routers()) if (r.flushAt !== undefined && r.flushAt <= now) this.flushStaleOf(r);
  }

  /** Whether flushed routes are waiting to be swept. */
  get sweepPending(): boolean {
    return this.doomedPending > 0;
  }

  /**
   * Sweep up to about `maxEntries` route entries (synchronously), removing routes of
   * flushed peer-views. Returns whether work remains. The core step of {@link sweep}.
   */
  sweepStep(maxEntries = 65536): boolean {
    if (this.doomedPending === 0) return false;
    const sets = this.sets;
    const state = this.registry.pvState;
    const bound = sets.slotBound;
    let work = 0;
    let s = this.sweepCursor;
    while (work < maxEntries && this.doomedPending > 0) {
      if (s >= bound) s = 0;
      if (sets.isLive(s)) {
        let n = sets.count[s]!;
        work += n + 1;
        for (let i = n - 1; i >= 0; i--) {
          const at = sets.offset[s]! + i * ENTRY_WORDS;
          if (state[sets.entries[at]! & PV_MASK] === PV_DOOMED) {
            if (s < this.freezeBound) this.preserve(s);
            n = this.removeEntry(s, at);
            if (n === 0) {
              this.dropSlot(s);
              break;
            }
          }
        }
      } else {
        work++;
      }
      s++;
    }
    this.sweepCursor = s;
    return this.doomedPending > 0;
  }

  /**
   * Sweep until no flushed route is left, in slices of at most about `sliceMs` of work,
   * yielding to the event loop between slices. Concurrent calls share one sweep. Resolves
   * with what the sweep cost.
   */
  sweep(): Promise<SweepReport> {
    if (this.sweeping !== undefined) return this.sweeping;
    const run = async (): Promise<SweepReport> => {
      const report: SweepReport = { slices: 0, workMs: 0, longestSliceMs: 0, cpuMs: 0, longestSliceCpuMs: 0 };
      try {
        while (this.doomedPending > 0) {
          const cpu = process.cpuUsage();
          const start = performance.now();
          // Steps of 1024 entries: a step that removes routes costs up to ~1 µs per entry (a
          // refcount and a trie delete each, random accesses), so the clock is read often
          // enough that a slice overshoots sliceMs by about a millisecond at most.
          while (this.sweepStep(SWEEP_STEP_ENTRIES) && performance.now() - start < this.sliceMs);
          const elapsed = performance.now() - start;
          const used = process.cpuUsage(cpu);
          const cpuMs = (used.user + used.system) / 1000;
          report.slices++;
          report.workMs += elapsed;
          report.cpuMs += cpuMs;
          if (elapsed > report.longestSliceMs) report.longestSliceMs = elapsed;
          if (cpuMs > report.longestSliceCpuMs) report.longestSliceCpuMs = cpuMs;
          if (this.doomedPending > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        this.sweeping = undefined;
      }
      return report;
    };
    this.sweeping = run();
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

  // ───────────────────────────── queries ─────────────────────────────

  /** Per peer-view: 1 when its routes pass `filter` and are visible (ACTIVE or STALE). */
  private visibility(filter: RouteFilter, withRouter: boolean): Uint8Array {
    const registry = this.registry;
    const bound = registry.pvBound;
    const mask = new Uint8Array(bound);
    const router = withRouter && filter.router !== undefined ? registry.findRouter(filter.router) : undefined;
    if (withRouter && filter.router !== undefined && router === undefined) return mask;
    const view = filter.view === undefined ? -1 : viewRank(filter.view);
    for (let pv = 1; pv < bound; pv++) {
      const st = registry.pvState[pv];
      if (st !== PV_ACTIVE && st !== PV_STALE) continue;
      if (view >= 0 && registry.pvView[pv] !== view) continue;
      if (filter.afiSafi !== undefined && afiSafiName(registry.pvAfi[pv]!, registry.pvSafi[pv]!) !== filter.afiSafi) continue;
      const peer = registry.peerById(registry.pvPeer[pv]!);
      if (router !== undefined && peer.router !== router.id) continue;
      if (filter.peer !== undefined && peer.address !== filter.peer) continue;
      mask[pv] = 1;
    }
    return mask;
  }

  private findTable(rd: string | undefined): number | undefined {
    if (rd === undefined || rd === '') return 0;
    return this.tableByName.get(rd);
  }

  /** Whether slot `s` has a route visible under `mask`. */
  private hasVisible(s: number, mask: Uint8Array): boolean {
    const sets = this.sets;
    const e = sets.entries;
    const base = sets.offset[s]!;
    const end = base + sets.count[s]! * ENTRY_WORDS;
    for (let at = base; at < end; at += ENTRY_WORDS) if (mask[e[at]! & PV_MASK] === 1) return true;
    return false;
  }

  /** Entry offsets of slot `s` visible under `mask`, best first. */
  private orderedEntries(s: number, mask: Uint8Array): number[] {
    const sets = this.sets;
    const e = sets.entries;
    const base = sets.offset[s]!;
    const end = base + sets.count[s]! * ENTRY_WORDS;
    const out: number[] = [];
    for (let at = base; at < end; at += ENTRY_WORDS) if (mask[e[at]! & PV_MASK] === 1) out.push(at);
    const registry = this.registry;
    const pool = this.attributes;
    out.sort((a, b) => compareRoutes(registry, pool, e[a]! & PV_MASK, e[a + 2]!, e[a + 1]!, e[b]! & PV_MASK, e[b + 2]!, e[b + 1]!));
    return out;
  }

  /** The decoded (query) form of an attribute set, cached. Treat it as read-only. */
  attributesJson(attr: number): AttributesJson {
    let json = this.cache.get(attr);
    if (json === undefined) {
      if (!this.attributes.has(attr)) throw new RibstoreError('INVALID_ARGUMENT', `no attribute set ${attr}`);
      json = this.decode(this.attributes.bytes(attr));
      if (this.cache.size >= this.cacheSize) this.cache.clear();
      this.cache.set(attr, json);
    }
    return json;
  }

  private peerJson(peer: PeerRecord): PeerJson {
    return {
      address: peer.address,
      asn: peer.asn,
      bgpId: formatIPv4(peer.bgpId),
      type: peerTypeName(peer.type),
      distinguisher: peer.distinguisher,
    };
  }

  /** Route JSON of entry `at`; `best` is the entry of the prefix's best route, to say where this one lost to it. */
  private routeJson(at: number, table: number, best: number): RouteJson {
    const e = this.sets.entries;
    const pv = e[at]! & PV_MASK;
    const registry = this.registry;
    const peer = registry.peerById(registry.pvPeer[pv]!);
    return {
      router: registry.routerById(peer.router).name,
      peer: this.peerJson(peer),
      view: VIEWS[registry.pvView[pv]!]!,
      afiSafi: afiSafiName(registry.pvAfi[pv]!, registry.pvSafi[pv]!),
      rd: this.tableNames[table]!,
      pathId: e[at + 1]!,
      stale: registry.pvState[pv] === PV_STALE,
      restored: registry.pvRestored[pv] === 1,
      lostAt: lostAt(registry, this.attributes, e[best]! & PV_MASK, e[best + 2]!, e[best + 1]!, pv, e[at + 2]!, e[at + 1]!),
      ...this.attributesJson(e[at + 2]!),
    };
  }

  private prefixRoutes(s: number, mask: Uint8Array): PrefixRoutesJson {
    const table = this.sets.meta[s]! >>> 9;
    const ordered = this.orderedEntries(s, mask);
    return {
      prefix: this.slotPrefix(s).toString(),
      rd: this.tableNames[table]!,
      routes: ordered.map((at) => this.routeJson(at, table, ordered[0]!)),
    };
  }

  /** Slot of the longest prefix containing `address` with a route visible under `mask`, or -1. */
  private longestVisible(index: PrefixIndex, address: Address, mask: Uint8Array): number {
    const s = address.family === 4 ? index.lookupV4(address.w0) : index.lookupV6(address.w0, address.w1, address.w2, address.w3);
    if (s < 0) return -1;
    if (this.hasVisible(s, mask)) return s;
    const host = new Prefix(address.family, address.w0, address.w1, address.w2, address.w3, address.family === 4 ? 32 : 128);
    const covering = [...index.supernets(host)];
    for (let i = covering.length - 1; i >= 0; i--) {
      const c = covering[i]![1];
      if (this.hasVisible(c, mask)) return c;
    }
    return -1;
  }

  /**
   * The longest prefix containing `address` that has routes passing `filter`, with those
   * routes best first (see route-order.ts). With `filter.router` set and no route from that
   * router, routes of every router are shown instead (`fallback: true`) unless the RIB was
   * built with `fallbackToOtherRouters: false`. Undefined when nothing matches.
   */
  lookup(address: string | Address, filter: RouteFilter = {}): LookupJson | undefined {
    const a = typeof address === 'string' ? parseAddress(address) : address;
    const t = this.findTable(filter.rd);
    if (t === undefined) return undefined;
    const index = this.tables[t]!;
    let mask = this.visibility(filter, true);
    let s = this.longestVisible(index, a, mask);
    let fallback = false;
    if (s < 0 && filter.router !== undefined && this.fallback) {
      mask = this.visibility(filter, false);
      s = this.longestVisible(index, a, mask);
      fallback = true;
    }
    if (s < 0) return undefined;
    return { ...this.prefixRoutes(s, mask), fallback };
  }

  /**
   * Numeric fast path: the best visible route (any router, peer, view) of the longest
   * prefix containing IPv4 address `address` (uint32) in the global table. Returns the
   * route's entry handle (for {@link entryAttributes} etc.), or -1. The handle is valid until
   * the next write. Allocates nothing.
   */
  bestRouteV4(address: number): number {
    const s = this.tables[0]!.lookupV4(address);
    if (s < 0) return -1;
    const best = this.bestIn(s);
    if (best >= 0) return best;
    const all = this.visibility({}, false);
    const c = this.longestVisible(this.tables[0]!, parseAddress(formatIPv4(address)), all);
    return c < 0 ? -1 : this.orderedEntries(c, all)[0]!;
  }

  /** Best ACTIVE-or-STALE entry of slot `s`, or -1. */
  private bestIn(s: number): number {
    const sets = this.sets;
    const e = sets.entries;
    const state = this.registry.pvState;
    const base = sets.offset[s]!;
    const end = base + sets.count[s]! * ENTRY_WORDS;
    let best = -1;
    for (let at = base; at < end; at += ENTRY_WORDS) {
      const pv = e[at]! & PV_MASK;
      const st = state[pv];
      if (st !== PV_ACTIVE && st !== PV_STALE) continue;
      if (
        best < 0 ||
        compareRoutes(this.registry, this.attributes, pv, e[at + 2]!, e[at + 1]!, e[best]! & PV_MASK, e[best + 2]!, e[best + 1]!) < 0
      ) {
        best = at;
      }
    }
    return best;
  }

  /** Attribute set id of a route handle (see {@link bestRouteV4}). */
  entryAttributes(handle: number): number {
    return this.sets.entries[handle + 2]!;
  }
  /** Peer-view id of a route handle. */
  entryPeerView(handle: number): number {
    return this.sets.entries[handle]! & PV_MASK;
  }
  /** ADD-PATH path id of a route handle. */
  entryPathId(handle: number): number {
    return this.sets.entries[handle + 1]!;
  }

  /** The routes of exactly `prefix` passing `filter`, best first; undefined if none. */
  routes(prefix: PrefixInput, filter: RouteFilter = {}): PrefixRoutesJson | undefined {
    const p = toPrefix(prefix);
    const t = this.findTable(filter.rd);
    if (t === undefined) return undefined;
    const s = this.tables[t]!.getWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length);
    if (s < 0) return undefined;
    const mask = this.visibility(filter, true);
    if (!this.hasVisible(s, mask)) return undefined;
    return this.prefixRoutes(s, mask);
  }

  /**
   * Prefixes strictly inside `prefix` that have routes passing `filter`, in sorted order
   * (IPv4 before IPv6, by address, shorter first), each with its routes best first. Lazy:
   * pull as many as you need (the API pages or streams them).
   */
  *moreSpecifics(prefix: PrefixInput, filter: RouteFilter = {}): IterableIterator<PrefixRoutesJson> {
    yield* this.related(toPrefix(prefix), filter, false);
  }

  /** Prefixes strictly covering `prefix` that have routes passing `filter`, shortest first. */
  *lessSpecifics(prefix: PrefixInput, filter: RouteFilter = {}): IterableIterator<PrefixRoutesJson> {
    yield* this.related(toPrefix(prefix), filter, true);
  }

  private *related(p: Prefix, filter: RouteFilter, covering: boolean): IterableIterator<PrefixRoutesJson> {
    const t = this.findTable(filter.rd);
    if (t === undefined) return;
    const index = this.tables[t]!;
    const mask = this.visibility(filter, true);
    const slots: number[] = [];
    for (const [, s] of covering ? index.supernets(p) : index.subnets(p)) slots.push(s);
    for (const s of slots) {
      // The slot may have been freed or reused between yields: check it still holds a
      // prefix of this table other than `p` itself.
      if (!this.sets.isLive(s) || this.sets.meta[s]! >>> 9 !== t) continue;
      const q = this.slotPrefix(s);
      if (q.length === p.length && q.family === p.family) continue;
      if (covering ? !q.contains(p) : !p.contains(q)) continue;
      if (!this.hasVisible(s, mask)) continue;
      yield this.prefixRoutes(s, mask);
    }
  }

  /**
   * Prefixes (every table) with a visible route passing `filter` whose AS path ends in
   * `asn`, sorted (global table first, then by RD; IPv4 before IPv6, by address, shorter first).
   * Scans every route: O(routes).
   */
  originatedBy(asn: number, filter: RouteFilter = {}): OriginPrefixJson[] {
    const pool = this.attributes;
    const bound = pool.idBound;
    const match = new Uint8Array(bound);
    for (let id = 1; id < bound; id++) if (pool.refCount(id) > 0 && pool.originAs(id) === asn >>> 0) match[id] = 1;
    const mask = this.visibility(filter, true);
    const sets = this.sets;
    const e = sets.entries;
    const found: { s: number; n: number }[] = [];
    for (let s = 0; s < sets.slotBound; s++) {
      if (!sets.isLive(s)) continue;
      const base = sets.offset[s]!;
      const end = base + sets.count[s]! * ENTRY_WORDS;
      let n = 0;
      for (let at = base; at < end; at += ENTRY_WORDS) if (match[e[at + 2]!] === 1 && mask[e[at]! & PV_MASK] === 1) n++;
      if (n > 0) found.push({ s, n });
    }
    const out = found.map(({ s, n }) => ({ t: sets.meta[s]! >>> 9, p: this.slotPrefix(s), n }));
    out.sort((a, b) => a.t - b.t || comparePrefixes(a.p, b.p));
    return out.map(({ t, p, n }) => ({ prefix: p.toString(), rd: this.tableNames[t]!, routes: n }));
  }

  /** Every router with its state, peer count and route count. */
  routers(): RouterStatusJson[] {
    const registry = this.registry;
    return registry.routers().map((r) => {
      let routes = 0;
      for (const pid of r.peers) for (const pv of registry.peerById(pid).views) if (registry.pvState[pv] !== PV_DOOMED) routes += registry.pvCount[pv]!;
      return {
        name: r.name,
        state: r.state,
        downSince: r.downSince === undefined ? null : new Date(r.downSince).toISOString(),
        flushAt: r.flushAt === undefined ? null : new Date(r.flushAt).toISOString(),
        peers: r.peers.length,
        routes,
      };
    });
  }

  /** The peers of a router with state and route counts per view; undefined for an unknown router. */
  peers(router: string): PeerStatusJson[] | undefined {
    const registry = this.registry;
    const r: RouterRecord | undefined = registry.findRouter(router);
    if (r === undefined) return undefined;
    return r.peers.map((pid) => {
      const peer = registry.peerById(pid);
      const routes = Object.fromEntries(VIEWS.map((v) => [v, 0])) as Record<View, number>;
      const byFamily: Record<string, number> = {};
      let stale = 0;
      for (const pv of peer.views) {
        const st = registry.pvState[pv];
        if (st !== PV_ACTIVE && st !== PV_STALE) continue;
        const n = registry.pvCount[pv]!;
        routes[VIEWS[registry.pvView[pv]!]!] += n;
        const fam = afiSafiName(registry.pvAfi[pv]!, registry.pvSafi[pv]!);
        byFamily[fam] = (byFamily[fam] ?? 0) + n;
        if (st === PV_STALE) stale += n;
      }
      return { ...this.peerJson(peer), state: peer.state, routes, staleRoutes: stale, routesByAfiSafi: byFamily };
    });
  }

  /** Summary statistics. */
  stats(): RibStatsJson {
    const registry = this.registry;
    let pending = 0;
    for (let pv = 1; pv < registry.pvBound; pv++) if (registry.pvState[pv] === PV_DOOMED) pending += registry.pvCount[pv]!;
    let peers = 0;
    for (const r of registry.routers()) peers += r.peers.length;
    return {
      routers: registry.routers().length,
      peers,
      peerViews: registry.pvLive,
      routes: this.sets.routes - pending,
      prefixes: this.sets.slots,
      attributeSets: this.attributes.size,
      pendingFlush: pending,
      memory: {
        routeBytes: this.sets.byteLength,
        attributeBytes: this.attributes.byteLength,
        tableBytes: this.tables.reduce((sum, t) => sum + (t.stats?.().bytes ?? 0), 0),
      },
    };
  }
}

/** Route entries one {@link Rib.sweepStep} of the async sweep visits. */
const SWEEP_STEP_ENTRIES = 1024;

function inactive(pv: number): RibstoreError {
  return new RibstoreError('INVALID_ARGUMENT', `peer-view ${pv} is not active (flushed or stale): resolve it again with peerView()`);
}
