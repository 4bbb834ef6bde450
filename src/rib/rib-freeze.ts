/**
 * RibFreeze: a consistent, read-only view of the whole RIB as it was at one instant, read
 * piece by piece while writers carry on. Snapshot files and MRT exports are written from it.
 *
 * Taking a freeze costs O(routers + peer-views + attribute sets), not O(routes):
 *  - the registry (routers, peers, peer-view states) is copied: it is small;
 *  - the attribute pool is *held*: frees are deferred until release, so no set a frozen
 *    route names loses its bytes and no id is reused with other bytes meanwhile (O(1));
 *  - routes are not copied. The reader walks slots in ascending order with a cursor; the RIB
 *    calls {@link RibFreeze.preserve} before it changes a slot the cursor has not reached yet,
 *    and the freeze copies that slot's routes as they were (its *pre-image*). When the cursor
 *    reaches a slot it reads the pre-image if there is one, else the live slot, which then
 *    has not changed since the freeze began.
 *
 * ```
 *   slots:  0 1 2 3 │ 4 5 6 7 8 9 ...  bound (slot count at freeze time; later slots are new)
 *           read    │ cursor
 *                   └─ a write to slot 7 first copies slot 7 into preImages; slot 2 is not copied
 * ```
 *
 * Invariant: for every slot s with cursor <= s < bound, either `preImages` holds s's content
 * at freeze time, or the live slot is unchanged since then. Routes of peer-views that were
 * DOOMED or free at freeze time are never shown; ACTIVE and STALE ones are, with their state
 * at freeze time. Memory held: the pre-images of slots written during the walk (in one
 * typed buffer, no object per slot), at most one copy of the RIB's route entries.
 */
import { RibstoreError } from '../errors.js';
import type { AttributePool } from './attribute-pool.js';
import { PV_ACTIVE, PV_STALE, type PeerRegistry, type PeerState, type RouterState } from './peer-registry.js';
import { CHANGED_WORD, ENTRY_WORDS, PV_MASK, RECEIVED_WORD, type RouteSets } from './route-sets.js';

/** A router as it was when the freeze was taken. */
export interface FrozenRouter {
  readonly name: string;
  readonly state: RouterState;
  readonly downSince: number | undefined;
  readonly flushAt: number | undefined;
}

/** A peer as it was when the freeze was taken. `router` indexes {@link RibFreeze.routers}. */
export interface FrozenPeer {
  readonly router: number;
  readonly type: number;
  readonly distinguisher: string;
  readonly address: string;
  readonly asn: number;
  readonly bgpId: number;
  readonly state: PeerState;
}

/**
 * Called once per prefix that had visible routes at freeze time. `routes` holds `count`
 * triples (peer-view id, path id, attribute set id) from index 0, and `ages` the routes'
 * (receivedAt, changedAt) pairs in the same order (seconds since the epoch, 0 unknown); both
 * are scratch arrays, overwritten by the next call. `table` indexes {@link RibFreeze.tables}.
 */
export type FrozenPrefixVisitor = (
  table: number,
  family: 4 | 6,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  length: number,
  routes: Uint32Array,
  count: number,
  ages: Uint32Array,
) => void;

/** What a freeze's owner (the Rib) lets it see. */
export interface FreezeSource {
  readonly registry: PeerRegistry;
  readonly attributes: AttributePool;
  readonly sets: RouteSets;
  readonly tableNames: readonly (string | null)[];
  /** End the attribute pool's hold (the Rib's own, which also clears its caches of freed sets). */
  unholdAttributes(): void;
  /** Called once by {@link RibFreeze.release}. */
  unregister(freeze: RibFreeze): void;
}

/** Words of a pre-image before its entries: meta, 4 key words, count. */
const PRE_HEAD = 6;
/** `preIndex` value of a slot that was free at freeze time. */
const PRE_EMPTY = -1;

