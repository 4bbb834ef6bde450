/**
 * MRT records as Debian `bgpdump -m` (version 1.6.2) prints them, byte for byte.
 *
 * `bgpdump -m` is the lingua franca of MRT tooling, so `ribstore mrt dump` reproduces it
 * exactly, including its quirks (kept on purpose, each one verified against the binary):
 * - An absent ORIGIN prints `INCOMPLETE`; absent LOCAL_PREF/MED print 0; an absent
 *   NEXT_HOP prints `255.255.255.255` (its "unset" value, INADDR_NONE).
 * - The AGGREGATOR column is empty when the aggregator address is 255.255.255.255.
 * - MED and LOCAL_PREF are printed signed for IPv4 routes carried in MP_REACH_NLRI.
 * - AS4_PATH is merged into a 2-octet AS_PATH by bgpdump's own rule (count-based, always
 *   copying the first segment), and not at all when an AGGREGATOR other than AS_TRANS
 *   comes with an AS4_AGGREGATOR.
 * - An MP_REACH_NLRI whose first byte is not zero is read as RFC 6396's abbreviated form
 *   (next hop only) in every record type; next hops of other lengths than 4, 16 and 32
 *   leave their columns out.
 * - Only TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST (and ADD-PATH) records print; multicast and
 *   RIB_GENERIC records and non-UPDATE BGP messages print nothing. MESSAGE_LOCAL_ADDPATH
 *   subtypes print the local end as the peer.
 *
 * The path attributes and UPDATE bodies are therefore read here with bgpdump's own
 * reading rules (reads past an end yield zeros, oversize fields are cut), not with the
 * RFC-strict `wire/bgp` decoder: the point of this module is to print what bgpdump prints.
 */
import { type Address, formatIPv4, readWord } from '../../ip/address.js';
import type { Prefix } from '../../ip/prefix.js';
import { Bgp4mpSubtype, MrtType, TableDumpV2Subtype } from './constants.js';
import type { MrtBgp4mpMessage, MrtBgp4mpStateChange, MrtRecord, MrtRib, MrtTableDump } from './records.js';

/** bgpdump's unset IPv4 value (INADDR_NONE). */
const NONE = 0xffffffff;
/** bgpdump's per-list prefix limit. */
const MAX_PREFIXES = 2000;
const AS_TRANS = 23456;

/** A read cursor with bgpdump's `mstream` semantics: reads past the end return zeros. */
class LenientStream {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    public end: number,
  ) {}

  canRead(): number {
    return this.end - this.pos;
  }

  getc(): number {
    if (this.pos >= this.end) {
      this.pos = this.end;
      return 0;
    }
    return this.bytes[this.pos++]!;
  }

  getw(): number {
    return (this.getc() << 8) | this.getc();
  }

  getl(): number {
    if (this.end - this.pos >= 4) {
      const v = readWord(this.bytes, this.pos);
      this.pos += 4;
      return v;
    }
    return ((this.getw() << 16) | this.getw()) >>> 0;
  }

  /** Read `n` bytes into `out` (zero-filled past the end). */
  get(n: number, out?: Uint8Array): void {
    const room = this.end - this.pos;
    if (out) {
      const take = Math.min(room, n, out.length);
      out.set(this.bytes.subarray(this.pos, this.pos + take));
      out.fill(0, take);
    }
    this.pos = room >= n ? this.pos + n : this.end;
  }

  /**
   * Read `n` bytes into the words of `out` (zero-filled past the end of the stream, bytes
   * past the 16th dropped, as bgpdump's fixed 16-byte address buffer keeps them).
   */
  getWords(n: number, out: Words): void {
    const room = this.end - this.pos;
    const take = Math.min(room, n, 16);
    const b = this.bytes;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    for (let i = 0; i < take; i++) {
      const v = b[this.pos + i]! << (24 - 8 * (i & 3));
      if (i < 4) w0 |= v;
      else if (i < 8) w1 |= v;
      else if (i < 12) w2 |= v;
      else w3 |= v;
    }
    out.w0 = w0 >>> 0;
    out.w1 = w1 >>> 0;
    out.w2 = w2 >>> 0;
    out.w3 = w3 >>> 0;
    this.pos = room >= n ? this.pos + n : this.end;
  }

  /** A sub-stream over the next `len` bytes (fewer if fewer remain); this stream skips them. */
  copy(len: number): LenientStream {
    const take = Math.max(0, Math.min(len, this.end - this.pos));
    const sub = new LenientStream(this.bytes, this.pos, this.pos + take);
    this.pos += take;
    return sub;
  }
}

/** An address as bgpdump holds it: 16 bytes, here as four big-endian words (IPv4 in w0). */
interface Words {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
}

interface BgpdumpPrefix extends Words {
  length: number;
  pathId: number;
}

