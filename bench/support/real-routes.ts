/**
 * Real routes for the collector benchmark and the ingest tests: prefixes with the attribute
 * sets real routers sent for them, read from the MRT dumps in ../shared/data/mrt.
 *
 * Three sources:
 * - {@link loadAs3856Table}: the full IPv4 table one peer (AS3856, Packet Clearing House)
 *   sent when its session came up (updates.et-header.2015.gz, BGP4MP_ET), in the order it
 *   sent it: 577,706 prefixes, each with its own real AS path, communities, next hop.
 * - {@link tier1WithRealAttributes}: the Tier-1 full table's IPv4 prefixes (../shared/data/
 *   tables, 901,899), each given the attribute set AS3856 sent for the same prefix, else for
 *   its longest covering prefix, else for the nearest prefix below it in address order. So
 *   neighbouring prefixes share sets as often as they do in the real table, not as often as a
 *   synthetic generator decides.
 * - {@link loadRibPeers}: every peer of the multi-peer IPv6 RIB dump rib.bz2 (27 peers,
 *   609,246 routes), each peer's routes in the dump's prefix order.
 *
 * Attribute sets are identified as the RIB identifies them: by their canonical route
 * attribute bytes (rib/attribute-codec.ts), so "distinct sets" here is what the RIB interns.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from '../../src/ip/address.js';
import { Prefix } from '../../src/ip/prefix.js';
import { encodeRouteAttributes, routeAttributes } from '../../src/rib/attribute-codec.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { readMrtFile } from '../../src/wire/mrt/file-reader.js';
import { forEachMrtRoute } from '../../src/wire/mrt/routes.js';
import type { FamilyPrefixes } from './full-table.js';
import { sharedDataDir } from './full-table.js';

/** The MRT dump of AS3856's full IPv4 table, relative to ../shared/data. */
export const AS3856_DUMP = 'mrt/updates.et-header.2015.gz';
/** The multi-peer IPv6 RIB dump, relative to ../shared/data. */
export const RIB_DUMP = 'mrt/rib.bz2';

/** One peer's routes: prefix i carries attribute set `sets[i]` of the enclosing {@link RealRoutes}. */
export interface RealPeerRoutes {
  /** The peer's address and AS, as the dump names them. */
  readonly address: Address;
  readonly asn: number;
  readonly prefixes: Prefix[];
  /** Per prefix: index into {@link RealRoutes.attributes}. */
  readonly sets: Uint32Array;
}

/** Routes of one or more peers with their (deduplicated) attribute sets. */
export interface RealRoutes {
  /** What the routes are, for benchmark output. */
  readonly source: string;
  /** Distinct attribute sets (as decoded from the dump; MP_REACH NLRI lists empty). */
  readonly attributes: PathAttributes[];
  readonly peers: RealPeerRoutes[];
}

/** Deduplicates attribute sets by their canonical route bytes. */
class SetInterner {
  readonly attributes: PathAttributes[] = [];
  private readonly ids = new Map<string, number>();
  /** The last object seen and its id (one UPDATE's routes share one attributes object). */
  private lastObject: PathAttributes | undefined;
  private lastId = 0;

  id(attrs: PathAttributes, multiprotocol: boolean): number {
    if (attrs === this.lastObject) return this.lastId;
    const bytes = encodeRouteAttributes(routeAttributes(attrs, multiprotocol));
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.attributes.length;
      this.ids.set(key, id);
      const kept: PathAttributes = { ...attrs };
      delete kept.mpUnreach;
      if (attrs.mpReach !== undefined) kept.mpReach = { ...attrs.mpReach, nlri: [], unknownNlri: undefined };
      this.attributes.push(kept);
    }
    this.lastObject = attrs;
    this.lastId = id;
    return id;
  }
}

/** `null` when ../shared/data/`name` exists, else why it cannot be used. */
export function missingRealData(name: string): string | null {
  const path = join(sharedDataDir, name);
  return existsSync(path) ? null : `needs ${path} (the project's ../shared/data folder), absent here`;
}

/**
 * AS3856's IPv4 table in the order the peer announced it (the last announcement of a prefix
 * wins; withdrawn prefixes are left out). `limit` stops after that many distinct prefixes.
 */
export async function loadAs3856Table(limit = Infinity): Promise<RealRoutes> {
  const interner = new SetInterner();
  const byPrefix = new Map<string, { prefix: Prefix; set: number }>();
  let address: Address | undefined;
  let asn = 0;
  outer: for await (const batch of readMrtFile(join(sharedDataDir, AS3856_DUMP))) {
    for (const record of batch) {
      let full = false;
      forEachMrtRoute(record, (route) => {
        if (route.prefix.family !== 4) return;
        const key = `${route.prefix.w0}/${route.prefix.length}`;
        if (route.kind === 'withdraw') {
          byPrefix.delete(key);
          return;
        }
        address ??= route.peerAddress;
        asn = route.peerAs;
        byPrefix.set(key, { prefix: route.prefix, set: interner.id(route.attributes!, false) });
        if (byPrefix.size >= limit) full = true;
      });
      if (full) break outer;
    }
  }
  const routes = [...byPrefix.values()];
  return {
    source: `AS${asn}'s IPv4 table (${AS3856_DUMP})`,
    attributes: interner.attributes,
    peers: [{ address: address!, asn, prefixes: routes.map((r) => r.prefix), sets: Uint32Array.from(routes, (r) => r.set) }],
  };
}

