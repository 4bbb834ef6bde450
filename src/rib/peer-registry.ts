/**
 * PeerRegistry: routers, their BGP peers, and the compact "peer-view" ids routes carry.
 *
 * A route belongs to one router (a BMP session source), one peer of that router (peer
 * type, distinguisher, address, AS, BGP ID), one view (Adj-RIB-In pre/post-policy,
 * Adj-RIB-Out pre/post-policy, Loc-RIB) and one AFI/SAFI. The registry maps that tuple to a
 * small integer, the peer-view id (pv), so a route entry stores 24 bits instead of five keys.
 * Routers and peers are few (hundreds), so they are plain objects; everything per route
 * is in typed arrays elsewhere.
 *
 * Peer-view life cycle:
 *
 * ```
 *            retire('stale')                  retire('doomed') / keep time ends
 *  ACTIVE ───────────────────► STALE ─────────────────────────────► DOOMED ──► (id free when
 *    │  (router reconnected: the key now maps to a fresh ACTIVE pv    ▲         its route count
 *    │   whose `previous` is this one; its routes are replaced one    │         reaches 0)
 *    │   by one as the router re-announces them)                      │
 *    └────────────────────────────────────────────────────────────────┘ retire('doomed'): Peer Down
 * ```
 *
 * Invariant: a key maps to at most one ACTIVE pv; STALE and DOOMED pvs are reachable only by
 * id (and a STALE pv from its successor's `previous`). Queries show ACTIVE and STALE routes
 * (STALE flagged) and hide DOOMED ones, which the sweeper removes in slices.
 *
 * Worker readers (DESIGN-threads.md) see a read-only mirror: the per-pv arrays live in shared
 * growable arrays, and each new router and peer is appended to the RIB's name log
 * (shared-names.ts) for readers to replay; every change a reader can see happens inside a
 * structure section ({@link RibVersions}). Router and peer *state* (up/down, keep times) is
 * not mirrored.
 */
import { RibstoreError } from '../errors.js';
import { GrowableArray } from './growable.js';
import type { NameLog } from './shared-names.js';
import { RibVersions } from './shared-versions.js';

/** The five RIB views of a BMP peer, kept apart. */
export type View = 'loc-rib' | 'adj-rib-in-post' | 'adj-rib-in-pre' | 'adj-rib-out-post' | 'adj-rib-out-pre';

/**
 * Views in preference order: a route seen in an earlier view is preferred when routes are
 * ordered (Loc-RIB is the router's own choice; post-policy is what it accepted).
 */
export const VIEWS: readonly View[] = ['loc-rib', 'adj-rib-in-post', 'adj-rib-in-pre', 'adj-rib-out-post', 'adj-rib-out-pre'];

/** The rank of a view in {@link VIEWS} (0 = most preferred). */
export function viewRank(view: View): number {
  const rank = VIEWS.indexOf(view);
  if (rank < 0) throw new RibstoreError('INVALID_ARGUMENT', `unknown RIB view ${JSON.stringify(view)}: expected one of ${VIEWS.join(', ')}`);
  return rank;
}

/** Name of an AFI/SAFI pair as the API prints it, e.g. `ipv4-unicast`, `ipv6-vpn`, or `afi/safi`. */
export function afiSafiName(afi: number, safi: number): string {
  const family = afi === 1 ? 'ipv4' : afi === 2 ? 'ipv6' : undefined;
  const sub = safi === 1 ? 'unicast' : safi === 2 ? 'multicast' : safi === 4 ? 'labeled-unicast' : safi === 128 ? 'vpn' : undefined;
  return family !== undefined && sub !== undefined ? `${family}-${sub}` : `${afi}/${safi}`;
}

/** Identity of a BGP peer as BMP's per-peer header gives it. */
export interface PeerKey {
  /** BMP peer type: 0 global instance, 1 RD instance, 2 local instance, 3 Loc-RIB instance. */
  type: number;
  /** Peer distinguisher in text form (`"0:0"` when none). */
  distinguisher: string;
  /** Peer address in canonical text form. */
  address: string;
  /** Peer AS number. */
  asn: number;
  /** Peer BGP identifier as a uint32. */
  bgpId: number;
}

