/**
 * Applying decoded BGP UPDATEs to the RIB, for one (router, peer, view).
 *
 * Two forms, same effect:
 *  - {@link applyUpdate} takes wire/bgp's decoded `BgpUpdate` (objects per route, made by
 *    the decoder): simple, for MRT loading and tests;
 *  - {@link RibUpdateVisitor} is a `walkUpdate` visitor: the decoder hands out each route
 *    through a reused cursor and the RIB takes its numbers, so the only allocations are per
 *    UPDATE (the attribute set and its canonical bytes), none per route.
 *
 * Per UPDATE: withdrawals first (Withdrawn Routes, MP_UNREACH_NLRI), then announcements with
 * the interned attribute set (one for the NLRI field, one for MP_REACH_NLRI). An RFC 7606
 * treat-as-withdraw UPDATE withdraws its announcements. An End-of-RIB marker (RFC 4724:
 * an empty UPDATE for IPv4 unicast; an UPDATE with only an empty MP_UNREACH_NLRI for other
 * families) sweeps the peer-view's stale routes.
 */
import type { Family } from '../ip/address.js';
import type { DecodedAttributes } from '../wire/bgp/attribute-decode.js';
import type { NlriCursor } from '../wire/bgp/nlri.js';
import { formatRouteDistinguisher } from '../wire/bgp/route-distinguisher.js';
import { type AttributeBlockKey, type AttributeBlockSource, type BgpUpdate, type Nlri, type PathAttributes, type UpdateVisitor, type WalkResult, attributeBlockKeyEquals, copyAttributeBlockKey } from '../wire/bgp/index.js';
import type { BgpDecodeContext } from '../wire/bgp/context.js';
import { type AttributeSummary, emptySummary } from './attribute-pool.js';
import { canonicalRouteBytes, encodeRouteAttributes, routeAttributes, summarizeAttributes } from './attribute-codec.js';
import { PV_ACTIVE, type PeerKey, type PeerRecord, type View, viewRank } from './peer-registry.js';
import type { Rib } from './rib.js';

/**
 * Whose routes an UPDATE carries. Treat a target handed to a {@link RibUpdateVisitor} as
 * immutable (make a new object for another peer or view): the visitor caches peer-view ids
 * per target object.
 */
export interface UpdateTarget {
  /** Router name (BMP session source). */
  router: string;
  peer: PeerKey;
  view: View;
}

/** What one UPDATE did. */
export interface ApplyResult {
  announced: number;
  withdrawn: number;
  /** The AFI/SAFI an End-of-RIB marker was for, if the UPDATE was one. */
  endOfRib: { afi: number; safi: number } | undefined;
}

const summary = emptySummary();

/** Intern the attribute set of an UPDATE's routes; the caller releases the returned id. */
export function internUpdateAttributes(rib: Rib, attrs: PathAttributes, multiprotocol: boolean): number {
  const set = routeAttributes(attrs, multiprotocol);
  const bytes = encodeRouteAttributes(set);
  return rib.internAttributes(bytes, 0, bytes.length, summarizeAttributes(set, summary));
}

function hasNoAttributes(attrs: PathAttributes, except: keyof PathAttributes | undefined): boolean {
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && k !== except) return false;
  return true;
}

/** The End-of-RIB family of an UPDATE, or undefined (RFC 4724 section 2). */
export function endOfRibFamily(update: BgpUpdate): { afi: number; safi: number } | undefined {
  if (update.withdrawn.length !== 0 || update.announced.length !== 0) return undefined;
  const attrs = update.attributes;
  if (hasNoAttributes(attrs, undefined)) return { afi: 1, safi: 1 };
  const un = attrs.mpUnreach;
  if (un !== undefined && un.nlri.length === 0 && un.unknownNlri === undefined && hasNoAttributes(attrs, 'mpUnreach')) {
    return { afi: un.afi, safi: un.safi };
  }
  return undefined;
}

