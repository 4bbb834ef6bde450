/**
 * RouteFeed: one router's BGP UPDATEs and MRT RIB entries into the {@link Rib}.
 *
 * UPDATEs are walked with wire/bgp's allocation-light `walkUpdate` straight into the RIB's own
 * {@link RibUpdateVisitor} (rib/update-ingest.ts: interned attributes, treat-as-withdraw,
 * End-of-RIB), so the collector and the MRT loader share one ingest path with the RIB's
 * tests. MRT RIB entries (attributes without an UPDATE around them) are interned with the
 * same codec and announced under a cached peer-view.
 *
 * Invariant: every reference the feed takes on an attribute set is given back before a call
 * returns (the routes keep their own); peer-view ids cached for MRT entries are forgotten
 * with {@link RouteFeed.invalidatePeerViews} whenever the RIB may have retired them.
 */
import type { Prefix } from '../ip/prefix.js';
import type { PeerKey, View } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import { RibUpdateVisitor, type UpdateTarget, internUpdateAttributes } from '../rib/update-ingest.js';
import type { BgpDecodeContext } from '../wire/bgp/context.js';
import { NlriCursor } from '../wire/bgp/nlri.js';
import type { PathAttributes } from '../wire/bgp/types.js';
import { type UpdateVisitor, type WalkResult, walkUpdate } from '../wire/bgp/update.js';
import type { BmpSession } from '../wire/bmp/session.js';
import type { BmpPeerHeader } from '../wire/bmp/peer-header.js';

/** What applying one UPDATE did. */
export interface UpdateOutcome {
  /** Routes announced, and withdrawn (that were present). */
  announced: number;
  withdrawn: number;
  /** RFC 7606 treat-as-withdraw applied (the announcements were withdrawn). */
  treatAsWithdraw: boolean;
  /** The UPDATE carried no route (an End-of-RIB marker, or empty). */
  empty: boolean;
}

/** Peers whose reusable UPDATE targets a feed keeps (a router has hundreds at most). */
const MAX_CACHED_TARGETS = 65536;

/** Feeds routes of one router into a RIB; keep one per session (it reuses scratch state). */
export class RouteFeed {
  private readonly rib: Rib;
  private readonly router: string;
  private readonly cursor = new NlriCursor();
  private readonly visitor: RibUpdateVisitor;
  /** Peer-view ids for MRT entries, by peer key object, then `afi << 8 | safi` and view. */
  private readonly peerViews = new Map<PeerKey, Map<string, number>>();
  /**
   * One {@link UpdateTarget} object per (peer key object, view), reused so the visitor's
   * per-target peer-view cache keeps hitting when UPDATEs of several peers interleave.
   */
  private readonly targets = new Map<PeerKey, Map<View, UpdateTarget>>();
  /** The outcome every apply returns (reused: no object per UPDATE). */
  private readonly outcome: UpdateOutcome = { announced: 0, withdrawn: 0, treatAsWithdraw: false, empty: false };
  /** The UPDATE {@link applyMonitoring} is applying (its peer header, bytes and offset), and its session. */
  private monitoringPeer: BmpPeerHeader | null = null;
  private monitoringBytes: Uint8Array | null = null;
  private monitoringAt = 0;
  private session: BmpSession | null = null;
  /** The walk of {@link applyMonitoring}, made once instead of a closure per message. */
  private readonly walkMonitoring = (visitor: UpdateVisitor): WalkResult => this.session!.walkUpdateAt(this.monitoringPeer!, this.monitoringBytes!, this.monitoringAt, visitor);

  constructor(rib: Rib, router: string) {
    this.rib = rib;
    this.router = router;
    this.visitor = new RibUpdateVisitor(rib, { router, peer: { type: 0, distinguisher: '0:0', address: '0.0.0.0', asn: 0, bgpId: 0 }, view: 'adj-rib-in-pre' });
  }

  /**
   * UPDATEs whose attribute block was recalled from the visitor's cache of blocks decoded
   * before (no decode, no canonical re-encode), since the feed was made.
   */
  get attributeBlockHits(): number {
    return this.visitor.blockHits;
  }

  /**
   * Apply one UPDATE (BGP header included, at `offset` of `bytes`) for `peer`'s `view`,
   * decoded with `context`. The returned outcome is reused: read it before the next apply.
   * @throws BgpDecodeError when the UPDATE cannot be parsed (nothing is applied then).
   */
  applyUpdate(peer: PeerKey, view: View, bytes: Uint8Array, offset: number, context: BgpDecodeContext): UpdateOutcome {
    return this.applyWalk(peer, view, (visitor) => walkUpdate(bytes, offset, context, visitor, this.cursor));
  }