/** A consistent view of the RIB at one instant; see the module doc. Get one with `Rib.freeze()`. */
export class RibFreeze {
  /** When the freeze was taken (ms since epoch, the RIB's clock). */
  readonly takenAt: number;
  /** Routers by id. */
  readonly routers: readonly FrozenRouter[];
  /** Peers by id. */
  readonly peers: readonly FrozenPeer[];
  /** Route distinguisher text per table index (index 0, the global table, is null). */
  readonly tables: readonly (string | null)[];
  /** Per peer-view id: owning peer id. */
  readonly pvPeer: Uint32Array;
  /** Per peer-view id: view rank (index into VIEWS). */
  readonly pvView: Uint8Array;
  /** Per peer-view id: AFI. */
  readonly pvAfi: Uint16Array;
  /** Per peer-view id: SAFI. */
  readonly pvSafi: Uint8Array;
  /** Per peer-view id: PV_ACTIVE or PV_STALE when its routes are visible, else 0. */
  readonly pvState: Uint8Array;
  /** Per peer-view id: its routes at freeze time. */
  readonly pvCount: Uint32Array;
  /** Slots at freeze time: slots from here on were made later and are not part of it. */
  readonly bound: number;
  /** Next slot to read. */
  cursor = 0;
  private readonly source: FreezeSource;
  /** Per slot below `bound`: 0 not preserved, PRE_EMPTY, else 1 + the pre-image's offset in `preWords`. */
  private readonly preIndex: Int32Array;
  /** Pre-images back to back: meta, key words w0..w3, count, entries. Append-only. */
  private preWords = new Uint32Array(4096);
  private preLength = 0;
  /** One past the highest attribute id at freeze time (frozen routes name ids below it). */
  private readonly attributeBound: number;
  private scratch = new Uint32Array(3 * 64);
  private scratchAges = new Uint32Array(2 * 64);
  private released = false;

  /** @internal Use `Rib.freeze()`. */
  constructor(source: FreezeSource, now: number) {
    this.source = source;
    this.takenAt = now;
    const registry = source.registry;
    this.routers = registry.routers().map((r) => ({ name: r.name, state: r.state, downSince: r.downSince, flushAt: r.flushAt }));
    const peers: FrozenPeer[] = [];
    for (let id = 0; ; id++) {
      const p = registry.findPeerById(id);
      if (p === undefined) break;
      peers.push({ router: p.router, type: p.type, distinguisher: p.distinguisher, address: p.address, asn: p.asn, bgpId: p.bgpId, state: p.state });
    }
    this.peers = peers;
    this.tables = [...source.tableNames];
    const n = registry.pvBound;
    this.pvPeer = registry.pvPeer.slice(0, n);
    this.pvView = registry.pvView.slice(0, n);
    this.pvAfi = registry.pvAfi.slice(0, n);
    this.pvSafi = registry.pvSafi.slice(0, n);
    this.pvState = registry.pvState.slice(0, n);
    this.pvCount = registry.pvCount.slice(0, n);
    for (let pv = 0; pv < n; pv++) if (this.pvState[pv] !== PV_ACTIVE && this.pvState[pv] !== PV_STALE) this.pvState[pv] = 0;
    source.attributes.hold();
    this.attributeBound = source.attributes.idBound;
    this.bound = source.sets.slotBound;
    this.preIndex = new Int32Array(this.bound);
  }

  /** Whether slots remain to be read. */
  get done(): boolean {
    return this.cursor >= this.bound;
  }

  /**
   * The RIB is about to change slot `s`: keep its current routes if the cursor has not read
   * it yet. Idempotent; cheap when `s` was already read or preserved.
   */
  preserve(s: number): void {
    if (s < this.cursor || s >= this.bound || this.preIndex[s] !== 0) return;
    const sets = this.source.sets;
    const count = sets.isLive(s) ? sets.count[s]! : 0;
    if (count === 0) {
      this.preIndex[s] = PRE_EMPTY;
      return;
    }
    const words = PRE_HEAD + count * ENTRY_WORDS;
    if (this.preLength + words > this.preWords.length) {
      const grown = new Uint32Array(Math.max(this.preWords.length * 2, this.preLength + words));
      grown.set(this.preWords.subarray(0, this.preLength));
      this.preWords = grown;
    }
    const pre = this.preWords;
    const at = this.preLength;
    const k = s * 4;
    pre[at] = sets.meta[s]!;
    pre[at + 1] = sets.key[k]!;
    pre[at + 2] = sets.key[k + 1]!;
    pre[at + 3] = sets.key[k + 2]!;
    pre[at + 4] = sets.key[k + 3]!;
    pre[at + 5] = count;
    pre.set(sets.entries.subarray(sets.offset[s]!, sets.offset[s]! + count * ENTRY_WORDS), at + PRE_HEAD);
    this.preLength = at + words;
    this.preIndex[s] = at + 1;
  }

