/**
 * MRT records as Debian `bgpdump -m` (version 1.6.2) prints them, byte for byte.
 *
 * `bgpdump -m` is the lingua franca of MRT tooling, so `ribstore mrt dump` reproduces it
 * exactly, including its quirks (kept on purpose, each one verified against the binary):
 * - An absent ORIGIN prints `INCOMPLETE`; absent LOCAL_PREF/MED print 0; an absent
 *   NEXT_HOP prints `255.255.255.255` (its "unset" value, INADDR_NONE).
 * - The AGGREGATOR column is empty when the aggregator address is 255.255.255.255.
 * - MED and LOCAL_PREF are printed signed for IPv4 routes carried in MP_REACH_NLRI.
 * - Next hops of other lengths than 4, 16 and 32 leave their columns out.
 * - Only TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST (and ADD-PATH) records print; multicast and
 *   RIB_GENERIC records and non-UPDATE BGP messages print nothing. MESSAGE_LOCAL_ADDPATH
 *   subtypes print the local end as the peer.
 *
 * The path attributes and UPDATE bodies are read with bgpdump's own reading rules and their
 * quirks (bgpdump-attributes.ts over bgpdump-stream.ts), not with the RFC-strict `wire/bgp`
 * decoder: the point is to print what bgpdump prints. This file lays out the lines per
 * record kind.
 */
import { type Address, formatIPv4 } from '../../ip/address.js';
import type { Prefix } from '../../ip/prefix.js';
import { NONE, has, readAttributes, readPrefixes, type BgpdumpAttributes, type BgpdumpPrefix } from './bgpdump-attributes.js';
import { LenientStream, type Words } from './bgpdump-stream.js';
import { Bgp4mpSubtype, MrtType, TableDumpV2Subtype } from './constants.js';
import type { MrtBgp4mpMessage, MrtBgp4mpStateChange, MrtRecord, MrtRib, MrtTableDump } from './records.js';

function ipv4(a: Words): string {
  return formatIPv4(a.w0);
}

function ipv6(a: Words): string {
  return bgpdumpIPv6(a.w0, a.w1, a.w2, a.w3);
}

/**
 * IPv6 text as bgpdump's own `fmt_ipv6` writes it. It differs from RFC 5952 (and from
 * `formatIPv6`) in one way: the longest run of zero groups is compressed to `::` even when
 * it is a single group (`2001:668::3:ffff:0:adcd:39ea`). IPv4-mapped and IPv4-compatible
 * addresses (other than `::` and `::1`) print with a dotted-quad tail.
 */
export function bgpdumpIPv6(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && (w2 === 0xffff || (w2 === 0 && w3 >>> 0 > 1))) {
    return `::${w2 === 0xffff ? 'ffff:' : ''}${formatIPv4(w3)}`;
  }
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let best = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; i++) {
    let run = 0;
    while (i + run < 8 && g[i + run] === 0) run++;
    if (run > bestLength) {
      best = i;
      bestLength = run;
    }
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      text += i === 0 ? '::' : ':';
      i += bestLength - 1;
      continue;
    }
    text += g[i]!.toString(16);
    if (i !== 7) text += ':';
  }
  return text;
}

function addressText(address: Address): string {
  return address.family === 4 ? formatIPv4(address.w0) : bgpdumpIPv6(address.w0, address.w1, address.w2, address.w3);
}

function prefixText(prefix: Prefix): string {
  return `${addressText(prefix.address)}/${prefix.length}`;
}

function origin(attr: BgpdumpAttributes): string {
  return attr.origin === 0 ? 'IGP' : attr.origin === 1 ? 'EGP' : 'INCOMPLETE';
}

/** The `lp|med|` columns (signed as `%d` prints them, or unsigned). */
function preferences(attr: BgpdumpAttributes, signed: boolean): string {
  let lp = has(attr, 5) ? attr.localPref : 0;
  let med = has(attr, 4) ? attr.med : 0;
  if (signed) {
    lp |= 0;
    med |= 0;
  }
  return `${lp}|${med}|`;
}

/** The last columns: `communities|AG|aggregator|` and the newline. */
function communitiesToEnd(attr: BgpdumpAttributes): string {
  const community = has(attr, 8) && attr.community ? attr.community.slice(1) : '';
  const aggregate = has(attr, 6) ? 'AG' : 'NAG';
  const aggregator = attr.aggregatorAddress !== NONE ? `${attr.aggregatorAs} ${formatIPv4(attr.aggregatorAddress)}` : '';
  return `${community}|${aggregate}|${aggregator}|\n`;
}

