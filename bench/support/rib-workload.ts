/**
 * The RIB benchmark workload, shared by bench/rib.ts and bench/store.ts: the full table
 * (1.06 M prefixes) as seen from 10 peers = 10.6 M routes, with attribute sharing shaped like
 * the real thing.
 *
 *  - prefixes: ../shared/data/tables/tier1-full-table-prefixes.txt.gz (IPv4 and IPv6);
 *  - origin AS of each prefix: RouteViews pfx2as (../shared/data/pfx2as), first AS of a
 *    multi-origin entry; prefixes it lacks get an origin drawn from the ones it has;
 *  - per peer (10 neighbour ASes): AS path = neighbour AS, 0-3 transit ASes chosen by a hash of
 *    (peer, origin) from a pool of 3000, then the origin; communities: one of 2000 sets of 1-6
 *    communities; a large community on a quarter of the sets; MED on half of the peers; next
 *    hop = the peer. So one attribute set per (peer, origin AS): hundreds of thousands of
 *    distinct AS paths and sets, shared by the prefixes of one origin, as on a real feed.
 *
 * Two steps, so a caller can draw more from the same random stream (query addresses) and take
 * a memory baseline between them: {@link prepareRibWorkload} (pfx2as, transit pool, community
 * sets; consumes the random stream), then {@link buildWorkloadRib} (interns the attribute sets
 * and applies every route through `announceWords`, timing both).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Address } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { encodeRouteAttributes, summarizeAttributes } from '../../src/rib/attribute-codec.js';
import type { PeerKey } from '../../src/rib/peer-registry.js';
import { Rib } from '../../src/rib/rib.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { type FamilyPrefixes, type FullTable, sharedDataDir } from './full-table.js';
import type { SeededRandom } from './random.js';

/** Peers feeding the full table. */
export const PEERS = 10;
/** Neighbour AS of each peer. */
export const NEIGHBOURS = [3356, 1299, 174, 2914, 6939, 6453, 3257, 6762, 1273, 7018];
const TRANSIT_POOL = 3000;
const COMMUNITY_SETS = 2000;
/** The BMP router every peer is seen through. */
export const WORKLOAD_ROUTER = '192.0.2.254';

function hash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Origin AS per prefix of one family, from pfx2as. */
function origins(prefixes: FamilyPrefixes, file: string, random: SeededRandom): Uint32Array {
  const text = gunzipSync(readFileSync(join(sharedDataDir, 'pfx2as', file))).toString('latin1');
  const byPrefix = new Map<string, number>();
  const seen: number[] = [];
  for (const line of text.split('\n')) {
    const [address, length, as] = line.split('\t');
    if (!address || !length || !as) continue;
    const asn = Number.parseInt(as, 10);
    if (!Number.isFinite(asn)) continue;
    byPrefix.set(parsePrefix(`${address}/${length}`).toString(), asn >>> 0);
    seen.push(asn >>> 0);
  }
  const out = new Uint32Array(prefixes.count);
  for (let i = 0; i < prefixes.count; i++) out[i] = byPrefix.get(prefixes.text[i]!) ?? seen[random.below(seen.length)]!;
  return out;
}

/** Everything needed to build the workload RIB, drawn from the data and the random stream. */
export interface RibWorkload {
  readonly table: FullTable;
  /** [IPv4, IPv6]. */
  readonly families: readonly [FamilyPrefixes, FamilyPrefixes];
  /** Origin AS per prefix, per family. */
  readonly originOf: readonly [Uint32Array, Uint32Array];
  readonly transit: Uint32Array;
  readonly communitySets: number[][];
  /** IPv4 + IPv6 prefixes. */
  readonly prefixCount: number;
  /** prefixCount x PEERS. */
  readonly routes: number;
}

/** Read pfx2as and draw the transit pool and community sets (in this order) from `random`. */
export function prepareRibWorkload(table: FullTable, random: SeededRandom): RibWorkload {
  const originOf: [Uint32Array, Uint32Array] = [
    origins(table.v4, 'RouteViewIPv4.pfx2as.gz', random),
    origins(table.v6, 'RouteViewIPv6.pfx2as.gz', random),
  ];
  const prefixCount = table.v4.count + table.v6.count;
  const transit = new Uint32Array(TRANSIT_POOL);
  for (let i = 0; i < TRANSIT_POOL; i++) transit[i] = 1 + random.below(400000);
  const communitySets: number[][] = [];
  for (let i = 0; i < COMMUNITY_SETS; i++) {
    const n = 1 + random.below(6);
    const set: number[] = [];
    for (let k = 0; k < n; k++) set.push((((NEIGHBOURS[random.below(NEIGHBOURS.length)]! & 0xffff) << 16) | random.below(1000)) >>> 0);
    communitySets.push(set);
  }
  return { table, families: [table.v4, table.v6], originOf, transit, communitySets, prefixCount, routes: prefixCount * PEERS };
}

