/**
 * RibReader: the query side of the routing information base (see rib.ts for the structure
 * and the write side, {@link Rib}, which extends this class). Everything here reads the
 * shared structures (tables, route sets, peer registry, attribute pool) and shapes the
 * answers of the HTTP API; nothing here changes a route. The status queries (routers, peers,
 * stats) are rib-status.ts's; the methods here hand them the structures.
 *
 * Queries run between writes (JavaScript gives them a consistent view: no write runs while a
 * query runs). Iterating answers (`moreSpecifics`, `lessSpecifics`) read each prefix's routes
 * when they reach it and skip a prefix whose slot was freed or reused meanwhile.
 *
 * The same queries run in worker threads over shared memory (shared-rib-reader.ts): there a
 * query is an attempt that {@link RibReader.touch} tells of every slot before it is read, and
 * that is validated after (DESIGN-threads.md).
 */
import { RibstoreError } from '../errors.js';
import { type Address, formatIPv4, parseAddress } from '../ip/address.js';
import { Prefix, type PrefixInput, comparePrefixes, toPrefix } from '../ip/prefix.js';
import { AttributePool } from './attribute-pool.js';
import type { PrefixIndexReader } from './prefix-index.js';
import { PV_ACTIVE, PV_STALE, PeerRegistry, VIEWS, type View, afiSafiName, viewRank } from './peer-registry.js';
import { CHANGED_WORD, ENTRY_WORDS, PV_MASK, RECEIVED_WORD, RouteSets } from './route-sets.js';
import { compareRoutes } from './route-order.js';
import { RouteRank } from './route-rank.js';
import { lostAt } from './route-decision.js';
import {
  type AttributesJson,
  type LookupJson,
  type PeerStatusJson,
  type PrefixRoutesJson,
  type RibStatsJson,
  type RouteJson,
  type RouterStatusJson,
} from './route-json.js';
import { peerJson, peerStatus, ribStats, routerStatus } from './rib-status.js';
import { decodeRouteAttributes } from './attribute-codec.js';
import type { NameLog } from './shared-names.js';
import type { RibVersions } from './shared-versions.js';

/** Options of {@link RibReader} (the query side's part of {@link RibOptions}). */
export interface RibReaderOptions {
  /** Whether `lookup` with a `router` falls back to other routers when that router has no route. Default true. */
  fallbackToOtherRouters?: boolean;
  /** Decoded attribute sets kept for queries. Default 65 536. */
  attributeCacheSize?: number;
  /**
   * Decode an interned attribute set (its canonical bytes) into its query form. Default:
   * {@link decodeRouteAttributes} (wire/bgp's encoding, see attribute-codec.ts); tests that
   * intern other byte forms pass their own.
   */
  decodeAttributes?: (bytes: Uint8Array) => AttributesJson;
}

/** The structures a {@link RibReader} reads: the writer's own, or a worker's mappings of them. */
export interface RibParts<I extends PrefixIndexReader> {
  versions: RibVersions;
  names: NameLog;
  registry: PeerRegistry;
  attributes: AttributePool;
  sets: RouteSets;
  /** The global table's index (table 0). */
  globalTable: I;
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
  /**
   * How {@link RibReader.lookup} treats stale routes (kept from a router's previous session)
   * when it chooses the longest prefix: `'prefer-live'` (default) chooses the longest prefix
   * with a current route and answers a stale-only prefix only where no current route covers
   * the address; `'include'` counts stale routes like current ones. Other queries show stale
   * routes (flagged `stale`) either way.
   */
  stale?: 'prefer-live' | 'include';
}

/** A prefix originated by an AS, for {@link Rib.originatedBy}. */
export interface OriginPrefixJson {
  prefix: string;
  rd: string | null;
  /** Routes of the prefix whose AS path ends in the AS. */
  routes: number;
}

/**
 * The query side of the RIB: the structures every route lives in, and the queries over them.
 * Not constructed on its own: {@link Rib} (the writer) extends it.
 */
export class RibReader<I extends PrefixIndexReader = PrefixIndexReader> {
  /** The words worker readers validate against (shared-versions.ts). */
  readonly versions: RibVersions;
  /** Names of routers, peers and tables for worker readers (shared-names.ts). */
  protected readonly names: NameLog;
  /** Routers, peers and peer-view ids. */
  readonly registry: PeerRegistry;
  /** Interned attribute sets. */
  readonly attributes: AttributePool;
  /** Per-prefix route vectors. */
  readonly sets: RouteSets;
  /** Keeps each prefix's routes best first and reads the best one. */
  protected readonly rank: RouteRank;
  /** Prefix index per table: 0 the global table, then one per route distinguisher. */
  protected readonly tables: I[] = [];
  /** Route distinguisher text per table (null for the global table). */
  protected readonly tableNames: (string | null)[] = [];
  /** Table index by route distinguisher text. */
  protected readonly tableByName = new Map<string, number>();
  /** Decoded attribute sets by id (the writer drops an id's entry when the set is freed). */
  protected readonly cache = new Map<number, AttributesJson>();
  private readonly fallback: boolean;
  protected readonly decode: (bytes: Uint8Array) => AttributesJson;
  protected readonly cacheSize: number;