/** Router state: `up` while its session runs; `down` while its routes are kept after a disconnect. */
export type RouterState = 'up' | 'down';
/** Peer state: `up` after Peer Up or a first route; `down` after Peer Down (routes flushed). */
export type PeerState = 'up' | 'down';

/** A router (BMP session source). */
export interface RouterRecord {
  readonly id: number;
  /** The name the caller gave (usually the router's address). */
  readonly name: string;
  state: RouterState;
  /** When the router went down (ms since epoch), while `state` is `down`. */
  downSince: number | undefined;
  /** When its kept routes will be flushed (ms since epoch), while `state` is `down`. */
  flushAt: number | undefined;
  /** Its peers' ids. */
  readonly peers: number[];
}

/** A BGP peer of a router. */
export interface PeerRecord extends PeerKey {
  readonly id: number;
  readonly router: number;
  state: PeerState;
  /** Peer-view ids ever created for this peer (ACTIVE, STALE or DOOMED; freed ones removed). */
  readonly views: number[];
}

/** Peer-view state codes (see the module diagram). */
export const PV_FREE = 0;
/** Routes current. */
export const PV_ACTIVE = 1;
/** Routes kept from a previous session, to be replaced or swept. */
export const PV_STALE = 2;
/** Routes being removed; invisible to queries. */
export const PV_DOOMED = 3;

/** Largest peer-view id (route entries store it in 24 bits). */
export const MAX_PEER_VIEWS = (1 << 24) - 1;

/** The shared buffers of a {@link PeerRegistry}, for {@link PeerRegistry.attach} in a worker. */
export interface PeerRegistryShared {
  pvPeer: SharedArrayBuffer;
  pvView: SharedArrayBuffer;
  pvAfi: SharedArrayBuffer;
  pvSafi: SharedArrayBuffer;
  pvState: SharedArrayBuffer;
  pvRestored: SharedArrayBuffer;
  counters: SharedArrayBuffer;
}

/** Counter words (shared): one past the highest pv id, live pvs. */
const PV_HIGH = 0;
const PV_LIVE = 1;

/** Routers, peers and peer-view ids. */
export class PeerRegistry {
  private readonly routerByName = new Map<string, RouterRecord>();
  private readonly routerList: RouterRecord[] = [];
  private readonly peerByKey = new Map<string, PeerRecord>();
  private readonly peerList: PeerRecord[] = [];
  private readonly activeByKey = new Map<string, number>();
  private readonly pvPeerArr: GrowableArray<Uint32ArrayConstructor>;
  private readonly pvViewArr: GrowableArray<Uint8ArrayConstructor>;
  private readonly pvAfiArr: GrowableArray<Uint16ArrayConstructor>;
  private readonly pvSafiArr: GrowableArray<Uint8ArrayConstructor>;
  private readonly pvStateArr: GrowableArray<Uint8ArrayConstructor>;
  private readonly pvRestoredArr: GrowableArray<Uint8ArrayConstructor>;
  /** Per pv: owning peer id. */
  pvPeer: Uint32Array;
  /** Per pv: view rank (index into {@link VIEWS}). */
  pvView: Uint8Array;
  /** Per pv: AFI. */
  pvAfi: Uint16Array;
  /** Per pv: SAFI. */
  pvSafi: Uint8Array;
  /** Per pv: {@link PV_FREE} .. {@link PV_DOOMED}. */
  pvState: Uint8Array;
  /** Per pv: the STALE pv this ACTIVE one replaces (0 none). Writer only (not shared). */
  pvPrevious = new Uint32Array(64);
  /** Per pv: number of route entries it holds. Writer only (not shared). */
  pvCount = new Uint32Array(64);
  /** Per pv: 1 when its routes were restored from a snapshot file (see rib/snapshot-restore.ts), else 0. */
  pvRestored: Uint8Array;
  /**
   * Peer-views STALE or DOOMED and not yet freed (they hold routes: one left with none is freed
   * at once). While 0, every stored route is current, so each prefix's first entry in stored
   * order is its best route (route-rank.ts; `RibReader.bestRouteV4` reads no entry then).
   * Writer only (not shared).
   */
  retiredViews = 0;
  /** PV_HIGH, PV_LIVE (shared). */
  private readonly counters: Int32Array;
  private readonly pvFree: number[] = [];
  /** Called with each pv {@link release} frees (the writer forgets what it keeps per pv). */
  onRelease: ((pv: number) => void) | undefined;
  /** Structure sections around every change readers can see. */
  private readonly versions: RibVersions;
  /** Where new routers and peers are told to readers, if anyone reads. */
  private readonly names: NameLog | undefined;

