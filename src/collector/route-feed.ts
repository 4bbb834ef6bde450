/**
 * RouteFeed: BGP UPDATEs and MRT RIB entries into the {@link Rib}, for one router at a time.
 *
 * It walks an UPDATE with wire/bgp's allocation-light `walkUpdate` (no route objects), interns
 * the UPDATE's attributes once (canonical bytes, see route-attributes.ts), and announces or
 * withdraws each NLRI under the peer-view of its (router, peer, view, AFI/SAFI), in the table
 * of its route distinguisher. RFC 7606 treat-as-withdraw arrives from the walker as
 * withdrawals. An UPDATE with no routes is an End-of-RIB marker (RFC 4724): IPv4 unicast when
 * it is empty, the MP_UNREACH family otherwise; the RIB then sweeps the peer-view's stale twin.
 *
 * Invariant: the feed holds exactly one reference to an interned set while it announces with
 * it, and gives it back before returning (the routes keep their own references).
 */
import { Prefix } from '../ip/prefix.js';
import { emptySummary } from '../rib/attribute-pool.js';
import type { PeerKey, View } from '../rib/peer-registry.js';
import type { Rib } from '../rib/rib.js';
import type { DecodedAttributes } from '../wire/bgp/attributes.js';
import type { BgpDecodeContext } from '../wire/bgp/context.js';
import { NlriCursor } from '../wire/bgp/nlri.js';
import { formatRouteDistinguisher } from '../wire/bgp/route-distinguisher.js';
import type { PathAttributes } from '../wire/bgp/types.js';
import { type UpdateVisitor, walkUpdate } from '../wire/bgp/update.js';
import { canonicalAttributes, summarise } from './route-attributes.js';

/** What applying one UPDATE did. */
export interface UpdateOutcome {
  announced: number;
  withdrawn: number;
  /** RFC 7606 treat-as-withdraw applied (announcements were withdrawn). */
  treatAsWithdraw: boolean;
  /** The UPDATE was an End-of-RIB marker. */
  endOfRib: boolean;
}

/** Feeds routes of one router into a RIB; reuse one per session (it keeps scratch state). */
export class RouteFeed {
  private readonly rib: Rib;
  private readonly router: string;
  private readonly cursor = new NlriCursor();
  private readonly summary = emptySummary();
  /** The peer and view of the UPDATE being applied, and its peer-view cache (by AFI/SAFI). */
  private peer: PeerKey | null = null;
  private view: View = 'adj-rib-in-pre';
  private readonly peerViews = new Map<number, number>();
  private attributes: PathAttributes | null = null;
  private attr = 0;
  private readonly rdTables = new Map<string, number>();
  private readonly visitor: UpdateVisitor;

  constructor(rib: Rib, router: string) {
    this.rib = rib;
    this.router = router;
    this.visitor = {
      attributes: (decoded: DecodedAttributes) => {
        this.attributes = decoded.attributes;
      },
      withdraw: (route: NlriCursor) => {
        this.rib.withdraw(this.peerView(route.afi, route.safi), this.tableOf(route), prefixOf(route), route.hasPathId ? route.pathId : 0);
      },
      announce: (route: NlriCursor) => {
        if (this.attr === 0) this.attr = this.intern(this.attributes!);
        this.rib.announce(this.peerView(route.afi, route.safi), this.tableOf(route), prefixOf(route), route.hasPathId ? route.pathId : 0, this.attr);
      },
    };
  }

  /**
   * Apply one UPDATE (BGP header included, at `offset` of `bytes`) for `peer`'s `view`.
   * @throws BgpDecodeError when the UPDATE cannot be parsed (nothing is applied then).
   */
  applyUpdate(peer: PeerKey, view: View, bytes: Uint8Array, offset: number, context: BgpDecodeContext): UpdateOutcome {
    this.begin(peer, view);
    try {
      const result = walkUpdate(bytes, offset, context, this.visitor, this.cursor);
      let endOfRib = false;
      if (result.announced === 0 && result.withdrawn === 0) {
        const a = result.decoded.attributes;
        const family = endOfRibFamily(a);
        if (family !== undefined) {
          endOfRib = true;
          this.rib.endOfRib(this.peerView(family >>> 8, family & 0xff));
        }
      }
      return { announced: result.announced, withdrawn: result.withdrawn, treatAsWithdraw: result.decoded.treatAsWithdraw, endOfRib };
    } finally {
      this.end();
    }
  }

  /**
   * Announce one route with already decoded attributes (an MRT RIB entry): `prefix` in the
   * global table (or the table of `rd`), for `peer`'s `view` of `afi`/`safi`.
   */
  announceRoute(peer: PeerKey, view: View, afi: number, safi: number, prefix: Prefix, pathId: number, attributes: PathAttributes, rd: string | null = null): void {
    this.begin(peer, view);
    try {
      this.attr = this.intern(attributes);
      this.rib.announce(this.peerView(afi, safi), rd === null ? 0 : this.rib.table(rd), prefix, pathId, this.attr);
    } finally {
      this.end();
    }
  }

  private begin(peer: PeerKey, view: View): void {
    if (this.peer !== peer || this.view !== view) {
      this.peer = peer;
      this.view = view;
    }
    this.peerViews.clear();
    this.attributes = null;
    this.attr = 0;
  }

  private end(): void {
    if (this.attr !== 0) this.rib.releaseAttributes(this.attr);
    this.attr = 0;
    this.attributes = null;
  }

  private intern(attributes: PathAttributes): number {
    const bytes = canonicalAttributes(attributes);
    return this.rib.internAttributes(bytes, 0, bytes.length, summarise(attributes, this.summary));
  }

  /** The ACTIVE peer-view of the current peer and view for a family (resolved once per UPDATE). */
  private peerView(afi: number, safi: number): number {
    const key = (afi << 8) | safi;
    let pv = this.peerViews.get(key);
    if (pv === undefined) {
      pv = this.rib.peerView({ router: this.router, peer: this.peer!, view: this.view, afi, safi });
      this.peerViews.set(key, pv);
    }
    return pv;
  }

  private tableOf(route: NlriCursor): number {
    if (!route.hasRd) return 0;
    const text = formatRouteDistinguisher({ type: route.rdType, admin: route.rdAdmin, assigned: route.rdAssigned });
    let table = this.rdTables.get(text);
    if (table === undefined) {
      table = this.rib.table(text);
      this.rdTables.set(text, table);
    }
    return table;
  }
}

function prefixOf(route: NlriCursor): Prefix {
  return new Prefix(route.family, route.w0, route.w1, route.w2, route.w3, route.length);
}

/**
 * The family (`afi << 8 | safi`) an UPDATE without routes marks as End-of-RIB, or undefined:
 * no attributes at all is IPv4 unicast; only an empty MP_UNREACH_NLRI is its family.
 */
function endOfRibFamily(a: PathAttributes): number | undefined {
  let only: string | undefined;
  for (const [name, value] of Object.entries(a)) {
    if (value === undefined) continue;
    if (only !== undefined) return undefined;
    only = name;
  }
  if (only === undefined) return (1 << 8) | 1;
  if (only === 'mpUnreach' && a.mpUnreach!.nlri.length === 0 && a.mpUnreach!.unknownNlri === undefined) return (a.mpUnreach!.afi << 8) | a.mpUnreach!.safi;
  return undefined;
}
