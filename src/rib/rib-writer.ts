/**
 * RibWriter: the write side of the RIB - routes announced, withdrawn and bulk-loaded, their
 * ages stamped, attribute references taken and given back, emptied slots dropped, and freezes
 * (consistent views for snapshots and exports) kept intact while writes go on. The session
 * life cycle (peer and router up/down, stale routes, keep time, sweeps) builds on it in rib.ts
 * ({@link Rib}); the queries live on the query side, rib-reader.ts ({@link RibReader}).
 */
import { RibstoreError } from '../errors.js';
import type { Family } from '../ip/address.js';
import { Prefix } from '../ip/prefix.js';
import { PrefixTable } from '../table/prefix-table.js';
import { AttributePool, type AttributePoolOptions, type AttributeSummary } from './attribute-pool.js';
import { PV_ACTIVE, PV_DOOMED, type PeerKey, PeerRegistry, type View, viewRank } from './peer-registry.js';
import type { PrefixIndex } from './prefix-index.js';
import { CHANGED_WORD, PV_MASK, RouteSets } from './route-sets.js';
import { PeerRoutes } from './peer-routes.js';
import { type FreezeSource, RibFreeze } from './rib-freeze.js';
import { RibReader, type RibParts, type RibReaderOptions } from './rib-reader.js';
import type { SharedRibDescriptor } from './shared-rib-descriptor.js';
import { NameLog } from './shared-names.js';
import { RibVersions, TABLES } from './shared-versions.js';
import { SortedLoad } from './sorted-load.js';
import { ReaderLinks, shareIndex } from './reader-links.js';

/** Options of {@link RibWriter}: the query side's ({@link RibReaderOptions}) and the clock. */
export interface RibWriterOptions extends RibReaderOptions {
  /**
   * Clock (ms since epoch). Default `Date.now`. Keep times run on it, and routes are stamped
   * with it (`receivedAt` / `changedAt`, whole seconds): inject one to make ages deterministic.
   */
  now?: () => number;
  /** Sizes and compaction pacing of the attribute pool (attribute-pool.ts). Default: its defaults. */
  attributePool?: AttributePoolOptions;
  /**
   * Make an empty prefix index (one per table). Default: table/'s `PrefixTable` over shared
   * memory (what {@link RibWriter.share} needs for worker readers).
   */
  createIndex?: () => PrefixIndex;
}

/** The structures of a new RIB, wired to one set of shared version words. */
function newParts(createIndex: () => PrefixIndex, pool: AttributePoolOptions = {}): RibParts<PrefixIndex> {
  const versions = new RibVersions();
  const names = new NameLog(versions);
  return {
    versions,
    names,
    registry: new PeerRegistry(versions, names),
    attributes: new AttributePool(pool, versions),
    sets: new RouteSets(versions),
    globalTable: createIndex(),
  };
}

/** What identifies a peer-view for {@link RibWriter.peerView}. */
export interface PeerViewKey {
  /** Router name (its BMP session source address, usually). */
  router: string;
  peer: PeerKey;
  view: View;
  afi: number;
  safi: number;
}

/**
 * Told of RIB changes while someone watches prefixes (api/prefix-watch.ts). Set with
 * {@link RibWriter.setWatcher} only while there are watchers: with none, a write pays one field test.
 */
export interface RibWatcher {
  /** A route of this prefix (in any table) was announced (perhaps unchanged) or withdrawn; words as uint32. */
  prefixChanged(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): void;
  /** Whole peer-views changed state (peer up/down, router down/up, flush, sweep): any prefix may have changed. */
  anyChanged(): void;
}

export class RibWriter extends RibReader<PrefixIndex> {
  /** See {@link RibWatcher}; undefined while nobody watches. */
  protected watcher: RibWatcher | undefined;
  protected readonly now: () => number;
  /** DOOMED peer-views that still hold routes (the life cycle dooms them, removals count them down). */
  protected doomedPending = 0;
  /** Per peer-view, the slots it has routes in: what a sweep visits (peer-routes.ts). */
  readonly peerRoutes = new PeerRoutes(this.sets, this.registry);
  /** Freezes being read (see rib-freeze.ts); writes to their unread slots preserve them first. */
  private readonly freezes: RibFreeze[] = [];
  /** The largest `bound` of {@link freezes} (0 when none): slots at or past it need no preserving. */
  protected freezeBound = 0;

  protected readonly createIndex: () => PrefixIndex;
  /** The worker readers this RIB was shared with: told of each new table. */
  private readonly readers = new ReaderLinks();
  /** The sorted load running ({@link beginSortedLoad}), if any. */
  private sortedLoad: SortedLoad | undefined;

  constructor(options: RibWriterOptions = {}) {
    const createIndex = options.createIndex ?? (() => new PrefixTable({ shared: true }));
    super(options, newParts(createIndex, options.attributePool));
    this.createIndex = createIndex;
    this.versions.publish(TABLES, 1);
    this.now = options.now ?? Date.now;
    this.registry.onRelease = (pv) => this.peerRoutes.clear(pv);
  }