  /**
   * An empty registry. `versions` and `names` connect it to worker readers (a RIB passes
   * its own); with `shared`, a read-only mapping of another thread's registry ({@link attach}).
   */
  constructor(versions: RibVersions = new RibVersions(), names?: NameLog, shared?: PeerRegistryShared) {
    this.versions = versions;
    this.names = names;
    const grew = shared === undefined ? () => versions.grew() : undefined;
    const make = <C extends Uint32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor>(ctor: C, buffer?: SharedArrayBuffer): GrowableArray<C> =>
      buffer === undefined ? new GrowableArray(ctor, 64, grew) : GrowableArray.attach(ctor, buffer);
    this.pvPeerArr = make(Uint32Array, shared?.pvPeer);
    this.pvViewArr = make(Uint8Array, shared?.pvView);
    this.pvAfiArr = make(Uint16Array, shared?.pvAfi);
    this.pvSafiArr = make(Uint8Array, shared?.pvSafi);
    this.pvStateArr = make(Uint8Array, shared?.pvState);
    this.pvRestoredArr = make(Uint8Array, shared?.pvRestored);
    this.counters = new Int32Array(shared?.counters ?? new SharedArrayBuffer(8));
    if (shared === undefined) this.counters[PV_HIGH] = 1;
    this.pvPeer = this.pvPeerArr.view;
    this.pvView = this.pvViewArr.view;
    this.pvAfi = this.pvAfiArr.view;
    this.pvSafi = this.pvSafiArr.view;
    this.pvState = this.pvStateArr.view;
    this.pvRestored = this.pvRestoredArr.view;
  }

  /** The shared buffers, for a worker's {@link attach}. */
  share(): PeerRegistryShared {
    return {
      pvPeer: this.pvPeerArr.shared,
      pvView: this.pvViewArr.shared,
      pvAfi: this.pvAfiArr.shared,
      pvSafi: this.pvSafiArr.shared,
      pvState: this.pvStateArr.shared,
      pvRestored: this.pvRestoredArr.shared,
      counters: this.counters.buffer as SharedArrayBuffer,
    };
  }

  /**
   * A read-only mirror of a registry shared by another thread ({@link share}): call
   * {@link refresh} after the shared arrays grew and {@link replay} with the name log's new
   * records.
   */
  static attach(shared: PeerRegistryShared): PeerRegistry {
    return new PeerRegistry(new RibVersions(), undefined, shared);
  }

  /** Re-map arrays that grew (a mirror, see {@link attach}). */
  refresh(): void {
    this.pvPeer = this.pvPeerArr.refresh();
    this.pvView = this.pvViewArr.refresh();
    this.pvAfi = this.pvAfiArr.refresh();
    this.pvSafi = this.pvSafiArr.refresh();
    this.pvState = this.pvStateArr.refresh();
    this.pvRestored = this.pvRestoredArr.refresh();
  }

  /**
   * Add to a mirror the routers and peers of name-log records (see {@link NameLog}) it has
   * not seen: they come in id order, so ids match the writer's.
   */
  replay(record: NameRecord): void {
    if (record.kind === 'router') {
      if (this.routerList.length === record.id) this.router(record.name);
    } else if (record.kind === 'peer') {
      if (this.peerList.length === record.id) this.peer(this.routerById(record.router), record.key);
    }
  }

  /** The router named `name`, created (state `up`) if new. */
  router(name: string): RouterRecord {
    let r = this.routerByName.get(name);
    if (r === undefined) {
      r = { id: this.routerList.length, name, state: 'up', downSince: undefined, flushAt: undefined, peers: [] };
      this.versions.beginStructure();
      this.routerByName.set(name, r);
      this.routerList.push(r);
      this.names?.append({ kind: 'router', id: r.id, name });
      this.versions.endStructure();
    }
    return r;
  }