/** Apply a decoded UPDATE of `target` to the RIB. */
export function applyUpdate(rib: Rib, target: UpdateTarget, update: BgpUpdate): ApplyResult {
  const result: ApplyResult = { announced: 0, withdrawn: 0, endOfRib: endOfRibFamily(update) };
  const pv = (afi: number, safi: number): number => rib.peerView({ ...target, afi, safi });
  if (result.endOfRib !== undefined) {
    rib.endOfRib(pv(result.endOfRib.afi, result.endOfRib.safi));
    return result;
  }
  const withdraw = (list: readonly Nlri[], afi: number, safi: number): void => {
    if (list.length === 0) return;
    const id = pv(afi, safi);
    for (const n of list) {
      const table = rib.table(n.rd === undefined ? null : formatRouteDistinguisher(n.rd));
      if (rib.withdraw(id, table, n.prefix, n.pathId ?? 0)) result.withdrawn++;
    }
  };
  const announce = (list: readonly Nlri[], afi: number, safi: number, multiprotocol: boolean): void => {
    if (list.length === 0) return;
    if (update.treatAsWithdraw) return withdraw(list, afi, safi);
    const id = pv(afi, safi);
    const attr = internUpdateAttributes(rib, update.attributes, multiprotocol);
    for (const n of list) {
      const table = rib.table(n.rd === undefined ? null : formatRouteDistinguisher(n.rd));
      rib.announce(id, table, n.prefix, n.pathId ?? 0, attr);
      result.announced++;
    }
    rib.releaseAttributes(attr);
  };
  withdraw(update.withdrawn, 1, 1);
  const un = update.attributes.mpUnreach;
  if (un !== undefined) withdraw(un.nlri, un.afi, un.safi);
  const reach = update.attributes.mpReach;
  if (reach !== undefined) announce(reach.nlri, reach.afi, reach.safi, true);
  announce(update.announced, 1, 1, false);
  return result;
}

/**
 * Peer-view ids resolved for one {@link UpdateTarget} object, by AFI/SAFI. An entry is only a
 * hint: it is used while the registry still says the pv is the ACTIVE one of exactly this
 * (peer, view, AFI, SAFI) and the peer is up, so Peer Up/Down, router down/flush and pv reuse
 * need no explicit invalidation (the registry keeps at most one ACTIVE pv per key, so a pv
 * that passes the check is the one `Rib.peerView` would return).
 */
interface TargetPeerViews {
  /** The target's peer record (stable: the registry never drops peers). */
  peer: PeerRecord;
  /** The target's view rank. */
  view: number;
  /** Per entry: `afi << 8 | safi`, -1 for unused. */
  readonly family: Int32Array;
  /** Per entry: the pv last resolved for that family. */
  readonly pv: Uint32Array;
}

/**
 * The canonical bytes and summary of one route attribute set of a remembered block, and the
 * pool id they were last interned as with its stamp: a recalled block takes that id again by
 * the stamp (no hash, no byte compare) while the pool still holds it.
 */
interface CanonicalSet {
  /** The canonical bytes are `storage[0, length)` (storage reused by the blocks that take the slot). */
  storage: Uint8Array;
  /** -1 until made for the block now in the slot. */
  length: number;
  readonly summary: AttributeSummary;
  /** Pool id of the last interning, 0 before the first. */
  id: number;
  /** That id's stamp (`AttributePool.stampOf`). */
  stamp: number;
}

/**
 * An attribute block a {@link RibUpdateVisitor} decoded before (see its `recallAttributes`):
 * the key walkUpdate gave it, the decode, and the canonical route attribute sets made from
 * it so far. Holds no attribute-pool reference: a hit interns the canonical bytes again.
 * One object per slot of the visitor's table, overwritten in place by the next block that
 * takes the slot (its byte storage reused): a cache miss allocates no key or set buffers.
 */
interface RememberedBlock {
  /** The key's words are `key[0, keyLength)` (see AttributeBlockKey.words). */
  key: Int32Array;
  keyLength: number;
  hash: number;
  ctx: BgpDecodeContext;
  decoded: DecodedAttributes;
  /** The set of the NLRI-field routes (length -1 until made). */
  readonly nlri: CanonicalSet;
  /** The set of the MP_REACH_NLRI routes (length -1 until made). */
  readonly mp: CanonicalSet;
}

/** Attribute blocks remembered per visitor (direct-mapped by key hash; a power of two). */
const REMEMBERED_BLOCKS = 256;

function sameKey(block: RememberedBlock, key: AttributeBlockKey): boolean {
  return block.hash === key.hash && block.ctx === key.ctx && attributeBlockKeyEquals(key, block.key, block.keyLength);
}

