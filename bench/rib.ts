/**
 * RIB benchmark (`npm run bench:rib`): the full table (1.06 M prefixes) as seen from 10 peers
 * = 10.6 M routes, with attribute sharing shaped like the real thing.
 *
 * Workload: bench/support/rib-workload.ts (shared with bench/store.ts): per peer (10 neighbour
 * ASes) one attribute set per (peer, origin AS from pfx2as), hundreds of thousands of distinct AS
 * paths and sets, shared by the prefixes of one origin, as on a real feed.
 *
 * Figures: attribute interning rate; apply rate (announceWords with interned ids, the RIB's
 * ingest core, one core); re-announcing routes already there (identical, and with other
 * attributes); bytes per route (process heap + external, array buffers included,
 * after GC, minus the same before the RIB was built; RSS delta beside); lookup median ns
 * (best route of the longest match, returning origin AS, AS path and communities); flushing
 * one 1.06 M-route peer with the sliced sweeper (total work, longest event-loop block).
 */
import type { Rib, SweepReport } from '../src/rib/rib.js';
import { loadavg } from 'node:os';
import { PrefixTable } from '../src/table/prefix-table.js';
import { addressesInsidePrefixes } from './support/addresses.js';
import { type FamilyPrefixes, loadFullTableOrExit } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { formatBytes, formatCount, formatNs, formatRate, markdownTable } from './support/markdown.js';
import { collectGarbage, memoryDelta, sampleMemory } from './support/memory.js';
import { SeededRandom } from './support/random.js';
import { PEERS, WORKLOAD_ROUTER, buildWorkloadRib, prepareRibWorkload, workloadPeer } from './support/rib-workload.js';
import { measure, median, timingSink } from './support/timing.js';

/** Flushes measured (one peer each, of the 10): FLUSHES=N, default 5. */
const FLUSHES = Math.min(PEERS, Number(process.env['FLUSHES'] ?? 5));