  /**
   * Share this RIB with a reader in a worker thread: post the descriptor there with its port
   * in the transfer list (`worker.postMessage(d, [d.port])`) and open it with
   * `SharedRibReader.open`. The reader then answers queries from shared memory while this
   * thread writes, without locks (DESIGN-threads.md). One descriptor per reader.
   * @throws RibstoreError `INVALID_ARGUMENT` unless the RIB uses the default shared PrefixTable index.
   */
  share(): SharedRibDescriptor {
    const tables = this.tables.map(shareIndex);
    return {
      control: this.versions.buffer,
      names: this.names.shared,
      registry: this.registry.share(),
      attributes: this.attributes.share(),
      sets: this.sets.share(),
      tables,
      port: this.readers.open(),
    };
  }

  /** Start (or, with undefined, stop) telling `watcher` of changes. */
  setWatcher(watcher: RibWatcher | undefined): void {
    this.watcher = watcher;
  }

  /**
   * The time routes are stamped with (receivedAt / changedAt), in seconds since the epoch,
   * instead of the clock while it is >= 0: a replay of recorded updates (MRT BGP4MP records,
   * mrt-loader.ts) sets it to each record's time and back to -1 (the clock) after.
   */
  replayTime = -1;

  /** Open {@link holdClock} calls (nested holds count). */
  private clockHolds = 0;
  /** While held: the second read at the first stamp of the hold, -1 before it. */
  private heldSeconds = -1;

  /**
   * Read the clock at most once until the matching {@link releaseClock}: the routes written
   * meanwhile are stamped with the second of the first stamp (the ingest hot path: a clock read
   * per new route cost 2-4 % of a full table's ingest). Holds are for short synchronous
   * batches, such as one processing slice of the BMP collector; release in a `finally`.
   */
  holdClock(): void {
    this.clockHolds++;
  }

  /** End a {@link holdClock}: the clock is read again for the next stamp once no hold is open. */
  releaseClock(): void {
    if (this.clockHolds > 0 && --this.clockHolds === 0) this.heldSeconds = -1;
  }