/** What a visitor's `raw` holds between UPDATEs (no message's bytes). */
const NO_BYTES = new Uint8Array(0);

function emptySet(): CanonicalSet {
  return { storage: new Uint8Array(128), length: -1, summary: emptySummary(), id: 0, stamp: 0 };
}

/**
 * Make `set`, the canonical set of a block's NLRI-field or MP_REACH routes: the raw block's
 * bytes when they are already canonical (see canonicalRouteBytes), else encoded from the
 * decoded set. The summary is the decoded attributes' (the route set differs only in next hop
 * and NLRI).
 */
function makeCanonicalSet(set: CanonicalSet, attrs: PathAttributes, multiprotocol: boolean, raw: Uint8Array, rawStart: number, rawEnd: number, rawCtx: BgpDecodeContext, counts: { copied: number; encoded: number }): void {
  if (set.storage.length < rawEnd - rawStart) set.storage = new Uint8Array(Math.max(rawEnd - rawStart, 2 * set.storage.length));
  const n = canonicalRouteBytes(raw, rawStart, rawEnd, rawCtx, multiprotocol, set.storage);
  if (n >= 0) {
    set.length = n;
    counts.copied++;
  } else {
    const bytes = encodeRouteAttributes(routeAttributes(attrs, multiprotocol));
    if (set.storage.length < bytes.length) set.storage = bytes;
    else set.storage.set(bytes);
    set.length = bytes.length;
    counts.encoded++;
  }
  summarizeAttributes(attrs, set.summary);
  set.id = 0;
  set.stamp = 0;
}

/** Families cached per target (IPv4/IPv6 unicast, multicast, labeled, VPN fit; more are replaced round-robin). */
const CACHED_FAMILIES = 8;

/**
 * A `walkUpdate` visitor that writes routes straight into the RIB. Reuse one per session;
 * set {@link target} when the peer changes (reuse one target object per peer and view: the
 * resolved peer-view ids are cached per target object, so an UPDATE costs no string key or
 * object copy to find its peer-view). Per route it allocates nothing (VPN routes: one string
 * per change of route distinguisher).
 */
export class RibUpdateVisitor implements UpdateVisitor {
  /** Routes announced so far. */
  announced = 0;
  /** Routes withdrawn so far (that were present). */
  withdrawn = 0;
  private attrs: PathAttributes | undefined;
  private attrNlri = 0;
  private attrMp = 0;
  private pvAfi = -1;
  private pvSafi = -1;
  private pv = 0;
  private rdType = -1;
  private rdAdmin = -1;
  private rdAssigned = -1;
  private rdTable = 0;
  private readonly targetViews = new WeakMap<UpdateTarget, TargetPeerViews>();
  /** The target {@link cachedPeerView} last used, and its entry of `targetViews`. */
  private lastTarget: UpdateTarget | undefined = undefined;
  private lastViews: TargetPeerViews | undefined = undefined;
  private nextSlot = 0;
  /** Peer-view resolutions that took the slow path (`Rib.peerView`), for tests and profiling. */
  peerViewMisses = 0;
  /** Attribute blocks decoded before, by `hash & (REMEMBERED_BLOCKS - 1)`. */
  private readonly blocks: (RememberedBlock | undefined)[] = new Array<RememberedBlock | undefined>(REMEMBERED_BLOCKS).fill(undefined);
  /** The block {@link recallAttributes} last found. */
  private recalled: RememberedBlock | undefined;
  /** The remembered block of the current UPDATE's attributes, if any. */
  private block: RememberedBlock | undefined;
  /** UPDATEs whose attribute block was recalled rather than decoded, for tests and profiling. */
  blockHits = 0;
  /**
   * Canonical route attribute sets made for remembered blocks: `copied` straight from the
   * raw block (already canonical), `encoded` from the decoded set. For tests and profiling.
   */
  readonly canonicalSets = { copied: 0, encoded: 0 };
  /** The current UPDATE's raw attribute block (see {@link attributes}). */
  private raw: Uint8Array = NO_BYTES;
  private rawStart = 0;
  private rawEnd = 0;
  private rawCtx: BgpDecodeContext | undefined;

  constructor(
    private readonly rib: Rib,
    /** Whose routes the next UPDATEs carry. */
    public target: UpdateTarget,
  ) {}