interface MpNlri {
  nexthopLength: number;
  nexthop: Words;
  prefixes: BgpdumpPrefix[];
}

interface AsPathText {
  text: string;
  count: number;
}

/** The attributes as bgpdump keeps them. */
interface BgpdumpAttributes {
  flag: number;
  origin: number;
  asPath: Uint8Array | undefined;
  asPathText: AsPathText | undefined;
  newAsPath: Uint8Array | undefined;
  newAsPathText: AsPathText | undefined;
  nexthop: number;
  med: number;
  localPref: number;
  aggregatorAs: number;
  aggregatorAddress: number;
  newAggregatorAs: number;
  newAggregatorAddress: number;
  community: string | undefined;
  /** Indexed by `afi * 4 + safi` for afi 1..2, safi 1..3. */
  announce: (MpNlri | undefined)[];
  withdraw: (BgpdumpPrefix[] | undefined)[];
}

function has(attr: BgpdumpAttributes, type: number): boolean {
  return (attr.flag & (1 << (type - 1))) !== 0;
}

const DELIMITERS: Record<number, [string, string]> = { 1: ['{', '}'], 3: ['(', ')'], 4: ['[', ']'] };

/** bgpdump's AS path text (and hop count) of an AS_PATH value with `asnLength`-byte ASNs. */
function asPathText(data: Uint8Array, asnLength: number): AsPathText {
  const error = { text: '! Error !', count: 0 };
  let text = '';
  let count = 0;
  let space = false;
  let previous = 2;
  let lastType = 0;
  let p = 0;
  while (p < data.length) {
    const type = data[p]!;
    const length = p + 1 < data.length ? data[p + 1]! : 0;
    if (type < 1 || type > 4) return error;
    if (p + length * asnLength + 2 > data.length) return error;
    if (previous !== 2) text += DELIMITERS[previous]![1];
    if (space) text += ' ';
    if (type !== 2) text += DELIMITERS[type]![0];
    space = false;
    count += type === 2 || type === 3 ? length : 1;
    const separator = type === 1 || type === 4 ? ',' : ' ';
    for (let i = 0; i < length; i++) {
      if (space) text += separator;
      else space = true;
      const at = p + 2 + i * asnLength;
      text += asnLength === 4 ? readWord(data, at) : (data[at]! << 8) | data[at + 1]!;
      if (text.length > 7900) return { text: text + '...', count };
    }
    previous = type;
    lastType = type;
    p += length * asnLength + 2;
  }
  if (lastType !== 0 && lastType !== 2) text += DELIMITERS[lastType]![1];
  return { text, count };
}

/** bgpdump's AS_PATH + AS4_PATH merge (asn32_merge_paths), as 4-octet path bytes. */
function mergeAsPaths(path: Uint8Array, pathCount: number, newPath: Uint8Array, newCount: number): Uint8Array {
  const need = pathCount - newCount;
  const parts: number[] = [];
  let count = 0;
  const type = path[0]!;
  const length = path[1]!;
  while (count < need) {
    if (length === 0 && type !== 1 && type !== 4) break; // bgpdump would loop forever here
    let kept = length;
    if (type === 1 || type === 4) count += 1;
    else {
      count += length;
      if (count > need) kept = length - (count - need);
    }
    parts.push(type, kept);
    for (let i = 0; i < kept; i++) {
      const asn = (path[2 + 2 * i]! << 8) | path[3 + 2 * i]!;
      parts.push(0, 0, asn >>> 8, asn & 255);
    }
  }
  const merged = new Uint8Array(parts.length + newPath.length);
  merged.set(parts);
  merged.set(newPath, parts.length);
  return merged;
}

function communityText(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const value = readWord(bytes, i);
    let item: string;
    let named = true;
    if (value === 0xffffff01) item = ' no-export';
    else if (value === 0xffffff02) item = ' no-advertise';
    else if (value === 0xffffff03) item = ' local-AS';
    else {
      item = ` ${value >>> 16}:${value & 0xffff}`;
      named = false;
    }
    if (text.length + item.length >= 8192) {
      if (!named) text += item.slice(0, 8191 - text.length);
      continue;
    }
    text += item;
  }
  return text;
}

/** read_prefix_list: prefixes until the stream ends (a cut prefix ends the list). */
function readPrefixes(s: LenientStream, addPath: boolean): BgpdumpPrefix[] {
  const list: BgpdumpPrefix[] = [];
  let count = 0;
  while (s.canRead() > 0) {
    const pathId = addPath ? s.getl() : 0;
    const length = s.getc();
    const byteCount = (length + 7) >>> 3;
    if (s.canRead() < byteCount) break;
    if (count++ > MAX_PREFIXES) {
      s.get(byteCount);
      continue;
    }
    const prefix: BgpdumpPrefix = { w0: 0, w1: 0, w2: 0, w3: 0, length, pathId };
    s.getWords(byteCount, prefix);
    list.push(prefix);
  }
  if (list.length > MAX_PREFIXES) list.length = MAX_PREFIXES;
  return list;
}