/** The columns after the next hop: `lp|med|communities|AG|aggregator|`. */
function tail(attr: BgpdumpAttributes, signed: boolean): string {
  return preferences(attr, signed) + communitiesToEnd(attr);
}

function asPathColumn(attr: BgpdumpAttributes): string {
  return has(attr, 2) && attr.asPathText ? attr.asPathText.text : '';
}

/** The bgpdump next hop column of a RIB route (TABLE_DUMP_V2). */
function ribNexthop(attr: BgpdumpAttributes): string {
  const mp = has(attr, 14) ? (attr.announce[2 * 4 + 1] ?? attr.announce[1 * 4 + 1]) : undefined;
  if (!mp) return formatIPv4(attr.nexthop);
  if (mp.nexthopLength === 4) return ipv4(mp.nexthop);
  if (mp.nexthopLength === 16 || mp.nexthopLength === 32) return ipv6(mp.nexthop);
  return '';
}

function formatRib(record: MrtRib, time: string): string {
  const s = record.header.subtype;
  if (
    s !== TableDumpV2Subtype.RIB_IPV4_UNICAST &&
    s !== TableDumpV2Subtype.RIB_IPV6_UNICAST &&
    s !== TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH &&
    s !== TableDumpV2Subtype.RIB_IPV6_UNICAST_ADDPATH
  ) {
    return '';
  }
  const head = record.addPath ? `TABLE_DUMP2_AP|${time}|B|` : `TABLE_DUMP2|${time}|B|`;
  const prefix = `${prefixText(record.prefix!)}|`;
  let out = '';
  for (const entry of record.entries) {
    const a = entry.attributes;
    const attr = readAttributes(new LenientStream(a, 0, a.length), 4, record.addPath);
    const pathId = record.addPath ? `${entry.pathId}|` : '';
    const asPath = attr.asPathText ? attr.asPathText.text : '';
    out += `${head}${addressText(entry.peer.address)}|${entry.peer.asn}|${prefix}${pathId}${asPath}|${origin(attr)}|${ribNexthop(attr)}|${tail(attr, false)}`;
  }
  return out;
}

function formatTableDump(record: MrtTableDump, time: string): string {
  const a = record.attributes;
  const attr = readAttributes(new LenientStream(a, 0, a.length), 2, false);
  const mp = has(attr, 14) ? attr.announce[2 * 4 + 1] : undefined;
  const nexthop = mp ? ipv6(mp.nexthop) : formatIPv4(attr.nexthop);
  return `TABLE_DUMP|${time}|B|${addressText(record.peerAddress)}|${record.peerAs}|${prefixText(record.prefix)}|${asPathColumn(attr)}|${origin(attr)}|${nexthop}|${tail(attr, false)}`;
}

function formatStateChange(record: MrtBgp4mpStateChange, time: string): string {
  const format = record.header.type === MrtType.BGP4MP_ET ? 'BGP4MP_ET' : 'BGP4MP';
  return `${format}|${time}|STATE|${addressText(record.peerAddress)}|${record.peerAs}|${record.oldState}|${record.newState}\n`;
}