  /**
   * Before decoding: the attributes of an equal block decoded before under the same context,
   * so walkUpdate need not decode it and announcements need not re-encode it. Only blocks
   * that decoded without any RFC 7606 error are remembered (see {@link attributes}).
   */
  recallAttributes(key: AttributeBlockKey): DecodedAttributes | undefined {
    const block = this.blocks[key.hash & (REMEMBERED_BLOCKS - 1)];
    if (block === undefined || !sameKey(block, key)) return undefined;
    this.recalled = block;
    this.blockHits++;
    return block.decoded;
  }

  /**
   * Start of an UPDATE: remember its attributes (interned lazily, per kind of route) and
   * where its raw block lies and, given a `key` (a freshly decoded block), the block for
   * {@link recallAttributes}.
   */
  attributes(decoded: DecodedAttributes, key: AttributeBlockKey | undefined, source: AttributeBlockSource): void {
    this.finish();
    this.attrs = decoded.attributes;
    this.raw = source.bytes;
    this.rawStart = source.start;
    this.rawEnd = source.end;
    this.rawCtx = source.ctx;
    this.pvAfi = -1;
    let block = this.recalled;
    this.recalled = undefined;
    if (block !== undefined && block.decoded.attributes !== decoded.attributes) block = undefined;
    if (block === undefined && key !== undefined && key.length > 1 && decoded.errors.length === 0 && !decoded.treatAsWithdraw && decoded.unknownFamilies === 0 && decoded.attributes.mpUnreach === undefined) {
      block = this.remember(key, decoded);
    }
    this.block = block;
  }

  /** Put a freshly decoded block in its slot, in the slot's object and storage. */
  private remember(key: AttributeBlockKey, decoded: DecodedAttributes): RememberedBlock {
    const slot = key.hash & (REMEMBERED_BLOCKS - 1);
    const n = key.wordCount;
    let block = this.blocks[slot];
    if (block === undefined) {
      block = { key: new Int32Array(Math.max(64, n)), keyLength: 0, hash: 0, ctx: key.ctx, decoded, nlri: emptySet(), mp: emptySet() };
      this.blocks[slot] = block;
    } else if (block.key.length < n) {
      block.key = new Int32Array(Math.max(n, 2 * block.key.length));
    }
    copyAttributeBlockKey(key, block.key);
    block.keyLength = n;
    block.hash = key.hash;
    block.ctx = key.ctx;
    block.decoded = decoded;
    block.nlri.length = -1;
    block.mp.length = -1;
    return block;
  }

  /**
   * End of an UPDATE: release the attribute references it took and, given the walk's result,
   * act on an End-of-RIB marker. Call after each `walkUpdate`.
   */
  finish(result?: WalkResult): void {
    if (result !== undefined && result.announced === 0 && result.withdrawn === 0) {
      const d = result.decoded;
      const attrs = d.attributes;
      if (hasNoAttributes(attrs, undefined)) this.rib.endOfRib(this.peerView(1, 1));
      else if (attrs.mpUnreach !== undefined && d.mpUnreachNlriStart === d.mpUnreachNlriEnd && d.mpUnreachNlriStart >= 0 && hasNoAttributes(attrs, 'mpUnreach')) {
        this.rib.endOfRib(this.peerView(attrs.mpUnreach.afi, attrs.mpUnreach.safi));
      }
    }
    if (this.attrNlri !== 0) this.rib.releaseAttributes(this.attrNlri);
    if (this.attrMp !== 0) this.rib.releaseAttributes(this.attrMp);
    this.attrNlri = this.attrMp = 0;
    this.attrs = undefined;
    this.block = undefined;
    this.raw = NO_BYTES;
    this.rawCtx = undefined;
  }

  /** Intern the set of the current UPDATE's NLRI-field or MP_REACH routes (one reference). */
  private intern(attrs: PathAttributes, multiprotocol: boolean): number {
    const block = this.block;
    if (block === undefined) return internUpdateAttributes(this.rib, attrs, multiprotocol);
    const set = multiprotocol ? block.mp : block.nlri;
    if (set.length < 0) makeCanonicalSet(set, attrs, multiprotocol, this.raw, this.rawStart, this.rawEnd, this.rawCtx!, this.canonicalSets);
    const rib = this.rib;
    if (set.id !== 0 && rib.retainAttributes(set.id, set.stamp)) return set.id;
    const id = rib.internAttributes(set.storage, 0, set.length, set.summary);
    set.id = id;
    set.stamp = rib.attributes.stampOf(id);
    return id;
  }

