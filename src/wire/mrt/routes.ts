/**
 * MRT records -> routes: the RIB entries and UPDATE contents of a record as one flat
 * {@link MrtRoute} each, with path attributes decoded by `wire/bgp`.
 *
 * This is where the MRT layer hands its byte blocks to the BGP codec with the right
 * context: TABLE_DUMP_V2 RIB entries always use 4-octet AS numbers and may carry the
 * abbreviated MP_REACH_NLRI (next hop only, RFC 6396 section 4.3.4), so they are decoded
 * with `mrtRibEntry` set to the record's AFI/SAFI; TABLE_DUMP (v1) uses 2-octet AS numbers;
 * BGP4MP messages use the AS size and ADD-PATH flag of their subtype.
 *
 * Invariant: one route per (prefix, path id) per entry or per UPDATE NLRI, announcements
 * carrying the attributes object of their entry/UPDATE (shared, not copied); withdrawals
 * carry none. Under RFC 7606 treat-as-withdraw an UPDATE's announcements come as withdrawals.
 * Records without routes (PEER_INDEX_TABLE, OPEN, state changes...) give none.
 */
import type { Address } from '../../ip/address.js';
import type { Prefix } from '../../ip/prefix.js';
import { type BgpDecodeContext, createDecodeContext } from '../bgp/context.js';
import { decodePathAttributes } from '../bgp/attribute-decode.js';
import { decodeBgpMessage } from '../bgp/message.js';
import { NlriCursor } from '../bgp/nlri.js';
import type { PathAttributes } from '../bgp/types.js';
import { walkUpdate } from '../bgp/update.js';
import { mrtTypeName } from './constants.js';
import type { MrtRecord } from './records.js';

/** One route announcement or withdrawal from an MRT record. */
export interface MrtRoute {
  /** `rib` for a RIB dump entry, `announce`/`withdraw` for UPDATE contents. */
  kind: 'rib' | 'announce' | 'withdraw';
  timestamp: number;
  microseconds: number;
  peerAddress: Address;
  peerAs: number;
  prefix: Prefix;
  /** ADD-PATH path identifier, else undefined. */
  pathId: number | undefined;
  /** The route's path attributes (undefined for withdrawals). */
  attributes: PathAttributes | undefined;
}

const FAMILIES = [1, 2].flatMap((afi) => [1, 2, 4, 128].map((safi) => ({ afi, safi })));
const RIB_CONTEXTS = new Map<number, BgpDecodeContext>();
const TWO_OCTET = createDecodeContext();
const MESSAGE_CONTEXTS = [false, true].map((fourOctetAs) =>
  [false, true].map((addPath) => createDecodeContext({ fourOctetAs, addPath: addPath ? FAMILIES : [], extendedMessage: true })),
);
const cursor = new NlriCursor();

function messageContext(fourOctetAs: boolean, addPath: boolean): BgpDecodeContext {
  return MESSAGE_CONTEXTS[fourOctetAs ? 1 : 0]![addPath ? 1 : 0]!;
}

function ribContext(afi: number, safi: number): BgpDecodeContext {
  const key = afi * 256 + safi;
  let ctx = RIB_CONTEXTS.get(key);
  if (!ctx) {
    ctx = createDecodeContext({ fourOctetAs: true, mrtRibEntry: { afi, safi } });
    RIB_CONTEXTS.set(key, ctx);
  }
  return ctx;
}

/**
 * Call `visit` for every route of `record`.
 * @throws BgpDecodeError for an attribute block or message the BGP codec cannot read at all
 *   (RFC 7606 session-reset errors); milder errors are in the decoded attributes' data.
 */
export function forEachMrtRoute(record: MrtRecord, visit: (route: MrtRoute) => void): void {
  const h = record.header;
  switch (record.kind) {
    case 'rib': {
      if (!record.prefix) return;
      const ctx = ribContext(record.afi, record.safi);
      const what = mrtTypeName(h.type, h.subtype);
      for (const e of record.entries) {
        const decoded = decodePathAttributes(e.attributes, 0, e.attributes.length, ctx, what);
        visit({
          kind: 'rib',
          timestamp: h.timestamp,
          microseconds: h.microseconds,
          peerAddress: e.peer.address,
          peerAs: e.peer.asn,
          prefix: record.prefix,
          pathId: e.pathId,
          attributes: decoded.attributes,
        });
      }
      return;
    }
    case 'table-dump': {
      const a = record.attributes;
      const decoded = decodePathAttributes(a, 0, a.length, TWO_OCTET, mrtTypeName(h.type, h.subtype));
      visit({
        kind: 'rib',
        timestamp: h.timestamp,
        microseconds: 0,
        peerAddress: record.peerAddress,
        peerAs: record.peerAs,
        prefix: record.prefix,
        pathId: undefined,
        attributes: decoded.attributes,
      });
      return;
    }
    case 'bgp4mp-message': {
      // walkUpdate hands out routes through one reused cursor: no Nlri objects per route.
      const m = record.message;
      if (m.length < 19 || m[18] !== 2) {
        decodeBgpMessage(m, 0, messageContext(record.fourOctetAs, record.addPath)); // validates; no routes
        return;
      }
      let attributes: PathAttributes | undefined;
      const route = (kind: 'announce' | 'withdraw', c: NlriCursor): MrtRoute => ({
        kind,
        timestamp: h.timestamp,
        microseconds: h.microseconds,
        peerAddress: record.peerAddress,
        peerAs: record.peerAs,
        prefix: c.prefix(),
        pathId: c.hasPathId ? c.pathId : undefined,
        attributes: kind === 'announce' ? attributes : undefined,
      });
      walkUpdate(m, 0, messageContext(record.fourOctetAs, record.addPath), {
        attributes: (decoded) => {
          attributes = decoded.attributes;
        },
        withdraw: (c) => visit(route('withdraw', c)),
        announce: (c) => visit(route('announce', c)),
      }, cursor);
      return;
    }
    default:
      return;
  }
}