/** The BMP peer key of workload peer `p` (0 .. PEERS-1). */
export function workloadPeer(p: number): PeerKey {
  return { type: 0, distinguisher: '0:0', address: `192.0.2.${p + 1}`, asn: NEIGHBOURS[p]!, bgpId: (0xc0000200 + p + 1) >>> 0 };
}

/** The RIB built from a {@link RibWorkload}, and what building it cost. */
export interface WorkloadRib {
  readonly rib: Rib;
  /**
   * Attribute set ids the builder holds one reference to each (one per (peer, origin AS)).
   * Give them back with `rib.releaseAttributes` when no longer announcing with them.
   */
  readonly held: number[];
  /** attrIds[peer][family][prefix index]: the attribute set id of each route. */
  readonly attrIds: Uint32Array[][];
  /** ACTIVE peer-view id of each peer (adj-rib-in-post, IPv4 unicast). */
  readonly peerViews: number[];
  /** Distinct attribute sets (= distinct AS paths) interned. */
  readonly distinctPaths: number;
  /** Total ns spent encoding + interning attribute sets. */
  readonly internNs: number;
  /** Total wall ns of the announceWords loops. */
  readonly applyNs: number;
  /** Total CPU µs of the announceWords loops. */
  readonly applyCpuUs: number;
}

/** Intern one attribute set per (peer, origin AS), then apply every route of every peer. */
export function buildWorkloadRib(workload: RibWorkload): WorkloadRib {
  const { families, originOf, transit, communitySets } = workload;
  const rib = new Rib();
  const summary = emptySummary();

  // Intern one attribute set per (peer, origin AS); the caller holds one reference to each.
  const held: number[] = [];
  const attrIds: Uint32Array[][] = [];
  let internNs = 0;
  let distinctPaths = 0;
  for (let p = 0; p < PEERS; p++) {
    const byOrigin = new Map<number, number>();
    const perFamily: Uint32Array[] = [];
    for (let f = 0; f < 2; f++) {
      const fam = families[f]!;
      const ids = new Uint32Array(fam.count);
      for (let i = 0; i < fam.count; i++) {
        const origin = originOf[f]![i]!;
        let id = byOrigin.get(origin);
        if (id === undefined) {
          const h = hash(p, origin);
          const asns = [NEIGHBOURS[p]!];
          for (let k = 0; k < (h & 3); k++) asns.push(transit[(h >>> (2 + 8 * k)) % TRANSIT_POOL]!);
          asns.push(origin);
          const attrs: PathAttributes = {
            origin: 0,
            asPath: [{ type: 2, asns }],
            nextHop: new Address(4, (0xc0000200 + p + 1) >>> 0),
            communities: communitySets[hash(origin, p + 100) % COMMUNITY_SETS],
          };
          if (p % 2 === 0) attrs.med = h % 100;
          if ((h >>> 20) % 4 === 0) attrs.largeCommunities = [[NEIGHBOURS[p]!, 1, origin]];
          const start = process.hrtime.bigint();
          const bytes = encodeRouteAttributes(attrs);
          id = rib.internAttributes(bytes, 0, bytes.length, summarizeAttributes(attrs, summary));
          internNs += Number(process.hrtime.bigint() - start);
          distinctPaths++;
          byOrigin.set(origin, id);
          held.push(id);
        }
        ids[i] = id;
      }
      perFamily.push(ids);
    }
    attrIds.push(perFamily);
  }

  // Apply: every route of every peer, through the numeric ingest core.
  let applyNs = 0;
  let applyCpuUs = 0;
  const peerViews: number[] = [];
  for (let p = 0; p < PEERS; p++) {
    const pv = rib.peerView({ router: WORKLOAD_ROUTER, peer: workloadPeer(p), view: 'adj-rib-in-post', afi: 1, safi: 1 });
    peerViews.push(pv);
    for (let f = 0; f < 2; f++) {
      const fam = families[f]!;
      const ids = attrIds[p]![f]!;
      const w = fam.words;
      const lengths = fam.lengths;
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      if (f === 0) {
        for (let i = 0; i < fam.count; i++) rib.announceWords(pv, 0, 4, w[i]!, 0, 0, 0, lengths[i]!, 0, ids[i]!);
      } else {
        for (let i = 0; i < fam.count; i++) {
          const k = i * 4;
          rib.announceWords(pv, 0, 6, w[k]!, w[k + 1]!, w[k + 2]!, w[k + 3]!, lengths[i]!, 0, ids[i]!);
        }
      }
      applyNs += Number(process.hrtime.bigint() - start);
      const used = process.cpuUsage(cpu);
      applyCpuUs += used.user + used.system;
    }
  }
  return { rib, held, attrIds, peerViews, distinctPaths, internNs, applyNs, applyCpuUs };
}