  private peerView(afi: number, safi: number): number {
    if (afi !== this.pvAfi || safi !== this.pvSafi) {
      this.pv = this.cachedPeerView(afi, safi);
      this.pvAfi = afi;
      this.pvSafi = safi;
    }
    return this.pv;
  }

  /** The ACTIVE pv of the target's (afi, safi): from the per-target cache when still valid. */
  private cachedPeerView(afi: number, safi: number): number {
    const target = this.target;
    const family = (afi << 8) | safi;
    // Consecutive UPDATEs are mostly of one target: no WeakMap lookup for those.
    let views = target === this.lastTarget ? this.lastViews : this.targetViews.get(target);
    if (views !== undefined) {
      this.lastTarget = target;
      this.lastViews = views;
      const reg = this.rib.registry;
      const peer = views.peer;
      for (let i = 0; i < CACHED_FAMILIES; i++) {
        if (views.family[i] !== family) continue;
        const pv = views.pv[i]!;
        if (peer.state === 'up' && reg.pvState[pv] === PV_ACTIVE && reg.pvPeer[pv] === peer.id && reg.pvView[pv] === views.view && reg.pvAfi[pv] === afi && reg.pvSafi[pv] === safi) {
          return pv;
        }
        break;
      }
    }
    this.peerViewMisses++;
    const pv = this.rib.peerView({ router: target.router, peer: target.peer, view: target.view, afi, safi });
    if (views === undefined) {
      const reg = this.rib.registry;
      views = { peer: reg.peerById(reg.pvPeer[pv]!), view: viewRank(target.view), family: new Int32Array(CACHED_FAMILIES).fill(-1), pv: new Uint32Array(CACHED_FAMILIES) };
      this.targetViews.set(target, views);
      this.lastTarget = target;
      this.lastViews = views;
    }
    let slot = views.family.indexOf(family);
    if (slot < 0) slot = views.family.indexOf(-1);
    if (slot < 0) slot = this.nextSlot++ % CACHED_FAMILIES;
    views.family[slot] = family;
    views.pv[slot] = pv;
    return pv;
  }

  private table(c: NlriCursor): number {
    if (!c.hasRd) return 0;
    if (c.rdType !== this.rdType || c.rdAdmin !== this.rdAdmin || c.rdAssigned !== this.rdAssigned) {
      this.rdType = c.rdType;
      this.rdAdmin = c.rdAdmin;
      this.rdAssigned = c.rdAssigned;
      this.rdTable = this.rib.table(formatRouteDistinguisher({ type: c.rdType, admin: c.rdAdmin, assigned: c.rdAssigned }));
    }
    return this.rdTable;
  }

  withdraw(c: NlriCursor): void {
    const pv = this.peerView(c.afi, c.safi);
    if (this.rib.withdrawWords(pv, this.table(c), c.family as Family, c.w0 | 0, c.w1 | 0, c.w2 | 0, c.w3 | 0, c.length, c.hasPathId ? c.pathId : 0)) this.withdrawn++;
  }

  announce(c: NlriCursor): void {
    const attrs = this.attrs!;
    // The cursor does not say which field a route came from: an IPv4-unicast route takes the
    // MP_REACH next hop only when the UPDATE has no NEXT_HOP (RFC 8950 style).
    const reach = attrs.mpReach;
    const multiprotocol = reach !== undefined && reach.afi === c.afi && reach.safi === c.safi && !(c.afi === 1 && c.safi === 1 && attrs.nextHop !== undefined);
    let attr = multiprotocol ? this.attrMp : this.attrNlri;
    if (attr === 0) {
      attr = this.intern(attrs, multiprotocol);
      if (multiprotocol) this.attrMp = attr;
      else this.attrNlri = attr;
    }
    const pv = this.peerView(c.afi, c.safi);
    // The cursor holds uint32 words; `| 0` passes the same bits as int32, which V8 does not box
    // for a call it does not inline (see RibWriter.announceWords).
    this.rib.announceWords(pv, this.table(c), c.family as Family, c.w0 | 0, c.w1 | 0, c.w2 | 0, c.w3 | 0, c.length, c.hasPathId ? c.pathId : 0, attr);
    this.announced++;
  }
}