function readNexthop(s: LenientStream): MpNlri {
  const nexthopLength = s.getc();
  const nexthop: Words = { w0: 0, w1: 0, w2: 0, w3: 0 };
  if (nexthopLength === 4) s.getWords(4, nexthop);
  else if (nexthopLength === 16) s.getWords(16, nexthop);
  else if (nexthopLength === 32) {
    s.getWords(16, nexthop);
    s.get(16);
  }
  return { nexthopLength, nexthop, prefixes: [] };
}

function readMpReach(s: LenientStream, attr: BgpdumpAttributes, addPath: boolean): void {
  const first = s.pos < s.bytes.length ? s.bytes[s.pos]! : 0;
  if (first !== 0) {
    attr.announce[2 * 4 + 1] ??= readNexthop(s);
    return;
  }
  const afi = s.getw();
  const safi = s.getc();
  if (afi > 2 || safi > 3) return;
  const key = afi * 4 + safi;
  if (attr.announce[key]) return;
  const nlri = readNexthop(s);
  attr.announce[key] = nlri;
  for (let snpa = s.getc(); snpa > 0; snpa--) s.get(s.getc());
  nlri.prefixes = readPrefixes(s, addPath);
}

function readMpUnreach(s: LenientStream, attr: BgpdumpAttributes, addPath: boolean): void {
  const afi = s.getw();
  const safi = s.getc();
  if (afi > 2 || safi > 3) return;
  const key = afi * 4 + safi;
  if (attr.withdraw[key]) return;
  attr.withdraw[key] = readPrefixes(s, addPath);
}

/** process_attributes, given the attribute bytes (after the 2-byte total length). */
function readAttributes(block: LenientStream, asnLength: number, addPath: boolean): BgpdumpAttributes {
  const attr: BgpdumpAttributes = {
    flag: 0,
    origin: -1,
    asPath: undefined,
    asPathText: undefined,
    newAsPath: undefined,
    newAsPathText: undefined,
    nexthop: NONE,
    med: NONE,
    localPref: NONE,
    aggregatorAs: NONE,
    aggregatorAddress: NONE,
    newAggregatorAs: NONE,
    newAggregatorAddress: NONE,
    community: undefined,
    announce: [],
    withdraw: [],
  };
  while (block.canRead() > 0) {
    const flags = block.getc();
    const type = block.getc();
    const length = flags & 0x10 ? block.getw() : block.getc();
    const v = block.copy(length);
    if (v.canRead() !== length) continue;
    if (type >= 1 && type <= 32) attr.flag = (attr.flag | (1 << (type - 1))) >>> 0;
    switch (type) {
      case 14:
        readMpReach(v, attr, addPath);
        break;
      case 15:
        readMpUnreach(v, attr, addPath);
        break;
      case 1:
        attr.origin = v.getc();
        break;
      case 2:
        attr.asPath = v.bytes.subarray(v.pos, v.end);
        attr.asPathText = asPathText(attr.asPath, asnLength);
        break;
      case 3:
        attr.nexthop = v.getl();
        break;
      case 4:
        attr.med = v.getl();
        break;
      case 5:
        attr.localPref = v.getl();
        break;
      case 7:
        attr.aggregatorAs = asnLength === 4 ? v.getl() : v.getw();
        attr.aggregatorAddress = v.getl();
        break;
      case 8:
        attr.community = communityText(v.bytes.subarray(v.pos, v.end));
        break;
      case 17:
        attr.newAsPath = v.bytes.subarray(v.pos, v.end);
        attr.newAsPathText = asPathText(attr.newAsPath, 4);
        break;
      case 18:
        attr.newAggregatorAs = v.getl();
        attr.newAggregatorAddress = v.getl();
        break;
    }
  }
  if (asnLength === 2) mergeAs4(attr);
  return attr;
}

/** process_asn32_trans for 2-octet records. */
function mergeAs4(attr: BgpdumpAttributes): void {
  if (has(attr, 7) && has(attr, 18)) {
    if (attr.aggregatorAs !== AS_TRANS) return;
    attr.aggregatorAs = attr.newAggregatorAs;
    attr.aggregatorAddress = attr.newAggregatorAddress;
  }
  if (!has(attr, 17) || !attr.asPath || !attr.asPathText || !attr.newAsPath) return;
  if (attr.asPathText.count < attr.newAsPathText!.count) return;
  const merged = mergeAsPaths(attr.asPath, attr.asPathText.count, attr.newAsPath, attr.newAsPathText!.count);
  attr.asPathText = asPathText(merged, 4);
}

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
