/**
 * The JSON form of BMP messages, as `ribstore bmp dump` prints them (one object per message;
 * the shape is documented in README.md, "BMP"): every object has `offset` (stream position)
 * and `type` (the message kind); per-peer messages have `peer`; BGP PDUs are decoded with the
 * peer's context from its Peer Up (see session.ts). Values are JSON-safe: no bigint (64-bit
 * gauges print as numbers when exact, else as decimal strings), prefixes and addresses as
 * text, raw bytes as lower-case hex.
 */
import { DecodeError } from '../../errors.js';
import { formatIPv4 } from '../../ip/address.js';
import {
  formatAsPath,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  formatOrigin,
} from '../bgp/communities.js';
import { FOUR_OCTET_AS_CONTEXT } from '../bgp/context.js';
import { decodeBgpMessage } from '../bgp/message.js';
import { formatRouteDistinguisher } from '../bgp/route-distinguisher.js';
import type { BgpOpen, BgpUpdate, Nlri, PathAttributes } from '../bgp/types.js';
import { tlvText } from './encode.js';
import { BMP_STAT_TYPE_NAMES, peerTypeName } from './names.js';
import { type BmpPeerHeader, formatPeerDistinguisher } from './peer-header.js';
import type { BmpSession } from './session.js';
import type { BmpMessage, BmpStat, BmpTlv } from './types.js';

/** A JSON-safe value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Raw bytes as the JSON form shows them: lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A seconds + microseconds timestamp as ISO-8601 text with six decimals (`2024-01-01T00:00:00.000001Z`). */
export function timestampJson(seconds: number, microseconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + '.' + String(microseconds).padStart(6, '0') + 'Z';
}