function main(): void {
  console.log(`# ribstore RIB benchmark\n\n${machineLine()}\n`);
  const table = loadFullTableOrExit();
  console.log(`data: the real Tier-1 full table, ${table.path} (${formatCount(table.v4.count + table.v6.count)} prefixes)\n`);
  const random = new SeededRandom(42);
  const workload = prepareRibWorkload(table, random);
  const { prefixCount, routes } = workload;
  const sample = addressesInsidePrefixes(table.v4, 1_000_000, random);

  collectGarbage();
  const before = sampleMemory();
  const built = buildWorkloadRib(workload);
  const { rib, held, attrIds, peerViews, distinctPaths, internNs, applyNs, applyCpuUs } = built;
  // Before the builder's references go: the attribute-change case switches peer 0's routes
  // away from its sets and back, which must not free them meanwhile.
  const reannounce = measureReannounce(rib, table.v4, peerViews[0]!, attrIds[0]![0]!, attrIds[1]![0]!);
  for (const id of held) rib.releaseAttributes(id);
  held.length = 0;
  attrIds.length = 0;
  const stats = rib.stats();

  collectGarbage();
  const after = sampleMemory();
  const mem = memoryDelta(before, after);
  // Node 20 leaves growable SharedArrayBuffers out of process.memoryUsage().external, so the
  // RSS delta is the process figure; the committed bytes of the RIB's arrays are summed beside.
  const peerListBytes = rib.peerRoutes.byteLength;
  const ribBytes = stats.memory.routeBytes + stats.memory.attributeBytes + stats.memory.tableBytes + peerListBytes;

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
  // The sum lives in a local of its own function: `lookupSink` is captured by the report's
  // closure below, so accumulating into it directly would box a number per lookup.
  const sumOriginAs = (): number => {
    let acc = 0;
    for (let i = 0; i < addrs.length; i++) acc += rib.attributes.originAs(rib.entryAttributes(rib.bestRouteV4(addrs[i]!)));
    return acc;
  };
  const lookupCpu = process.cpuUsage();
  const lookupSink = sumOriginAs();
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
  // The same ratio from interleaved rounds (trie, then RIB, 9 pairs; median of the per-pair
  // ratios): load from other processes shifts between separate measurements, less within a pair.
  const handleRatio = interleavedRatio(
    () => {
      let acc = 0;
      for (let i = 0; i < addrs.length; i++) acc += trie.lookupV4(addrs[i]!);
      return acc;
    },
    () => {
      let acc = 0;
      for (let i = 0; i < addrs.length; i++) acc += rib.bestRouteV4(addrs[i]!);
      return acc;
    },
  );
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

  // Flush one peer (1.06 M routes) with the sliced sweeper, FLUSHES times (peers 0, 1, 2, ... of the 10 in turn).
  const flushes: SweepReport[] = [];
  const compactionSteps = timeCompactionSteps(rib);
  const compactionsBefore = rib.attributes.compactions;
  const runFlushes = async (): Promise<void> => {
    for (let round = 0; round < FLUSHES; round++) {
      rib.peerDown(WORKLOAD_ROUTER, workloadPeer(round));
      flushes.push(await rib.sweep());
    }
  };
  void runFlushes().then(() => {
    const flushWork = median(flushes.map((f) => f.workMs));
    const flushCpu = median(flushes.map((f) => f.cpuMs));
    const longest = median(flushes.map((f) => f.longestSliceMs));
    const longestCpu = median(flushes.map((f) => f.longestSliceCpuMs));
    const longestMax = Math.max(...flushes.map((f) => f.longestSliceMs));
    const flushedRoutes = routes / PEERS;
    console.log(
      markdownTable(
        ['measure', 'value', 'target'],
        [
          ['routes (prefixes x peers)', `${formatCount(routes)} (${formatCount(prefixCount)} x ${PEERS})`, '10.6 M'],
          ['distinct attribute sets / AS paths', `${formatCount(stats.attributeSets)} / ${formatCount(distinctPaths)}`, 'hundreds of thousands'],
          ['bytes per route: process RSS delta after GC', `${(mem.rss / routes).toFixed(1)} B (${formatBytes(mem.rss)})`, '<= 48 B'],
          ['bytes per route: RIB typed arrays (committed)', `${(ribBytes / routes).toFixed(1)} B (${formatBytes(ribBytes)})`, ''],
          ['  route sets / attribute pool / prefix tries', `${(stats.memory.routeBytes / routes).toFixed(1)} / ${(stats.memory.attributeBytes / routes).toFixed(1)} / ${(stats.memory.tableBytes / routes).toFixed(1)} B`, ''],
          ['  per-peer slot lists of the sweeper (included above)', `${(peerListBytes / routes).toFixed(1)} B`, ''],
          ['  JS heap delta (heapUsed, after GC)', `${(mem.heap / routes).toFixed(1)} B`, ''],
          ['attribute interning (encode + hash + insert)', `${formatRate(distinctPaths / (internNs / 1e9))} sets/s`, ''],
          ['apply (announceWords, interned ids), wall', `${formatRate(routes / (applyNs / 1e9))} routes/s (${formatNs(applyNs / routes)}/route)`, '>= 3 M routes/s'],
          ['apply, CPU time', `${formatRate(routes / (applyCpuUs / 1e6))} routes/s (${formatNs((applyCpuUs * 1000) / routes)}/route)`, '>= 3 M routes/s'],
          ['lookup: best route, origin AS (numeric)', `${formatNs(numeric.nsPerOp)} median (CPU time: ${formatNs(lookupCpuNs)})`, ''],
          ['lookup: + AS path and communities (decoded, cached)', `${formatNs(decoded.nsPerOp)} median`, '<= 60 ns'],
          ['re-announce, identical attributes (announceWords)', `${formatNs(reannounce.identical.nsPerOp)} median, ${reannounce.identicalHeapBytes.toFixed(2)} B heap/route`, '<= 100 ns, 0 B'],
          ['re-announce, attributes changed (swapped in place, re-ranked)', `${formatNs(reannounce.changed.nsPerOp)} median`, ''],
          ['lookup(text) -> JSON with all routes', `${formatNs(text.nsPerOp)} median`, ''],
          ['  context: PrefixTable.lookupV4 alone, same addresses', `${formatNs(trieLookup.nsPerOp)} median`, ''],
          ['  context: PrefixTable.getWords alone (exact match, per route of apply)', `${formatNs(trieGet.nsPerOp)} median`, ''],
          ['  ratios, same run: best route + origin AS / lookupV4; identical re-announce / getWords', `${(numeric.nsPerOp / trieLookup.nsPerOp).toFixed(2)}x; ${(reannounce.identical.nsPerOp / trieGet.nsPerOp).toFixed(2)}x`, ''],
          ['  ratio, interleaved rounds: bestRouteV4 (route handle) / lookupV4', `${handleRatio.ratio.toFixed(2)}x (median of 9 pairs)`, '<= 1.5x'],
          ['flush a 1.06 M-route peer: work (wall / CPU)', `${flushWork.toFixed(1)} / ${flushCpu.toFixed(1)} ms (median of ${FLUSHES}; ${flushes[0]!.slices} slices; ${formatNs((flushCpu * 1e6) / flushedRoutes)}/route CPU)`, '<= 100 ms'],
          ['flush: longest slice (event-loop block), wall / CPU', `${longest.toFixed(2)} / ${longestCpu.toFixed(2)} ms (median of ${FLUSHES}; max wall ${longestMax.toFixed(2)} ms)`, '<= 5 ms'],
          [
            '  attribute-pool compaction during the flushes: compactions, steps, longest step wall / CPU (all steps)',
            `${rib.attributes.compactions - compactionsBefore}, ${formatCount(compactionSteps.steps)}, ${compactionSteps.longestMs.toFixed(2)} / ${compactionSteps.longestCpuMs.toFixed(2)} ms (${compactionSteps.totalMs.toFixed(1)} / ${compactionSteps.totalCpuMs.toFixed(1)} ms)`,
            '',
          ],
        ],
        ['left', 'right', 'right'],
      ),
    );
    console.log(`\nload average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (sink ${timingSink() + lookupSink + handleRatio.sink})`);
  });
}