  /** The router named `name`, if known. */
  findRouter(name: string): RouterRecord | undefined {
    return this.routerByName.get(name);
  }

  /** Router by id. */
  routerById(id: number): RouterRecord {
    const r = this.routerList[id];
    if (r === undefined) throw new RibstoreError('INVALID_ARGUMENT', `no router with id ${id}`);
    return r;
  }

  /** Every router ever registered, in registration order. */
  routers(): readonly RouterRecord[] {
    return this.routerList;
  }

  /** The peer `key` of router `router`, created (state `up`) if new. */
  peer(router: RouterRecord, key: PeerKey): PeerRecord {
    const k = peerKeyString(router.id, key);
    let p = this.peerByKey.get(k);
    if (p === undefined) {
      p = {
        id: this.peerList.length,
        router: router.id,
        type: key.type,
        distinguisher: key.distinguisher,
        address: key.address,
        asn: key.asn >>> 0,
        bgpId: key.bgpId >>> 0,
        state: 'up',
        views: [],
      };
      this.versions.beginStructure();
      this.peerByKey.set(k, p);
      this.peerList.push(p);
      router.peers.push(p.id);
      const { type, distinguisher, address, asn, bgpId } = p;
      this.names?.append({ kind: 'peer', id: p.id, router: router.id, key: { type, distinguisher, address, asn, bgpId } });
      this.versions.endStructure();
    }
    return p;
  }

  /** The peer `key` of router `router`, if known. */
  findPeer(router: RouterRecord, key: PeerKey): PeerRecord | undefined {
    return this.peerByKey.get(peerKeyString(router.id, key));
  }

  /** Peer by id. */
  peerById(id: number): PeerRecord {
    const p = this.peerList[id];
    if (p === undefined) throw new RibstoreError('INVALID_ARGUMENT', `no peer with id ${id}`);
    return p;
  }

  /** Peer by id, or undefined past the last one (peer ids are 0, 1, 2, ... and never reused). */
  findPeerById(id: number): PeerRecord | undefined {
    return this.peerList[id];
  }

  /**
   * The ACTIVE peer-view id of (peer, view rank, afi, safi), created if there is none. A
   * new one links to the STALE pv of the same key, if any, as its `previous`.
   */
  peerView(peer: PeerRecord, view: number, afi: number, safi: number): number {
    const k = `${peer.id}|${view}|${afi}|${safi}`;
    const found = this.activeByKey.get(k);
    if (found !== undefined) return found;
    this.versions.beginStructure();
    const pv = this.allocate();
    this.pvPeer[pv] = peer.id;
    this.pvView[pv] = view;
    this.pvAfi[pv] = afi;
    this.pvSafi[pv] = safi;
    this.pvState[pv] = PV_ACTIVE;
    this.pvCount[pv] = 0;
    this.pvPrevious[pv] = 0;
    this.pvRestored[pv] = 0;
    for (const other of peer.views) {
      if (this.pvState[other] === PV_STALE && this.pvView[other] === view && this.pvAfi[other] === afi && this.pvSafi[other] === safi) {
        this.pvPrevious[pv] = other;
      }
    }
    peer.views.push(pv);
    this.activeByKey.set(k, pv);
    this.counters[PV_LIVE]!++;
    this.versions.endStructure();
    return pv;
  }

  private allocate(): number {
    const reused = this.pvFree.pop();
    if (reused !== undefined) return reused;
    const pv = this.counters[PV_HIGH]!;
    if (pv > MAX_PEER_VIEWS) {
      this.versions.endStructure();
      throw new RibstoreError('LIMIT_EXCEEDED', `more than ${MAX_PEER_VIEWS} peer views`);
    }
    if (pv >= this.pvState.length) {
      const n = this.pvState.length * 2;
      this.pvPeer = this.pvPeerArr.ensure(n);
      this.pvView = this.pvViewArr.ensure(n);
      this.pvAfi = this.pvAfiArr.ensure(n);
      this.pvSafi = this.pvSafiArr.ensure(n);
      this.pvState = this.pvStateArr.ensure(n);
      this.pvRestored = this.pvRestoredArr.ensure(n);
      this.pvPrevious = grow(this.pvPrevious, new Uint32Array(this.pvState.length));
      this.pvCount = grow(this.pvCount, new Uint32Array(this.pvState.length));
    }
    this.counters[PV_HIGH] = pv + 1;
    return pv;
  }