  protected constructor(options: RibReaderOptions, parts: RibParts<I>) {
    this.fallback = options.fallbackToOtherRouters ?? true;
    this.cacheSize = options.attributeCacheSize ?? 65536;
    this.decode = options.decodeAttributes ?? decodeRouteAttributes;
    this.versions = parts.versions;
    this.names = parts.names;
    this.registry = parts.registry;
    this.attributes = parts.attributes;
    this.sets = parts.sets;
    this.rank = new RouteRank(this.sets, this.registry, this.attributes);
    this.tables.push(parts.globalTable);
    this.tableNames.push(null);
  }

  /**
   * Called before a query first reads slot `s` (its entries, count, offset, key or meta).
   * Nothing to do in the writer's thread; a worker reader records the slot's version here
   * (shared-rib-reader.ts).
   */
  protected touch(_s: number): void {}

  /** Number of tables (the global table and one per route distinguisher seen). */
  get tableCount(): number {
    return this.tables.length;
  }

  /** The prefix slot `s` holds. */
  protected slotPrefix(s: number): Prefix {
    this.touch(s);
    const k = s * 4;
    const key = this.sets.key;
    const meta = this.sets.meta[s]!;
    return new Prefix(meta & 256 ? 6 : 4, key[k]!, key[k + 1]!, key[k + 2]!, key[k + 3]!, meta & 255);
  }

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
    this.touch(s);
    const sets = this.sets;
    const e = sets.entries;
    const base = sets.offset[s]!;
    const end = base + sets.count[s]! * ENTRY_WORDS;
    for (let at = base; at < end; at += ENTRY_WORDS) if (mask[e[at]! & PV_MASK] === 1) return true;
    return false;
  }

  /** Entry offsets of slot `s` visible under `mask`, best first. */
  private orderedEntries(s: number, mask: Uint8Array): number[] {
    this.touch(s);
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

  /** Route JSON of entry `at`; `best` is the entry of the prefix's best route, to say where this one lost to it. */
  private routeJson(at: number, table: number, best: number): RouteJson {
    const e = this.sets.entries;
    const pv = e[at]! & PV_MASK;
    const registry = this.registry;
    const peer = registry.peerById(registry.pvPeer[pv]!);
    return {
      router: registry.routerById(peer.router).name,
      peer: peerJson(peer),
      view: VIEWS[registry.pvView[pv]!]!,
      afiSafi: afiSafiName(registry.pvAfi[pv]!, registry.pvSafi[pv]!),
      rd: this.tableNames[table]!,
      pathId: e[at + 1]!,
      stale: registry.pvState[pv] === PV_STALE,
      restored: registry.pvRestored[pv] === 1,
      receivedAt: isoSeconds(e[at + RECEIVED_WORD]!),
      changedAt: isoSeconds(e[at + CHANGED_WORD]!),
      lostAt: lostAt(registry, this.attributes, e[best]! & PV_MASK, e[best + 2]!, e[best + 1]!, pv, e[at + 2]!, e[at + 1]!),
      ...this.attributesJson(e[at + 2]!),
    };
  }

  private prefixRoutes(s: number, mask: Uint8Array): PrefixRoutesJson {
    this.touch(s);
    const table = this.sets.meta[s]! >>> 9;
    const ordered = this.orderedEntries(s, mask);
    return {
      prefix: this.slotPrefix(s).toString(),
      rd: this.tableNames[table]!,
      routes: ordered.map((at) => this.routeJson(at, table, ordered[0]!)),
    };
  }

  /** Whether slot `s` has a route visible under `mask` from a current (ACTIVE, not stale) peer-view. */
  private hasLive(s: number, mask: Uint8Array): boolean {
    this.touch(s);
    const sets = this.sets;
    const e = sets.entries;
    const state = this.registry.pvState;
    const base = sets.offset[s]!;
    const end = base + sets.count[s]! * ENTRY_WORDS;
    for (let at = base; at < end; at += ENTRY_WORDS) {
      const pv = e[at]! & PV_MASK;
      if (mask[pv] === 1 && state[pv] === PV_ACTIVE) return true;
    }
    return false;
  }

  /**
   * Slot of the longest prefix containing `address` with a route visible under `mask`, or -1.
   * With `preferLive`, the longest prefix with a current (not stale) route wins over longer
   * prefixes that only have stale routes (a route withdrawn while its router was away must
   * not hide the router's live covering route); a stale-only prefix answers only when no
   * live route covers the address.
   */
  private longestVisible(index: PrefixIndexReader, address: Address, mask: Uint8Array, preferLive: boolean): number {
    const s = address.family === 4 ? index.lookupV4(address.w0) : index.lookupV6(address.w0, address.w1, address.w2, address.w3);
    if (s < 0) return -1;
    if (preferLive ? this.hasLive(s, mask) : this.hasVisible(s, mask)) return s;
    let staleOnly = !preferLive || !this.hasVisible(s, mask) ? -1 : s;
    const host = new Prefix(address.family, address.w0, address.w1, address.w2, address.w3, address.family === 4 ? 32 : 128);
    const covering = [...index.supernets(host)];
    for (let i = covering.length - 1; i >= 0; i--) {
      const c = covering[i]![1];
      if (c === s) continue;
      if (preferLive) {
        if (this.hasLive(c, mask)) return c;
        if (staleOnly < 0 && this.hasVisible(c, mask)) staleOnly = c;
      } else if (this.hasVisible(c, mask)) {
        return c;
      }
    }
    return staleOnly;
  }

  /**
   * The longest prefix containing `address` that has routes passing `filter`, with those
   * routes best first (see route-order.ts). The longest prefix with a current route is
   * chosen; a prefix whose only routes are stale answers only where no current route covers
   * the address, unless `filter.stale` is `'include'` (then stale routes count like current
   * ones). With `filter.router` set and no route from that router, routes of every router are
   * shown instead (`fallback: true`) unless the RIB was built with
   * `fallbackToOtherRouters: false`. Undefined when nothing matches.
   */
  lookup(address: string | Address, filter: RouteFilter = {}): LookupJson | undefined {
    const a = typeof address === 'string' ? parseAddress(address) : address;
    const t = this.findTable(filter.rd);
    if (t === undefined) return undefined;
    const index = this.tables[t]!;
    const preferLive = filter.stale !== 'include';
    let mask = this.visibility(filter, true);
    let s = this.longestVisible(index, a, mask, preferLive);
    let fallback = false;
    if (s < 0 && filter.router !== undefined && this.fallback) {
      mask = this.visibility(filter, false);
      s = this.longestVisible(index, a, mask, preferLive);
      fallback = true;
    }
    if (s < 0) return undefined;
    return { ...this.prefixRoutes(s, mask), fallback };
  }

  /**
   * Numeric fast path: the best visible route (any router, peer, view) of the longest
   * prefix containing IPv4 address `address` (uint32) in the global table, choosing the
   * prefix as {@link lookup} does (current routes before stale-only prefixes). Returns the
   * route's entry handle (for {@link entryAttributes} etc.), or -1. The handle is valid until
   * the next write. Allocates nothing when the longest prefix has a current route.
   */
  bestRouteV4(address: number): number {
    const s = this.tables[0]!.lookupV4(address);
    if (s < 0) return -1;
    this.touch(s);
    // Every stored route current (no STALE or DOOMED peer-view holds any): the prefix's first
    // entry in stored order is its best route (route-rank.ts), and its handle is the block's
    // offset, so no entry is read here (one dependent load after the table walk).
    if (this.registry.retiredViews === 0) return this.sets.offset[s]!;
    return this.bestRouteAfterRetiredV4(address, s);
  }

  /**
   * {@link bestRouteV4} while some peer-view is STALE or DOOMED: slot `s` (the longest match)
   * may hold no current route first. A method of its own so that bestRouteV4's common path
   * stays small enough for V8 to inline into the caller's loop.
   */
  private bestRouteAfterRetiredV4(address: number, s: number): number {
    const best = this.rank.best(s);
    if (best >= 0 && this.rank.sawLive) return best;
    const all = this.visibility({}, false);
    const c = this.longestVisible(this.tables[0]!, parseAddress(formatIPv4(address)), all, true);
    return c < 0 ? -1 : this.orderedEntries(c, all)[0]!;
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
  /** When the route of a handle was first seen (seconds since the epoch, 0 unknown). */
  entryReceivedAt(handle: number): number {
    return this.sets.entries[handle + RECEIVED_WORD]!;
  }
  /** When the attributes of the route of a handle last changed (seconds since the epoch, 0 unknown). */
  entryChangedAt(handle: number): number {
    return this.sets.entries[handle + CHANGED_WORD]!;
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
      this.touch(s);
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

  /** Every router with its state, peer count and route count (rib-status.ts). */
  routers(): RouterStatusJson[] {
    return routerStatus(this.registry);
  }

  /** The peers of a router with state and route counts per view; undefined for an unknown router (rib-status.ts). */
  peers(router: string): PeerStatusJson[] | undefined {
    return peerStatus(this.registry, router);
  }

  /** Summary statistics (rib-status.ts). */
  stats(): RibStatsJson {
    return ribStats(this.registry, this.sets, this.attributes, this.tables);
  }
}

/** A route time (seconds since the epoch) as ISO-8601 text; 0 ("not known") is null. */
function isoSeconds(seconds: number): string | null {
  return seconds === 0 ? null : new Date(seconds * 1000).toISOString();
}