  /**
   * Read on from the cursor, calling `visit` for each prefix with visible routes, until about
   * `maxRoutes` route entries were looked at or every slot was read. Returns whether slots remain.
   */
  read(maxRoutes: number, visit: FrozenPrefixVisitor): boolean {
    if (this.released) throw new RibstoreError('INVALID_ARGUMENT', 'this RIB freeze was released');
    const sets = this.source.sets;
    const state = this.pvState;
    let work = 0;
    while (this.cursor < this.bound && work < maxRoutes) {
      const s = this.cursor++;
      const pre = this.preIndex[s]!;
      let words: Uint32Array;
      let meta: number;
      let key: Uint32Array;
      let k: number;
      let at: number;
      let count: number;
      if (pre === PRE_EMPTY) {
        work++;
        continue;
      } else if (pre !== 0) {
        words = this.preWords;
        count = words[pre - 1 + 5]!;
        meta = words[pre - 1]!;
        key = words;
        k = pre;
        at = pre - 1 + PRE_HEAD;
      } else {
        if (!sets.isLive(s)) {
          work++;
          continue;
        }
        count = sets.count[s]!;
        words = sets.entries;
        meta = sets.meta[s]!;
        key = sets.key;
        k = s * 4;
        at = sets.offset[s]!;
      }
      work += count + 1;
      if (this.scratch.length < count * 3) {
        this.scratch = new Uint32Array(count * 3 * 2);
        this.scratchAges = new Uint32Array(count * 2 * 2);
      }
      const out = this.scratch;
      const ages = this.scratchAges;
      let n = 0;
      const end = at + count * ENTRY_WORDS;
      for (let i = at; i < end; i += ENTRY_WORDS) {
        const pv = words[i]! & PV_MASK;
        if (pv >= state.length || state[pv] === 0) continue;
        out[n * 3] = pv;
        out[n * 3 + 1] = words[i + 1]!;
        out[n * 3 + 2] = words[i + 2]!;
        ages[n * 2] = words[i + RECEIVED_WORD]!;
        ages[n * 2 + 1] = words[i + CHANGED_WORD]!;
        n++;
      }
      if (n === 0) continue;
      visit(meta >>> 9, meta & 256 ? 6 : 4, key[k]!, key[k + 1]!, key[k + 2]!, key[k + 3]!, meta & 255, out, n, ages);
    }
    return this.cursor < this.bound;
  }

  /**
   * The canonical bytes of attribute set `id` (named by a frozen route): a view into the
   * pool, valid until the RIB's next write; copy it to keep it.
   */
  attributeBytes(id: number): Uint8Array {
    return this.frozenPool(id).bytes(id);
  }

  /** The byte length of attribute set `id` (named by a frozen route). */
  attributeLength(id: number): number {
    return this.frozenPool(id).setLength(id);
  }

  /** {@link attributeBytes} copied into `into` at `at` (room for {@link attributeLength} is the caller's), no view made. */
  copyAttributeBytes(id: number, into: Uint8Array, at: number): void {
    this.frozenPool(id).copyBytes(id, into, at);
  }

  /** The pool, when set `id` is one of this freeze's. */
  private frozenPool(id: number): AttributePool {
    const pool = this.source.attributes;
    if (this.released || id === 0 || id >= this.attributeBound || !pool.isKept(id)) {
      throw new RibstoreError('INVALID_ARGUMENT', `attribute set ${id} is not part of this freeze`);
    }
    return pool;
  }

  /** The attribute pool the frozen routes' sets live in (for their summaries; sets named by frozen routes stay valid until release, even if their last route went). */
  get attributes(): AttributePool {
    return this.source.attributes;
  }

  /** Let go: end the attribute hold and stop preserving slots. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.cursor = this.bound;
    this.preWords = new Uint32Array(0);
    this.source.unregister(this);
    this.source.unholdAttributes();
  }

  /** `using freeze = rib.freeze()` releases it at the end of the block. */
  [Symbol.dispose](): void {
    this.release();
  }
}
