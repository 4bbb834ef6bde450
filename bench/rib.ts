/**
 * RIB benchmark (`npm run bench:rib`): the full table (1.06 M prefixes) as seen from 10 peers
 * = 10.6 M routes, with attribute sharing shaped like the real thing.
 *
 * Workload:
 *  - prefixes: ../shared/data/tables/tier1-full-table-prefixes.txt.gz (IPv4 and IPv6);
 *  - origin AS of each prefix: RouteViews pfx2as (../shared/data/pfx2as), first AS of a
 *    multi-origin entry; prefixes it lacks get an origin drawn from the ones it has;
 *  - per peer (10 neighbour ASes): AS path = neighbour AS, 0-3 transit ASes chosen by a hash of
 *    (peer, origin) from a pool of 3000, then the origin; communities: one of 2000 sets of 1-6
 *    communities; a large community on a quarter of the sets; MED on half of the peers; next
 *    hop = the peer. So one attribute set per (peer, origin AS): hundreds of thousands of
 *    distinct AS paths and sets, shared by the prefixes of one origin, as on a real feed.
 *
 * Figures: attribute interning rate; apply rate (announceWords with interned ids, the RIB's
 * ingest core, one core); bytes per route (process heap + external, array buffers included,
 * after GC, minus the same before the RIB was built; RSS delta beside); lookup median ns
 * (best route of the longest match, returning origin AS, AS path and communities); flushing
 * one 1.06 M-route peer with the sliced sweeper (total work, longest event-loop block).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parsePrefix } from '../src/ip/prefix.js';
import { Address } from '../src/ip/address.js';
import { Rib, type SweepReport } from '../src/rib/rib.js';
import { loadavg } from 'node:os';
import { PrefixTable } from '../src/table/prefix-table.js';
import { emptySummary } from '../src/rib/attribute-pool.js';
import { encodeRouteAttributes, summarizeAttributes } from '../src/rib/attribute-codec.js';
import type { PathAttributes } from '../src/wire/bgp/types.js';
import { addressesInsidePrefixes } from './support/addresses.js';
import { type FamilyPrefixes, loadFullTableOrExit, sharedDataDir } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { formatBytes, formatCount, formatNs, formatRate, markdownTable } from './support/markdown.js';
import { collectGarbage, memoryDelta, sampleMemory } from './support/memory.js';
import { SeededRandom } from './support/random.js';
import { measure, median, timingSink } from './support/timing.js';

const PEERS = 10;
const NEIGHBOURS = [3356, 1299, 174, 2914, 6939, 6453, 3257, 6762, 1273, 7018];
const TRANSIT_POOL = 3000;
const COMMUNITY_SETS = 2000;

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

function main(): void {
  console.log(`# ribstore RIB benchmark\n\n${machineLine()}\n`);
  const table = loadFullTableOrExit();
  const random = new SeededRandom(42);
  const families = [table.v4, table.v6];
  const originOf = [origins(table.v4, 'RouteViewIPv4.pfx2as.gz', random), origins(table.v6, 'RouteViewIPv6.pfx2as.gz', random)];
  const prefixCount = table.v4.count + table.v6.count;
  const routes = prefixCount * PEERS;
  const transit = new Uint32Array(TRANSIT_POOL);
  for (let i = 0; i < TRANSIT_POOL; i++) transit[i] = 1 + random.below(400000);
  const communitySets: number[][] = [];
  for (let i = 0; i < COMMUNITY_SETS; i++) {
    const n = 1 + random.below(6);
    const set: number[] = [];
    for (let k = 0; k < n; k++) set.push((((NEIGHBOURS[random.below(NEIGHBOURS.length)]! & 0xffff) << 16) | random.below(1000)) >>> 0);
    communitySets.push(set);
  }
  const sample = addressesInsidePrefixes(table.v4, 1_000_000, random);

  collectGarbage();
  const before = sampleMemory();
  const rib = new Rib();
  const summary = emptySummary();

  // Intern one attribute set per (peer, origin AS); the bench holds one reference to each.
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
  for (let p = 0; p < PEERS; p++) {
    const pv = rib.peerView({
      router: '192.0.2.254',
      peer: { type: 0, distinguisher: '0:0', address: `192.0.2.${p + 1}`, asn: NEIGHBOURS[p]!, bgpId: (0xc0000200 + p + 1) >>> 0 },
      view: 'adj-rib-in-post',
      afi: 1,
      safi: 1,
    });
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
  for (const id of held) rib.releaseAttributes(id);
  held.length = 0;
  attrIds.length = 0;
  const stats = rib.stats();

  collectGarbage();
  const after = sampleMemory();
  const mem = memoryDelta(before, after);
  // Node 20 leaves growable SharedArrayBuffers out of process.memoryUsage().external, so the
  // RSS delta is the process figure; the committed bytes of the RIB's arrays are summed beside.
  const ribBytes = stats.memory.routeBytes + stats.memory.attributeBytes + stats.memory.tableBytes;

  // Lookups: 1 M random addresses inside stored IPv4 prefixes.
  const addrs = sample.words;
  const numeric = measure(addrs.length, () => {
    let acc = 0;
    for (let i = 0; i < addrs.length; i++) {
      const h = rib.bestRouteV4(addrs[i]!);
      acc += rib.attributes.originAs(rib.entryAttributes(h));
    }
    return acc;
  });
  const lookupCpu = process.cpuUsage();
  let lookupSink = 0;
  for (let i = 0; i < addrs.length; i++) lookupSink += rib.attributes.originAs(rib.entryAttributes(rib.bestRouteV4(addrs[i]!)));
  const lookupCpuUsed = process.cpuUsage(lookupCpu);
  const lookupCpuNs = ((lookupCpuUsed.user + lookupCpuUsed.system) * 1000) / addrs.length;
  const decoded = measure(addrs.length, () => {
    let acc = 0;
    for (let i = 0; i < addrs.length; i++) {
      const h = rib.bestRouteV4(addrs[i]!);
      const attr = rib.entryAttributes(h);
      const json = rib.attributesJson(attr);
      acc += rib.attributes.originAs(attr) + json.asPath.length + json.communities.length;
    }
    return acc;
  });
  // The trie alone, same addresses, for what bounds the figures above (built after the memory
  // sample, so it does not count there).
  const trie = new PrefixTable({ shared: true });
  for (let i = 0; i < table.v4.count; i++) trie.setWords(4, table.v4.words[i]!, 0, 0, 0, table.v4.lengths[i]!, i);
  const trieLookup = measure(addrs.length, () => {
    let acc = 0;
    for (let i = 0; i < addrs.length; i++) acc += trie.lookupV4(addrs[i]!);
    return acc;
  });
  const trieGet = measure(table.v4.count, () => {
    let acc = 0;
    const w = table.v4.words;
    const l = table.v4.lengths;
    for (let i = 0; i < table.v4.count; i++) acc += trie.getWords(4, w[i]!, 0, 0, 0, l[i]!);
    return acc;
  });
  const text = measure(10_000, () => {
    let acc = 0;
    for (let i = 0; i < 10_000; i++) acc += rib.lookup(sample.text[i]!)!.routes.length;
    return acc;
  });

  // Flush one peer (1.06 M routes) with the sliced sweeper, three times (re-announcing between).
  const flushes: SweepReport[] = [];
  const runFlushes = async (): Promise<void> => {
    for (let round = 0; round < 3; round++) {
      const peer = { type: 0, distinguisher: '0:0', address: `192.0.2.${round + 1}`, asn: NEIGHBOURS[round]!, bgpId: (0xc0000200 + round + 1) >>> 0 };
      rib.peerDown('192.0.2.254', peer);
      flushes.push(await rib.sweep());
    }
  };
  void runFlushes().then(() => {
    const flushWork = median(flushes.map((f) => f.workMs));
    const flushCpu = median(flushes.map((f) => f.cpuMs));
    const longest = Math.max(...flushes.map((f) => f.longestSliceMs));
    const longestCpu = Math.max(...flushes.map((f) => f.longestSliceCpuMs));
    console.log(
      markdownTable(
        ['measure', 'value', 'target'],
        [
          ['routes (prefixes x peers)', `${formatCount(routes)} (${formatCount(prefixCount)} x ${PEERS})`, '10.6 M'],
          ['distinct attribute sets / AS paths', `${formatCount(stats.attributeSets)} / ${formatCount(distinctPaths)}`, 'hundreds of thousands'],
          ['bytes per route: process RSS delta after GC', `${(mem.rss / routes).toFixed(1)} B (${formatBytes(mem.rss)})`, '<= 48 B'],
          ['bytes per route: RIB typed arrays (committed)', `${(ribBytes / routes).toFixed(1)} B (${formatBytes(ribBytes)})`, ''],
          ['  route sets / attribute pool / prefix tries', `${(stats.memory.routeBytes / routes).toFixed(1)} / ${(stats.memory.attributeBytes / routes).toFixed(1)} / ${(stats.memory.tableBytes / routes).toFixed(1)} B`, ''],
          ['  JS heap delta (heapUsed, after GC)', `${(mem.heap / routes).toFixed(1)} B`, ''],
          ['attribute interning (encode + hash + insert)', `${formatRate(distinctPaths / (internNs / 1e9))} sets/s`, ''],
          ['apply (announceWords, interned ids), wall', `${formatRate(routes / (applyNs / 1e9))} routes/s (${formatNs(applyNs / routes)}/route)`, '>= 3 M routes/s'],
          ['apply, CPU time', `${formatRate(routes / (applyCpuUs / 1e6))} routes/s (${formatNs((applyCpuUs * 1000) / routes)}/route)`, '>= 3 M routes/s'],
          ['lookup: best route, origin AS (numeric)', `${formatNs(numeric.nsPerOp)} median (CPU time: ${formatNs(lookupCpuNs)})`, ''],
          ['lookup: + AS path and communities (decoded, cached)', `${formatNs(decoded.nsPerOp)} median`, '<= 60 ns'],
          ['lookup(text) -> JSON with all routes', `${formatNs(text.nsPerOp)} median`, ''],
          ['  context: PrefixTable.lookupV4 alone, same addresses', `${formatNs(trieLookup.nsPerOp)} median`, ''],
          ['  context: PrefixTable.getWords alone (exact match, per route of apply)', `${formatNs(trieGet.nsPerOp)} median`, ''],
          ['flush a 1.06 M-route peer: work (wall / CPU)', `${flushWork.toFixed(1)} / ${flushCpu.toFixed(1)} ms (median of 3; ${flushes[0]!.slices} slices)`, '<= 100 ms'],
          ['flush: longest event-loop block (wall / CPU)', `${longest.toFixed(2)} / ${longestCpu.toFixed(2)} ms`, '<= 10 ms'],
        ],
        ['left', 'right', 'right'],
      ),
    );
    console.log(`\nload average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (sink ${timingSink() + lookupSink})`);
  });
}

main();