  /** The time to stamp routes with: {@link replayTime}, else the clock in whole seconds (uint32; read once per {@link holdClock}). */
  private seconds(): number {
    if (this.replayTime >= 0) return this.replayTime;
    if (this.clockHolds === 0) return routeSeconds(this.now());
    if (this.heldSeconds < 0) this.heldSeconds = routeSeconds(this.now());
    return this.heldSeconds;
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
      const index = this.createIndex();
      this.versions.beginStructure();
      // Readers get the new table's buffers by message before they can see it counted.
      this.readers.tableAdded(t, index);
      this.tables.push(index);
      this.tableNames.push(rd);
      this.tableByName.set(rd, t);
      this.names.append({ kind: 'table', id: t, name: rd });
      this.versions.publish(TABLES, this.tables.length);
      this.versions.endStructure();
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
   *
   * The words may be given as uint32 or as int32 (`w | 0`, the same bits): the RIB reads
   * only their bits. Hot callers should pass int32: V8 passes a number to a call it does
   * not inline as a tagged value, and a uint32 of 2^31 or more (every IPv4 address from
   * 128.0.0.0) does not fit one, so each such call boxes it in a new heap number - measured
   * 5.7 bytes of garbage per identical re-announcement on a table of such prefixes, none
   * with `| 0`.
   */
  announceWords(pv: number, table: number, family: Family, w0: number, w1: number, w2: number, w3: number, length: number, pathId: number, attr: number, seenAt = -1): void {
    const registry = this.registry;
    if (registry.pvState[pv] !== PV_ACTIVE) throw inactive(pv);
    if (this.watcher !== undefined) this.watcher.prefixChanged(family, w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0, length);
    const sets = this.sets;
    const index = this.tables[table]!;
    let s = index.getWords(family, w0, w1, w2, w3, length);
    if (s < 0) {
      this.versions.beginStructure();
      try {
        s = sets.allocSlot(table, family === 6, length, w0, w1, w2, w3);
        if (s < this.freezeBound) this.preserve(s);
        index.setWords(family, w0, w1, w2, w3, length, s);
        const t = seenAt >= 0 ? seenAt : this.seconds();
        sets.append(s, pv, pathId, attr, t, t);
      } finally {
        this.versions.endStructure();
      }
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
        sets.beginWrite(s);
        sets.entries[at + 2] = attr;
        sets.entries[at + CHANGED_WORD] = seenAt >= 0 ? seenAt : this.seconds();
        this.rank.settle(s, at);
        this.attributes.retain(attr);
        this.releaseAttributes(old);
        sets.endWrite(s);
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
        sets.beginWrite(s);
        sets.entries[twin] = pv;
        sets.entries[twin + 2] = attr;
        if (old !== attr) sets.entries[twin + CHANGED_WORD] = seenAt >= 0 ? seenAt : this.seconds();
        this.rank.settle(s, twin);
        this.peerRoutes.add(pv, s);
        registry.pvCount[pv]!++;
        this.attributes.retain(attr);
        this.releaseAttributes(old);
        this.dropCount(previous);
        sets.endWrite(s);
        return;
      }
    }
    const t = seenAt >= 0 ? seenAt : this.seconds();
    sets.beginWrite(s);
    this.rank.settle(s, sets.append(s, pv, pathId, attr, t, t));
    sets.endWrite(s);
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

  /** {@link withdraw} for a prefix in numeric words (uint32 or int32, as {@link announceWords}). Allocates nothing. */
  withdrawWords(pv: number, table: number, family: Family, w0: number, w1: number, w2: number, w3: number, length: number, pathId: number): boolean {
    const registry = this.registry;
    if (registry.pvState[pv] !== PV_ACTIVE) throw inactive(pv);
    const s = this.tables[table]!.getWords(family, w0, w1, w2, w3, length);
    if (s < 0) return false;
    if (this.watcher !== undefined) this.watcher.prefixChanged(family, w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0, length);
    if (s < this.freezeBound) this.preserve(s);
    let removed = false;
    const sets = this.sets;
    sets.beginWrite(s);
    let at = sets.find(s, pv, pathId);
    if (at >= 0) {
      removed = true;
      if (this.removeEntry(s, at) === 0) {
        this.dropSlot(s);
        sets.endWrite(s);
        return true;
      }
    }
    const previous = registry.pvPrevious[pv]!;
    if (previous !== 0) {
      at = sets.find(s, previous, pathId);
      if (at >= 0) {
        removed = true;
        if (this.removeEntry(s, at) === 0) this.dropSlot(s);
      }
    }
    sets.endWrite(s);
    return removed;
  }

  /**
   * Bulk load (snapshot restore, MRT RIB records): add a prefix that table `table` does not
   * hold yet with `count` routes, the (peer-view, path id, attribute id) triples `routes[0 .. 3*count)` in
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
    if (this.watcher !== undefined) this.watcher.prefixChanged(family, w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0, length);
    const sets = this.sets;
    this.versions.beginStructure();
    const s = sets.allocSlot(table, family === 6, length, w0, w1, w2, w3, count);
    if (s < this.freezeBound) this.preserve(s);
    const previous = this.sortedLoad !== undefined ? this.sortedLoad.exchange(table, family, w0, w1, w2, w3, length, s) : index.exchangeWords(family, w0, w1, w2, w3, length, s);
    if (previous >= 0) {
      if (this.sortedLoad === undefined) index.setWords(family, w0, w1, w2, w3, length, previous);
      sets.freeSlot(s);
      this.versions.endStructure();
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
    this.versions.endStructure();
  }

  /**
   * Start a sorted load (sorted-load.ts): until {@link endSortedLoad}, {@link loadPrefix} collects
   * the prefixes of each table that is empty now and `endSortedLoad` builds each such table in
   * one pass. For a restore; prefixes out of order are radix-sorted at the end, and a prefix
   * repeated out of order makes `endSortedLoad` throw ("is loaded twice"). Lookups see the collected prefixes only after
   * `endSortedLoad`: use it on a RIB nobody reads yet.
   */
  beginSortedLoad(): void {
    this.sortedLoad = new SortedLoad(this.tables);
  }

  /** Finish a sorted load ({@link beginSortedLoad}): bulk-build each table from what it collected. */
  endSortedLoad(): void {
    const load = this.sortedLoad;
    this.sortedLoad = undefined;
    if (load === undefined) return;
    this.versions.beginStructure();
    try {
      load.finish();
    } finally {
      this.versions.endStructure();
    }
  }

  /** Remove the entry at word `at` of slot `s`; returns the slot's remaining count. */
  protected removeEntry(s: number, at: number): number {
    const e = this.sets.entries;
    const pv = e[at]! & PV_MASK;
    const attr = e[at + 2]!;
    const left = this.sets.removeAt(s, at);
    this.releaseAttributes(attr);
    this.dropCount(pv);
    return left;
  }

  protected dropCount(pv: number): void {
    const registry = this.registry;
    if (--registry.pvCount[pv]! !== 0) return;
    const state = registry.pvState[pv];
    if (state === PV_ACTIVE) return;
    if (state === PV_DOOMED) this.doomedPending--;
    registry.release(pv);
  }

  /** Remove an emptied slot's prefix from its table and free the slot. */
  protected dropSlot(s: number): void {
    const sets = this.sets;
    const meta = sets.meta[s]!;
    const k = s * 4;
    const key = sets.key;
    this.versions.beginStructure();
    try {
      this.tables[meta >>> 9]!.deleteWords(meta & 256 ? 6 : 4, key[k]!, key[k + 1]!, key[k + 2]!, key[k + 3]!, meta & 255);
      sets.freeSlot(s);
    } finally {
      this.versions.endStructure();
    }
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

  protected preserve(s: number): void {
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