/** A 64-bit value as a number when exact, else as a decimal string. */
function safeInteger(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function peerJson(peer: BmpPeerHeader): Json {
  return {
    type: peerTypeName(peer.peerType),
    flags: {
      raw: peer.flags,
      ipv6: peer.ipv6Peer,
      postPolicy: peer.postPolicy,
      legacyAsPath: peer.legacyAsPath,
      adjRibOut: peer.adjRibOut,
      filtered: peer.filtered,
    },
    distinguisher: formatPeerDistinguisher(peer),
    address: peer.address.toString(),
    as: peer.peerAs,
    bgpId: formatIPv4(peer.bgpId),
    timestamp: timestampJson(peer.timestampSeconds, peer.timestampMicroseconds),
  };
}

const INFORMATION_NAMES: Record<number, string> = { 0: 'string', 1: 'sysDescr', 2: 'sysName', 3: 'tableName' };

function informationJson(tlvs: readonly BmpTlv[]): Json[] {
  return tlvs.map((tlv): Json =>
    INFORMATION_NAMES[tlv.type] ? { type: tlv.type, name: INFORMATION_NAMES[tlv.type]!, value: tlvText(tlv) } : { type: tlv.type, hex: hex(tlv.value) },
  );
}

const TERMINATION_REASONS = ['administratively closed', 'unspecified', 'out of resources', 'redundant connection', 'permanently administratively closed'];

function terminationJson(tlvs: readonly BmpTlv[]): Json[] {
  return tlvs.map((tlv): Json => {
    if (tlv.type === 0) return { type: 0, name: 'string', value: tlvText(tlv) };
    if (tlv.type === 1 && tlv.value.length === 2) {
      const code = (tlv.value[0]! << 8) | tlv.value[1]!;
      return { type: 1, name: 'reason', code, reason: TERMINATION_REASONS[code] ?? 'unknown' };
    }
    return { type: tlv.type, hex: hex(tlv.value) };
  });
}


function statJson(stat: BmpStat): Json {
  const name = BMP_STAT_TYPE_NAMES[stat.type]?.description ?? 'unknown';
  switch (stat.shape) {
    case 'counter':
      return { type: stat.type, name, value: stat.value };
    case 'gauge':
      return { type: stat.type, name, value: safeInteger(stat.value) };
    case 'afiSafiGauge':
      return { type: stat.type, name, afi: stat.afi, safi: stat.safi, value: safeInteger(stat.value) };
    case 'raw':
      return { type: stat.type, name, hex: hex(stat.value) };
  }
}

function routeJson(route: Nlri, afi: number, safi: number): Json {
  const out: { [key: string]: Json } = { prefix: route.prefix.toString(), afi, safi };
  if (route.pathId !== undefined) out['pathId'] = route.pathId;
  if (route.labels !== undefined) out['labels'] = route.labels.map((entry) => entry >>> 4);
  if (route.rd !== undefined) out['rd'] = formatRouteDistinguisher(route.rd);
  return out;
}

function attributesJson(a: PathAttributes): Json {
  const out: { [key: string]: Json } = {};
  if (a.origin !== undefined) out['origin'] = formatOrigin(a.origin);
  if (a.asPath !== undefined) out['asPath'] = formatAsPath(a.asPath);
  const nextHop = a.mpReach?.nextHop ?? a.nextHop;
  if (nextHop !== undefined) out['nextHop'] = nextHop.toString();
  if (a.mpReach?.linkLocalNextHop) out['linkLocalNextHop'] = a.mpReach.linkLocalNextHop.toString();
  if (a.med !== undefined) out['med'] = a.med;
  if (a.localPref !== undefined) out['localPref'] = a.localPref;
  if (a.atomicAggregate) out['atomicAggregate'] = true;
  if (a.aggregator !== undefined) out['aggregator'] = { as: a.aggregator.asn, address: formatIPv4(a.aggregator.address) };
  if (a.communities !== undefined) out['communities'] = a.communities.map(formatCommunity);
  if (a.largeCommunities !== undefined) out['largeCommunities'] = a.largeCommunities.map(formatLargeCommunity);
  if (a.extendedCommunities !== undefined) out['extendedCommunities'] = a.extendedCommunities.map(formatExtendedCommunity);
  if (a.originatorId !== undefined) out['originatorId'] = formatIPv4(a.originatorId);
  if (a.clusterList !== undefined) out['clusterList'] = a.clusterList.map(formatIPv4);
  if (a.otc !== undefined) out['otc'] = a.otc;
  if (a.unknown !== undefined) out['unknown'] = a.unknown.map((u) => ({ type: u.type, flags: u.flags, hex: hex(u.value) }));
  return out;
}

function updateJson(update: BgpUpdate): { [key: string]: Json } {
  const a = update.attributes;
  const announced = update.announced.map((r) => routeJson(r, 1, 1));
  if (a.mpReach) for (const r of a.mpReach.nlri) announced.push(routeJson(r, a.mpReach.afi, a.mpReach.safi));
  const withdrawn = update.withdrawn.map((r) => routeJson(r, 1, 1));
  if (a.mpUnreach) for (const r of a.mpUnreach.nlri) withdrawn.push(routeJson(r, a.mpUnreach.afi, a.mpUnreach.safi));
  const out: { [key: string]: Json } = { announced, withdrawn, attributes: attributesJson(a) };
  if (announced.length === 0 && withdrawn.length === 0) {
    // End-of-RIB (RFC 4724): an empty UPDATE (IPv4) or an empty MP_UNREACH_NLRI.
    const onlyUnreach = a.mpUnreach && a.mpUnreach.nlri.length === 0 && !a.mpUnreach.unknownNlri && Object.keys(a).length === 1;
    if (Object.keys(a).length === 0) out['endOfRib'] = { afi: 1, safi: 1 };
    else if (onlyUnreach) out['endOfRib'] = { afi: a.mpUnreach!.afi, safi: a.mpUnreach!.safi };
  }
  if (update.treatAsWithdraw) out['treatAsWithdraw'] = true;
  if (update.errors.length > 0) out['errors'] = update.errors.map((e) => e.message);
  if (update.unknownFamilies > 0) out['unknownFamilies'] = update.unknownFamilies;
  return out;
}

function openJson(open: BgpOpen): Json {
  return {
    version: open.version,
    asn: open.asn,
    holdTime: open.holdTime,
    bgpId: formatIPv4(open.bgpId),
    capabilities: open.capabilities.map((c): Json => {
      switch (c.kind) {
        case 'multiprotocol':
          return { kind: c.kind, afi: c.afi, safi: c.safi };
        case 'four-octet-as':
          return { kind: c.kind, asn: c.asn };
        case 'add-path':
          return { kind: c.kind, families: c.families.map((f) => ({ afi: f.afi, safi: f.safi, sendReceive: f.sendReceive })) };
        case 'graceful-restart':
          return { kind: c.kind, flags: c.flags, restartTime: c.restartTime, families: c.families.map((f) => ({ afi: f.afi, safi: f.safi, flags: f.flags })) };
        case 'unknown':
          return { kind: c.kind, code: c.code, hex: hex(c.value) };
        default:
          return { kind: c.kind };
      }
    }),
  };
}

/**
 * The JSON form of one BMP message (see the module doc). `session` must have `receive`d every
 * earlier message of the stream; this function feeds it `message` too.
 * @throws DecodeError when a BGP PDU inside cannot be decoded (offset in the stream).
 */
export function bmpMessageJson(message: BmpMessage, offset: number, session: BmpSession): Json {
  const state = session.receive(message, offset);
  switch (message.kind) {
    case 'routeMonitoring': {
      let update: BgpUpdate;
      try {
        update = session.decodeUpdate(message);
      } catch (error) {
        if (error instanceof DecodeError) {
          throw new DecodeError('BMP Route Monitoring', offset + 48 + error.offset, `BGP UPDATE: ${error.message}`, { cause: error });
        }
        throw error;
      }
      const out: { [key: string]: Json } = { offset, type: message.kind, peer: peerJson(message.peer), ...updateJson(update) };
      if (message.trailer) out['trailer'] = hex(message.trailer);
      return out;
    }
    case 'statisticsReport':
      return { offset, type: message.kind, peer: peerJson(message.peer), stats: message.stats.map(statJson) };
    case 'peerDown': {
      const out: { [key: string]: Json } = { offset, type: message.kind, peer: peerJson(message.peer), reason: message.reason };
      if (message.notification) {
        let n;
        try {
          n = decodeBgpMessage(message.notification, 0, FOUR_OCTET_AS_CONTEXT);
        } catch (error) {
          if (error instanceof DecodeError) {
            throw new DecodeError('BMP Peer Down', offset + 49 + error.offset, `BGP NOTIFICATION: ${error.message}`, { cause: error });
          }
          throw error;
        }
        out['notification'] = n.type === 'notification' ? { code: n.code, subcode: n.subcode, data: hex(n.data) } : hex(message.notification);
      }
      if (message.fsmEvent !== undefined) out['fsmEvent'] = message.fsmEvent;
      if (message.tlvs) out['information'] = informationJson(message.tlvs);
      if (message.data) out['data'] = hex(message.data);
      return out;
    }
    case 'peerUp':
      return {
        offset,
        type: message.kind,
        peer: peerJson(message.peer),
        localAddress: message.localAddress.toString(),
        localPort: message.localPort,
        remotePort: message.remotePort,
        sentOpen: openJson(state!.sentOpen),
        receivedOpen: openJson(state!.receivedOpen),
        information: informationJson(message.information),
      };
    case 'initiation':
      return { offset, type: message.kind, information: informationJson(message.information) };
    case 'termination':
      return { offset, type: message.kind, information: terminationJson(message.information) };
    case 'routeMirroring':
      return {
        offset,
        type: message.kind,
        peer: peerJson(message.peer),
        tlvs: message.tlvs.map((tlv): Json =>
          tlv.type === 1 && tlv.value.length === 2
            ? { type: 1, name: 'information', code: (tlv.value[0]! << 8) | tlv.value[1]! }
            : { type: tlv.type, name: tlv.type === 0 ? 'bgpMessage' : 'unknown', hex: hex(tlv.value) },
        ),
      };
    case 'unknown':
      return { offset, type: message.kind, typeCode: message.typeCode, hex: hex(message.body) };
  }
}