function formatMessage(record: MrtBgp4mpMessage, time: string): string {
  const m = record.message;
  for (let i = 0; i < 16; i++) if (m[i] !== 0xff) return '';
  const outer = new LenientStream(m, 16, m.length);
  const size = outer.getw();
  const s = outer.copy(size - 18);
  if (s.getc() !== 2) return '';
  const subtype = record.header.subtype;
  const receive = subtype !== Bgp4mpSubtype.MESSAGE_LOCAL && subtype !== Bgp4mpSubtype.MESSAGE_AS4_LOCAL;
  const addPath = record.addPath;
  const et = record.header.type === MrtType.BGP4MP_ET;
  const format = et
    ? receive
      ? addPath
        ? 'BGP4MP_ET_AP'
        : 'BGP4MP_ET'
      : 'BGP4MP_ET_LOCAL'
    : receive
      ? addPath
        ? 'BGP4MP_AP'
        : 'BGP4MP'
      : 'BGP4MP_LOCAL';
  // bgpdump's "source" is the local end for the LOCAL subtypes, the peer otherwise.
  const sourceIsLocal = subtype === Bgp4mpSubtype.MESSAGE_LOCAL_ADDPATH || subtype === Bgp4mpSubtype.MESSAGE_AS4_LOCAL_ADDPATH;
  const shownAddress = receive ? (sourceIsLocal ? record.localAddress : record.peerAddress) : record.peerAddress;
  const shownAs = receive ? (sourceIsLocal ? record.localAs : record.peerAs) : record.peerAs;
  const peer = `${addressText(shownAddress)}|${shownAs}|`;
  const v6session = record.afi === 2;

  const withdrawnLength = s.getw();
  const withdrawnStream = s.copy(withdrawnLength);
  const withdrawn = readPrefixes(withdrawnStream, addPath);
  const attributeLength = s.getw();
  const attr = readAttributes(s.copy(attributeLength), record.fourOctetAs ? 4 : 2, addPath);
  const announced = readPrefixes(s, addPath);

  let out = '';
  const w = `${format}|${time}|W|`;
  const pathIdSuffix = (p: BgpdumpPrefix) => (addPath ? `|${p.pathId}\n` : '\n');
  for (const p of withdrawn) out += `${w}${peer}${ipv4(p)}/${p.length}${pathIdSuffix(p)}`;
  for (const safi of [1, 2, 3]) {
    for (const p of attr.withdraw[4 + safi] ?? []) out += `${w}${peer}${ipv4(p)}/${p.length}${pathIdSuffix(p)}`;
  }
  // bgpdump prints a sent IPv6 withdrawal on an IPv4 session with the peer address read as IPv6.
  const peer6w = !v6session && !receive ? `${bgpdumpIPv6(record.peerAddress.w0, 0, 0, 0)}|${shownAs}|` : peer;
  for (const safi of [1, 2, 3]) {
    for (const p of attr.withdraw[8 + safi] ?? []) out += `${w}${peer6w}${ipv6(p)}/${p.length}${pathIdSuffix(p)}`;
  }
  const a = `${format}|${time}|A|`;
  const asPath = asPathColumn(attr);
  const originText = origin(attr);
  if (announced.length > 0) {
    const rest = `${asPath}|${originText}|${formatIPv4(attr.nexthop)}|${tail(attr, false)}`;
    for (const p of announced) out += `${a}${peer}${ipv4(p)}/${p.length}|${addPath ? `${p.pathId}|` : ''}${rest}`;
  }
  for (const safi of [1, 2, 3]) {
    const mp = attr.announce[4 + safi];
    if (!mp || mp.prefixes.length === 0) continue;
    const nh =
      mp.nexthopLength === 4 ? `${ipv4(mp.nexthop)}|` : mp.nexthopLength === 16 || mp.nexthopLength === 32 ? `${ipv6(mp.nexthop)}|` : undefined;
    // An unknown next-hop length leaves out the next hop, LOCAL_PREF and MED columns.
    const rest = nh === undefined ? communitiesToEnd(attr) : `${nh}${tail(attr, true)}`;
    for (const p of mp.prefixes) {
      out += `${a}${peer}${ipv4(p)}/${p.length}|${addPath ? `${p.pathId}|` : ''}${asPath}|${originText}|${rest}`;
    }
  }
  for (const safi of [1, 2, 3]) {
    const mp = attr.announce[8 + safi];
    if (!mp || mp.prefixes.length === 0) continue;
    const nh =
      mp.nexthopLength === 4 ? ipv4(mp.nexthop) : mp.nexthopLength === 16 || mp.nexthopLength === 32 ? ipv6(mp.nexthop) : undefined;
    // An unknown next-hop length leaves out every column from the AS path to the MED.
    const middle = nh === undefined ? communitiesToEnd(attr) : `${asPath}|${originText}|${nh}|${tail(attr, false)}`;
    for (const p of mp.prefixes) {
      out += `${a}${peer}${ipv6(p)}/${p.length}|${addPath ? `${p.pathId}|` : ''}${middle}`;
    }
  }
  return out;
}

/**
 * The `bgpdump -m` lines of one record (each ending in `\n`; empty when bgpdump prints
 * nothing for it, e.g. a PEER_INDEX_TABLE).
 */
export function formatBgpdumpLines(record: MrtRecord): string {
  const h = record.header;
  const time = h.type === MrtType.BGP4MP_ET ? `${h.timestamp}.${String(h.microseconds).padStart(6, '0')}` : `${h.timestamp}`;
  switch (record.kind) {
    case 'rib':
      return formatRib(record, time);
    case 'table-dump':
      return formatTableDump(record, time);
    case 'bgp4mp-state-change':
      return formatStateChange(record, time);
    case 'bgp4mp-message':
      return formatMessage(record, time);
    default:
      return '';
  }
}