/**
 * Time every step of the attribute pool's incremental compaction (the ones the sweeper calls and
 * the ones paced onto interns and frees, which call the same method on the pool): wraps the
 * pool's `compactStep` for the rest of the run.
 */
function timeCompactionSteps(rib: Rib): { steps: number; longestMs: number; totalMs: number; longestCpuMs: number; totalCpuMs: number } {
  const pool = rib.attributes;
  const step = pool.compactStep.bind(pool);
  const stats = { steps: 0, longestMs: 0, totalMs: 0, longestCpuMs: 0, totalCpuMs: 0 };
  pool.compactStep = (budget: number): boolean => {
    if (!pool.compacting || budget <= 0) return step(budget);
    const cpu = process.cpuUsage();
    const t = performance.now();
    const more = step(budget);
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    stats.steps++;
    stats.totalMs += ms;
    stats.totalCpuMs += cpuMs;
    if (ms > stats.longestMs) stats.longestMs = ms;
    if (cpuMs > stats.longestCpuMs) stats.longestCpuMs = cpuMs;
    return more;
  };
  return stats;
}

/**
 * Median over 9 interleaved pairs of rounds of time(`work`) / time(`reference`), after one
 * warm-up pair; with the sum of what the rounds returned (print it: it keeps the loops alive).
 */
function interleavedRatio(reference: () => number, work: () => number): { ratio: number; sink: number } {
  const ratios: number[] = [];
  let acc = 0;
  for (let pair = 0; pair < 10; pair++) {
    const a = process.hrtime.bigint();
    acc += reference();
    const b = process.hrtime.bigint();
    acc += work();
    const c = process.hrtime.bigint();
    if (pair > 0) ratios.push(Number(c - b) / Number(b - a));
  }
  return { ratio: median(ratios), sink: acc };
}

/**
 * Re-announcing routes that are already there: every IPv4 route of one peer again with the
 * same attribute set id (the RIB changes nothing), and with another set (peer `other`'s for
 * the same prefix: the route takes it in place and moves to its new rank), then back.
 * Heap bytes per identical re-announcement: heapUsed growth over one round, no GC between.
 */
function measureReannounce(rib: Rib, v4: FamilyPrefixes, pv: number, ids: Uint32Array, otherIds: Uint32Array) {
  const w = v4.words;
  const lengths = v4.lengths;
  const count = v4.count;
  // Words passed as int32 (`| 0`), as announceWords advises hot callers: a uint32 of 2^31 or
  // more given to a call V8 does not inline is boxed (a heap number per call).
  const identicalRound = (): number => {
    for (let i = 0; i < count; i++) rib.announceWords(pv, 0, 4, w[i]! | 0, 0, 0, 0, lengths[i]!, 0, ids[i]!);
    return count;
  };
  const identical = measure(count, identicalRound);
  const heapBefore = process.memoryUsage().heapUsed;
  identicalRound();
  const identicalHeapBytes = Math.max(0, process.memoryUsage().heapUsed - heapBefore) / count;
  const changed = measure(2 * count, () => {
    for (let i = 0; i < count; i++) rib.announceWords(pv, 0, 4, w[i]! | 0, 0, 0, 0, lengths[i]!, 0, otherIds[i]!);
    for (let i = 0; i < count; i++) rib.announceWords(pv, 0, 4, w[i]! | 0, 0, 0, 0, lengths[i]!, 0, ids[i]!);
    return count;
  });
  return { identical, identicalHeapBytes, changed };
}

main();
