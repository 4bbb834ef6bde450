/**
 * Path attributes and prefix lists read by bgpdump's own rules (its `process_attributes`,
 * `read_prefix_list` and `process_asn32_trans`), for the `bgpdump -m` formatter:
 * - reads past an end yield zeros and oversize fields are cut ({@link LenientStream});
 * - at most 2000 prefixes a list are kept;
 * - an MP_REACH_NLRI whose first byte is not zero is read as RFC 6396's abbreviated form
 *   (next hop only) in every record type; next hops of other lengths than 4, 16 and 32 keep
 *   no address;
 * - AS4_PATH is merged into a 2-octet AS_PATH by bgpdump's count-based rule (always copying
 *   the first segment), and not at all when an AGGREGATOR other than AS_TRANS comes with an
 *   AS4_AGGREGATOR;
 * - the AS path and communities are kept as bgpdump's text, cut where bgpdump cuts it.
 * This is not the RFC-strict `wire/bgp` decoder on purpose: the point is to print what
 * bgpdump prints.
 */
import { readWord } from '../../ip/address.js';
import { AS_TRANS } from '../bgp/constants.js';
import { LenientStream, type Words } from './bgpdump-stream.js';

/** bgpdump's unset IPv4 value (INADDR_NONE). */
export const NONE = 0xffffffff;
/** bgpdump's per-list prefix limit. */
const MAX_PREFIXES = 2000;

/** A prefix as bgpdump holds it: address words, length, ADD-PATH id (0 without ADD-PATH). */
export interface BgpdumpPrefix extends Words {
  length: number;
  pathId: number;
}

/** One MP_REACH_NLRI family: its next hop (length as sent) and announced prefixes. */
export interface MpNlri {
  nexthopLength: number;
  nexthop: Words;
  prefixes: BgpdumpPrefix[];
}

/** An AS path as bgpdump prints it, with its hop count. */
export interface AsPathText {
  text: string;
  count: number;
}

/** The attributes as bgpdump keeps them. */
export interface BgpdumpAttributes {
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

/** Whether the attribute of type code `type` (1-32) was present. */
export function has(attr: BgpdumpAttributes, type: number): boolean {
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
export function readPrefixes(s: LenientStream, addPath: boolean): BgpdumpPrefix[] {
  const list: BgpdumpPrefix[] = [];
  let count = 0;
  while (s.canRead() > 0) {
    const pathId = addPath ? s.getl() : 0;
    const length = s.getc();
    const byteCount = (length + 7) >>> 3;
    if (s.canRead() < byteCount) break;
    if (count++ > MAX_PREFIXES) {
      s.skip(byteCount);
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
    s.skip(16);
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
  for (let snpa = s.getc(); snpa > 0; snpa--) s.skip(s.getc());
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
export function readAttributes(block: LenientStream, asnLength: number, addPath: boolean): BgpdumpAttributes {
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