  /**
   * Apply one UPDATE for `peer`'s `view` through `walk`, which runs a `walkUpdate` with the
   * given visitor: the BMP collector passes its session's `walkUpdate`, which picks the
   * peer's decode context and retries with the other AS size or ADD-PATH setting when a
   * router mislabels its UPDATEs. The returned outcome is reused: read it before the next apply.
   * @throws BgpDecodeError when the UPDATE cannot be parsed (nothing is applied then).
   */
  applyWalk(peer: PeerKey, view: View, walk: (visitor: UpdateVisitor) => WalkResult): UpdateOutcome {
    const visitor = this.visitor;
    const target = visitor.target;
    if (target.peer !== peer || target.view !== view) visitor.target = this.target(peer, view);
    const announcedBefore = visitor.announced;
    const withdrawnBefore = visitor.withdrawn;
    let result: WalkResult;
    try {
      result = walk(visitor);
    } catch (error) {
      visitor.finish();
      throw error;
    }
    visitor.finish(result);
    const outcome = this.outcome;
    outcome.announced = visitor.announced - announcedBefore;
    outcome.withdrawn = visitor.withdrawn - withdrawnBefore;
    outcome.treatAsWithdraw = result.decoded.treatAsWithdraw;
    outcome.empty = result.announced === 0 && result.withdrawn === 0;
    return outcome;
  }

  /**
   * Apply the UPDATE of a BMP Route Monitoring message of `header`'s peer, at `at` of `bytes`
   * (the message's `update` view at 0, or the UPDATE read in place in a receive buffer), for
   * `peer`'s `view` through `session`'s `walkUpdateAt` (its decode context and retries):
   * {@link applyWalk} without a closure per message. The returned outcome is reused: read it
   * before the next apply.
   * @throws BgpDecodeError when the UPDATE cannot be parsed (nothing is applied then; its
   *   offset is a position in `bytes`).
   */
  applyMonitoring(peer: PeerKey, view: View, session: BmpSession, header: BmpPeerHeader, bytes: Uint8Array, at: number): UpdateOutcome {
    this.session = session;
    this.monitoringPeer = header;
    this.monitoringBytes = bytes;
    this.monitoringAt = at;
    try {
      return this.applyWalk(peer, view, this.walkMonitoring);
    } finally {
      this.session = null;
      this.monitoringPeer = null;
      this.monitoringBytes = null;
    }
  }

  /**
   * Announce one route whose attributes were decoded from an MRT RIB entry: `prefix` (global
   * table) for `peer`'s `view` of `afi`/`safi`. `seenAt` (seconds since the epoch, the entry's
   * originated time) stamps the route's receivedAt / changedAt; omitted, the RIB's clock does.
   */
  announceRoute(peer: PeerKey, view: View, afi: number, safi: number, prefix: Prefix, pathId: number, attributes: PathAttributes, seenAt = -1): void {
    const multiprotocol = attributes.mpReach !== undefined && !(afi === 1 && safi === 1 && attributes.nextHop !== undefined);
    const attr = internUpdateAttributes(this.rib, attributes, multiprotocol);
    try {
      this.rib.announce(this.peerView(peer, view, afi, safi), 0, prefix, pathId, attr, seenAt);
    } finally {
      this.rib.releaseAttributes(attr);
    }
  }

  private target(peer: PeerKey, view: View): UpdateTarget {
    let byView = this.targets.get(peer);
    if (byView === undefined) {
      // Bounded: a caller passing a fresh key object per UPDATE must not grow this forever.
      if (this.targets.size >= MAX_CACHED_TARGETS) this.targets.clear();
      byView = new Map();
      this.targets.set(peer, byView);
    }
    let target = byView.get(view);
    if (target === undefined) {
      target = { router: this.router, peer, view };
      byView.set(view, target);
    }
    return target;
  }

  /** Forget cached peer-views (after Peer Up/Down, a router going up or down, a flush). */
  invalidatePeerViews(): void {
    this.peerViews.clear();
    this.targets.clear();
  }

  private peerView(peer: PeerKey, view: View, afi: number, safi: number): number {
    let views = this.peerViews.get(peer);
    if (!views) {
      views = new Map();
      this.peerViews.set(peer, views);
    }
    const key = `${view}|${afi}|${safi}`;
    let pv = views.get(key);
    if (pv === undefined) {
      pv = this.rib.peerView({ router: this.router, peer, view, afi, safi });
      views.set(key, pv);
    }
    return pv;
  }
}
