/**
 * A generated TABLE_DUMP_V2 RIB dump, written with ribstore's own MRT and BGP encoders: `peers`
 * peers (IPv4 and IPv6 addresses, 4-octet ASes) each announcing `prefixes` IPv4 /24s and
 * `prefixes / 4` IPv6 /48s with AS paths, communities, large communities and MED that vary by
 * prefix and peer (a few hundred distinct attribute sets). For tests that need a table of a
 * chosen size without ../shared.
 */
import { Address } from '../../src/ip/address.js';
import { Prefix } from '../../src/ip/prefix.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { MrtType, TableDumpV2Subtype } from '../../src/wire/mrt/constants.js';
import { type MrtRecordInput, concatMrt, encodeMrtRecord } from '../../src/wire/mrt/encode.js';
import { encodeRibEntryAttributes } from '../../src/wire/mrt/rib-attributes.js';

const T = 1_760_000_000;

/** Options of {@link generatedRibDump}. */
export interface GeneratedDumpOptions {
  /** IPv4 prefixes per peer (IPv6: a quarter as many). */
  prefixes: number;
  peers: number;
  /**
   * Attribute variants per peer and family: prefix i gets the attributes of variant
   * `i % attributeSets`, so each set is shared by many prefixes as in a real dump. Default:
   * every prefix its own (within the generator's long period).
   */
  attributeSets?: number;
}

function attributes(peer: number, i: number, v6: boolean, peerAddress: Address): PathAttributes {
  const origin = 64512 + (i % 211);
  const asPath: PathAttributes['asPath'] = [{ type: 2, asns: [65000 + peer, ...(i % 3 === 0 ? [3356] : []), 4200000000 + (i % 7), origin] }];
  const attrs: PathAttributes = {
    origin: (i % 3) as 0 | 1 | 2,
    asPath,
    communities: [((65000 + peer) * 65536 + (i % 17)) >>> 0],
    ...(i % 5 === 0 ? { largeCommunities: [[65000 + peer, i % 4, 7]] } : {}),
    ...(peer % 2 === 1 ? { med: i % 50 } : {}),
  };
  if (!v6) return { ...attrs, nextHop: peerAddress.family === 4 ? peerAddress : new Address(4, (0xc0000200 + peer + 1) >>> 0) };
  const nextHop = new Address(6, 0x20010db8, 0xffff, 0, peer + 1);
  return { ...attrs, mpReach: { afi: 2, safi: 1, nextHop, linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: [], unknownNlri: undefined } };
}

/** The dump's bytes (uncompressed MRT). */
export function generatedRibDump({ prefixes, peers, attributeSets = Number.MAX_SAFE_INTEGER }: GeneratedDumpOptions): Uint8Array {
  const header = (subtype: number) => ({ timestamp: T, type: MrtType.TABLE_DUMP_V2, subtype });
  const peerList = Array.from({ length: peers }, (_, p) => ({
    bgpId: (0xc6336400 + p + 1) >>> 0,
    address: p % 2 === 0 ? new Address(4, (0xc6336400 + p + 1) >>> 0, 0, 0, 0) : new Address(6, 0x20010db8, 0xffff, 0, p + 1),
    asn: 65000 + p,
    fourOctetAs: true,
  }));
  const records: MrtRecordInput[] = [{ kind: 'peer-index-table', header: header(TableDumpV2Subtype.PEER_INDEX_TABLE), collectorId: 0xc6336401, viewName: 'generated', peers: peerList }];
  const cache = new Map<string, Uint8Array>();
  const encoded = (peer: number, prefixIndex: number, v6: boolean): Uint8Array => {
    const i = prefixIndex % attributeSets;
    // Attributes repeat with period 211 * 3 * 17 * 5 * 50 over i; key the cache on what varies.
    const key = `${peer}|${v6}|${i % 211}|${i % 3}|${i % 7}|${i % 17}|${i % 5 === 0 ? i % 4 : -1}|${i % 50}`;
    let bytes = cache.get(key);
    if (bytes === undefined) {
      bytes = encodeRibEntryAttributes(attributes(peer, i, v6, peerList[peer]!.address));
      cache.set(key, bytes);
    }
    return bytes;
  };
  let sequence = 0;
  for (let i = 0; i < prefixes; i++) {
    const prefix = new Prefix(4, (0x0a000000 + i * 256) >>> 0, 0, 0, 0, 24);
    const entries = peerList.map((_, peer) => ({ peerIndex: peer, originatedTime: T - peer, pathId: undefined, attributes: encoded(peer, i, false) }));
    records.push({ kind: 'rib', header: header(TableDumpV2Subtype.RIB_IPV4_UNICAST), sequence: sequence++, afi: 1, safi: 1, addPath: false, prefix, nlri: undefined, entries });
  }
  for (let i = 0; i < prefixes / 4; i++) {
    const prefix = new Prefix(6, 0x20010db8, (i << 16) >>> 0, 0, 0, 48);
    const entries = peerList.map((_, peer) => ({ peerIndex: peer, originatedTime: T - peer, pathId: undefined, attributes: encoded(peer, i, true) }));
    records.push({ kind: 'rib', header: header(TableDumpV2Subtype.RIB_IPV6_UNICAST), sequence: sequence++, afi: 2, safi: 1, addPath: false, prefix, nlri: undefined, entries });
  }
  return concatMrt(records.map(encodeMrtRecord));
}
