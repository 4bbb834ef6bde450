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
 * carry none. Records without routes (PEER_INDEX_TABLE, OPEN, state changes...) give none.
 */
import type { Address } from '../../ip/address.js';
import type { Prefix } from '../../ip/prefix.js';
import { type BgpDecodeContext, createDecodeContext } from '../bgp/context.js';
import { decodePathAttributes } from '../bgp/attributes.js';
import { decodeBgpMessage } from '../bgp/message.js';
import type { Nlri, PathAttributes } from '../bgp/types.js';
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
      const message = decodeBgpMessage(record.message, 0, MESSAGE_CONTEXTS[record.fourOctetAs ? 1 : 0]![record.addPath ? 1 : 0]!);
      if (message.type !== 'update') return;
      const route = (kind: 'announce' | 'withdraw', n: Nlri, attributes: PathAttributes | undefined): MrtRoute => ({
        kind,
        timestamp: h.timestamp,
        microseconds: h.microseconds,
        peerAddress: record.peerAddress,
        peerAs: record.peerAs,
        prefix: n.prefix,
        pathId: n.pathId,
        attributes,
      });
      const withdraw = (n: Nlri) => visit(route('withdraw', n, undefined));
      const announce = (n: Nlri) => visit(route('announce', n, message.attributes));
      message.withdrawn.forEach(withdraw);
      message.attributes.mpUnreach?.nlri.forEach(withdraw);
      if (message.treatAsWithdraw) {
        message.announced.forEach(withdraw);
        message.attributes.mpReach?.nlri.forEach(withdraw);
      } else {
        message.announced.forEach(announce);
        message.attributes.mpReach?.nlri.forEach(announce);
      }
      return;
    }
    default:
      return;
  }
}
