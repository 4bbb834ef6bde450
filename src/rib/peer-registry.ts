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
 */
import { RibstoreError } from '../errors.js';

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

/** Routers, peers and peer-view ids. */
export class PeerRegistry {
  private readonly routerByName = new Map<string, RouterRecord>();
  private readonly routerList: RouterRecord[] = [];
  private readonly peerByKey = new Map<string, PeerRecord>();
  private readonly peerList: PeerRecord[] = [];
  private readonly activeByKey = new Map<string, number>();
  /** Per pv: owning peer id. */
  pvPeer = new Uint32Array(64);
  /** Per pv: view rank (index into {@link VIEWS}). */
  pvView = new Uint8Array(64);
  /** Per pv: AFI. */
  pvAfi = new Uint16Array(64);
  /** Per pv: SAFI. */
  pvSafi = new Uint8Array(64);
  /** Per pv: {@link PV_FREE} .. {@link PV_DOOMED}. */
  pvState = new Uint8Array(64);
  /** Per pv: the STALE pv this ACTIVE one replaces (0 none). */
  pvPrevious = new Uint32Array(64);
  /** Per pv: number of route entries it holds. */
  pvCount = new Uint32Array(64);
  /** Per pv: 1 when its routes were restored from a snapshot file (see rib/snapshot-restore.ts), else 0. */
  pvRestored = new Uint8Array(64);
  private pvHigh = 1;
  private readonly pvFree: number[] = [];
  /** Called with each pv {@link release} frees (the writer forgets what it keeps per pv). */
  onRelease: ((pv: number) => void) | undefined;

  /** The router named `name`, created (state `up`) if new. */
  router(name: string): RouterRecord {
    let r = this.routerByName.get(name);
    if (r === undefined) {
      r = { id: this.routerList.length, name, state: 'up', downSince: undefined, flushAt: undefined, peers: [] };
      this.routerByName.set(name, r);
      this.routerList.push(r);
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
      this.peerByKey.set(k, p);
      this.peerList.push(p);
      router.peers.push(p.id);
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
    return pv;
  }

  private allocate(): number {
    const reused = this.pvFree.pop();
    if (reused !== undefined) return reused;
    const pv = this.pvHigh++;
    if (pv > MAX_PEER_VIEWS) throw new RibstoreError('LIMIT_EXCEEDED', `more than ${MAX_PEER_VIEWS} peer views`);
    if (pv >= this.pvState.length) {
      const n = this.pvState.length * 2;
      this.pvPeer = grow(this.pvPeer, new Uint32Array(n));
      this.pvView = grow(this.pvView, new Uint8Array(n));
      this.pvAfi = grow(this.pvAfi, new Uint16Array(n));
      this.pvSafi = grow(this.pvSafi, new Uint8Array(n));
      this.pvState = grow(this.pvState, new Uint8Array(n));
      this.pvPrevious = grow(this.pvPrevious, new Uint32Array(n));
      this.pvCount = grow(this.pvCount, new Uint32Array(n));
      this.pvRestored = grow(this.pvRestored, new Uint8Array(n));
    }
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
    if (current === PV_ACTIVE) {
      this.activeByKey.delete(`${this.pvPeer[pv]}|${this.pvView[pv]}|${this.pvAfi[pv]}|${this.pvSafi[pv]}`);
    }
    this.pvState[pv] = state;
    if (state === PV_DOOMED) {
      const peer = this.peerList[this.pvPeer[pv]!]!;
      for (const other of peer.views) if (this.pvPrevious[other] === pv) this.pvPrevious[other] = 0;
    }
    if (this.pvCount[pv] === 0) this.release(pv);
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
    this.pvState[pv] = PV_ACTIVE;
    this.pvRestored[pv] = 0;
    this.activeByKey.set(k, pv);
  }

  /** Free a pv whose routes are all gone (called when its count reaches 0 while not ACTIVE). */
  release(pv: number): void {
    const state = this.pvState[pv]!;
    if (state === PV_FREE || state === PV_ACTIVE || this.pvCount[pv] !== 0) return;
    const peer = this.peerList[this.pvPeer[pv]!]!;
    const i = peer.views.indexOf(pv);
    if (i >= 0) peer.views.splice(i, 1);
    for (const other of peer.views) if (this.pvPrevious[other] === pv) this.pvPrevious[other] = 0;
    this.pvState[pv] = PV_FREE;
    this.pvFree.push(pv);
    this.onRelease?.(pv);
  }

  /** One past the highest pv id ever handed out. */
  get pvBound(): number {
    return this.pvHigh;
  }

  /** Number of peer views not free. */
  get pvLive(): number {
    return this.pvHigh - 1 - this.pvFree.length;
  }
}

function peerKeyString(router: number, key: PeerKey): string {
  return `${router}|${key.type}|${key.distinguisher}|${key.address}|${key.asn >>> 0}|${key.bgpId >>> 0}`;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}