/**
 * The Tier-1 table's IPv4 prefixes (in their file order), each with the attribute set of
 * the same prefix in `donor`'s first peer, else of its longest covering prefix there, else of
 * the nearest donor prefix below it in address order. The peer is the donor's.
 */
export function tier1WithRealAttributes(v4: FamilyPrefixes, donor: RealRoutes, count = v4.count): RealRoutes {
  const table = donor.peers[0]!;
  // Donor prefixes by length, then network; and sorted networks for the nearest-below fallback.
  const byLength: Map<number, number>[] = Array.from({ length: 33 }, () => new Map());
  const order = table.prefixes.map((_, i) => i).sort((a, b) => table.prefixes[a]!.w0 - table.prefixes[b]!.w0 || table.prefixes[a]!.length - table.prefixes[b]!.length);
  const sortedNetworks = Uint32Array.from(order, (i) => table.prefixes[i]!.w0);
  for (let i = 0; i < table.prefixes.length; i++) byLength[table.prefixes[i]!.length]!.set(table.prefixes[i]!.w0, table.sets[i]!);
  const n = Math.min(count, v4.count);
  const prefixes: Prefix[] = new Array<Prefix>(n);
  const sets = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const network = v4.words[i]!;
    const length = v4.lengths[i]!;
    prefixes[i] = new Prefix(4, network, 0, 0, 0, length);
    let set = -1;
    for (let l = length; l >= 0 && set < 0; l--) {
      const masked = l === 0 ? 0 : (network & (0xffffffff << (32 - l))) >>> 0;
      set = byLength[l]!.get(masked) ?? -1;
    }
    if (set < 0) {
      // No covering donor prefix: the nearest one below (binary search), else the first.
      let lo = 0;
      let hi = sortedNetworks.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sortedNetworks[mid]! <= network) lo = mid + 1;
        else hi = mid;
      }
      set = table.sets[order[Math.max(0, lo - 1)]!]!;
    }
    sets[i] = set;
  }
  return {
    source: `Tier-1 table prefixes, attributes of ${donor.source}`,
    attributes: donor.attributes,
    peers: [{ address: table.address, asn: table.asn, prefixes, sets }],
  };
}

/** Every peer of the IPv6 RIB dump rib.bz2 with its routes (needs the `bzip2` command). */
export async function loadRibPeers(): Promise<RealRoutes> {
  const interner = new SetInterner();
  const peers = new Map<string, { address: Address; asn: number; prefixes: Prefix[]; sets: number[] }>();
  for await (const batch of readMrtFile(join(sharedDataDir, RIB_DUMP))) {
    for (const record of batch) {
      forEachMrtRoute(record, (route) => {
        if (route.kind !== 'rib' || route.pathId !== undefined) return;
        const key = `${route.peerAddress.toString()}|${route.peerAs}`;
        let peer = peers.get(key);
        if (peer === undefined) peers.set(key, (peer = { address: route.peerAddress, asn: route.peerAs, prefixes: [], sets: [] }));
        peer.prefixes.push(route.prefix);
        peer.sets.push(interner.id(route.attributes!, route.attributes!.mpReach !== undefined));
      });
    }
  }
  return {
    source: `every peer of ${RIB_DUMP}`,
    attributes: interner.attributes,
    peers: [...peers.values()].map((p) => ({ address: p.address, asn: p.asn, prefixes: p.prefixes, sets: Uint32Array.from(p.sets) })),
  };
}

/** How often attribute sets change along a route order: what decides attribute-cache hits. */
export interface Realism {
  readonly routes: number;
  /** Distinct attribute sets used. */
  readonly distinctSets: number;
  /** Runs of consecutive routes (of one peer) with the same set: count, mean and median length. */
  readonly runs: number;
  readonly meanRun: number;
  readonly medianRun: number;
}

/** The realism figures of `routes` in their order. */
export function realism(routes: RealRoutes): Realism {
  const used = new Set<number>();
  const runLengths: number[] = [];
  let total = 0;
  for (const peer of routes.peers) {
    let run = 0;
    for (let i = 0; i < peer.sets.length; i++) {
      const set = peer.sets[i]!;
      used.add(set);
      if (i > 0 && set === peer.sets[i - 1]) run++;
      else {
        if (run > 0) runLengths.push(run);
        run = 1;
      }
    }
    if (run > 0) runLengths.push(run);
    total += peer.sets.length;
  }
  runLengths.sort((a, b) => a - b);
  return {
    routes: total,
    distinctSets: used.size,
    runs: runLengths.length,
    meanRun: total / Math.max(1, runLengths.length),
    medianRun: runLengths[runLengths.length >> 1] ?? 0,
  };
}