  /**
   * Move a pv to STALE or DOOMED. An ACTIVE pv loses its key (the next use of the key makes
   * a fresh pv). A pv that holds no routes is freed at once. Doomed pvs that were some
   * active pv's `previous` are unlinked.
   */
  retire(pv: number, state: typeof PV_STALE | typeof PV_DOOMED): void {
    const current = this.pvState[pv]!;
    if (current === PV_FREE || current === PV_DOOMED) return;
    this.versions.beginStructure();
    if (current === PV_ACTIVE) {
      this.activeByKey.delete(`${this.pvPeer[pv]}|${this.pvView[pv]}|${this.pvAfi[pv]}|${this.pvSafi[pv]}`);
      this.retiredViews++;
    }
    this.pvState[pv] = state;
    if (state === PV_DOOMED) {
      const peer = this.peerList[this.pvPeer[pv]!]!;
      for (const other of peer.views) if (this.pvPrevious[other] === pv) this.pvPrevious[other] = 0;
    }
    if (this.pvCount[pv] === 0) this.release(pv);
    this.versions.endStructure();
  }

  /**
   * Make a STALE pv ACTIVE again, its restored flag cleared, unless its key already has an
   * ACTIVE pv (then it stays stale). For a session resumed after a restart (a bus replica's
   * router): its routes were never stale on the source, only in the restored file.
   */
  reactivate(pv: number): void {
    if (this.pvState[pv] !== PV_STALE) return;
    const k = `${this.pvPeer[pv]}|${this.pvView[pv]}|${this.pvAfi[pv]}|${this.pvSafi[pv]}`;
    if (this.activeByKey.has(k)) return;
    this.versions.beginStructure();
    this.pvState[pv] = PV_ACTIVE;
    this.pvRestored[pv] = 0;
    this.activeByKey.set(k, pv);
    this.retiredViews--;
    this.versions.endStructure();
  }

  /** Free a pv whose routes are all gone (called when its count reaches 0 while not ACTIVE). */
  release(pv: number): void {
    const state = this.pvState[pv]!;
    if (state === PV_FREE || state === PV_ACTIVE || this.pvCount[pv] !== 0) return;
    this.versions.beginStructure();
    const peer = this.peerList[this.pvPeer[pv]!]!;
    const i = peer.views.indexOf(pv);
    if (i >= 0) peer.views.splice(i, 1);
    for (const other of peer.views) if (this.pvPrevious[other] === pv) this.pvPrevious[other] = 0;
    this.pvState[pv] = PV_FREE;
    this.retiredViews--;
    this.pvFree.push(pv);
    this.counters[PV_LIVE]!--;
    this.versions.endStructure();
    this.onRelease?.(pv);
  }

  /**
   * Mark a pv's routes as restored from a snapshot file (or not): shown as `restored` in
   * route answers.
   */
  setRestored(pv: number, restored: boolean): void {
    this.versions.beginStructure();
    this.pvRestored[pv] = restored ? 1 : 0;
    this.versions.endStructure();
  }

  /** One past the highest pv id ever handed out. */
  get pvBound(): number {
    return this.counters[PV_HIGH]!;
  }

  /** Number of peer views not free. */
  get pvLive(): number {
    return this.counters[PV_LIVE]!;
  }
}

function peerKeyString(router: number, key: PeerKey): string {
  return `${router}|${key.type}|${key.distinguisher}|${key.address}|${key.asn >>> 0}|${key.bgpId >>> 0}`;
}

/** A record of the name log (shared-names.ts): a new router or peer, in id order. */
export type NameRecord =
  | { kind: 'router'; id: number; name: string }
  | { kind: 'peer'; id: number; router: number; key: PeerKey }
  | { kind: 'table'; id: number; name: string };

function grow<T extends Uint8Array | Uint16Array | Uint32Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}
