/**
 * The compiled IPv6 blocks (src/table/compiled-v6.ts) on and off, interleaved: the full table
 * built twice in one process (`compiled: true` / `false`), the same 1 M IPv6 addresses inside
 * stored prefixes, caches flushed before each timed loop, CPU time, medians of rounds and of
 * per-round ratios. Also prints how deep the trie walk goes for these addresses (levels below
 * the first level), which is what the blocks shorten. Development aid beside `npm run bench:table`.
 * Run: npx tsc -p . && node --expose-gc dist/bench/table-v6-micro.js [rounds]
 */
import { readFileSync } from 'node:fs';
import { PrefixTable } from '../src/index.js';
import { addressesInsidePrefixes } from './support/addresses.js';
import { type FamilyPrefixes, loadFullTableOrExit } from './support/full-table.js';
import { SeededRandom } from './support/random.js';
import { median, processCpuNs } from './support/timing.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const table = loadFullTableOrExit();
const v6 = table.v6;

const N = 1 << 20;
const random = new SeededRandom(12345);
const inside = addressesInsidePrefixes(v6, N, random).words;

/** Insert one family's prefixes into `t`, the value of each its index in the family list. */
function insertAll(t: PrefixTable, prefixes: FamilyPrefixes): void {
  const w = prefixes.words;
  for (let i = 0; i < prefixes.count; i++) {
    const at = i * 4;
    t.setWords(6, w[at]!, w[at + 1]!, w[at + 2]!, w[at + 3]!, prefixes.lengths[i]!, i);
  }
}

function build(compiled: boolean): PrefixTable {
  const t = new PrefixTable({ compiled });
  insertAll(t, v6);
  t.trim();
  return t;
}
const on = build(true);
const off = build(false);

// Levels: how many trie nodes below the first level a walk visits for each address.
{
  const first = (off as unknown as { firstV6: Int32Array }).firstV6;
  const a = (off as unknown as { words: Int32Array }).words;
  const depths = new Array<number>(17).fill(0);
  for (let i = 0; i < N; i++) {
    const w = [inside[4 * i]!, inside[4 * i + 1]!, inside[4 * i + 2]!, inside[4 * i + 3]!];
    let slot = first[2 * (w[0]! >>> 16)]!;
    let levels = 0;
    for (let depth = 2; slot > 0 && depth < 16; depth++) {
      levels++;
      const o = (w[depth >> 2]! >>> (24 - ((depth & 3) << 3))) & 255;
      if (((a[slot + (o >> 5)]! >>> o) & 1) === 0) break;
      let rank = 0;
      for (let k = 0; k < o; k++) if (((a[slot + (k >> 5)]! >>> k) & 1) !== 0) rank++;
      slot = a[a[slot + 8]! + rank]!;
    }
    depths[levels]!++;
  }
  const mean = depths.reduce((s, c, d) => s + c * d, 0) / N;
  console.log(
    `${v6.count} IPv6 prefixes; trie nodes visited below the first level per lookup (inside prefixes): mean ${mean.toFixed(2)}; ` +
      depths.map((c, d) => (c > 0 ? `${d}: ${((100 * c) / N).toFixed(1)}%` : '')).filter((s) => s !== '').join(', '),
  );
}

const out = new Int32Array(N);
for (let i = 0; i < N; i++) {
  const j = 4 * i;
  if (on.lookupV6(inside[j]!, inside[j + 1]!, inside[j + 2]!, inside[j + 3]!) !== off.lookupV6(inside[j]!, inside[j + 1]!, inside[j + 2]!, inside[j + 3]!)) {
    throw new Error(`disagree on address ${i}`);
  }
}
on.lookupBatchV6(inside, out);
for (let i = 0; i < N; i++) {
  const j = 4 * i;
  if (out[i] !== off.lookupV6(inside[j]!, inside[j + 1]!, inside[j + 2]!, inside[j + 3]!)) throw new Error(`batch disagrees on address ${i}`);
}
const stats = on.stats();
console.log(
  `compiled IPv6 blocks ${((stats.compiledV6LiveWords * 4) / 2 ** 20).toFixed(2)} MiB live (${((stats.compiledV6LiveWords * 4 + 262144) / v6.count).toFixed(1)} B/IPv6 prefix with the slot table) ` +
    `after 1 M lookups, buffer ${(stats.compiledV6Bytes / 2 ** 20).toFixed(2)} MiB`,
);

// 64 MiB of reads between timed loops so each starts with cold caches (L3 is 32 MiB here).
const flushBuffer = new Int32Array(16 << 20);
function flush(): number {
  let s = 0;
  for (let i = 0; i < flushBuffer.length; i += 16) s += flushBuffer[i]!;
  return s;
}
function single(t: PrefixTable, sample: Uint32Array): number {
  flush();
  const s = processCpuNs();
  let hits = 0;
  for (let i = 0, j = 0; i < N; i++, j += 4) hits += t.lookupV6(sample[j]!, sample[j + 1]!, sample[j + 2]!, sample[j + 3]!) >= 0 ? 1 : 0;
  const ns = (processCpuNs() - s) / N;
  if (hits < 0) throw new Error('unreachable');
  return ns;
}
// 4 Ki distinct addresses looked up 256 times each: the blocks and nodes they reach stay in
// cache, so this row is the instructions of a lookup, not its misses.
const hotSample = inside.subarray(0, 4 << 12);
function hot(t: PrefixTable): number {
  const s = processCpuNs();
  let hits = 0;
  for (let r = 0; r < 256; r++) {
    for (let j = 0; j < hotSample.length; j += 4) hits += t.lookupV6(hotSample[j]!, hotSample[j + 1]!, hotSample[j + 2]!, hotSample[j + 3]!) >= 0 ? 1 : 0;
  }
  if (hits < 0) throw new Error('unreachable');
  return (processCpuNs() - s) / (256 * (hotSample.length >> 2));
}
function batch(t: PrefixTable, sample: Uint32Array): number {
  flush();
  const s = processCpuNs();
  t.lookupBatchV6(sample, out);
  return (processCpuNs() - s) / N;
}
// Writes on tables whose blocks are compiled (the lookups before compiled them): 2 Ki prefixes
// in random order, deleted then inserted back (same values), read from columns laid out in that
// order (at most 4 Ki writes: no more than the 4 Ki the compiled blocks keep pending before dropping
// everything); then the same networks looked up, which recompiles the blocks the writes made stale.
const CHURN = 1 << 11;
const churnOrder = new Uint32Array(CHURN);
for (let k = 0; k < CHURN; k++) churnOrder[k] = random.below(v6.count);
const churnWords = new Uint32Array(4 * CHURN);
const churnLengths = new Uint8Array(CHURN);
const seenChurn = new Set<number>();
let churnCount = 0;
for (let k = 0; k < CHURN; k++) {
  const i = churnOrder[k]!;
  if (seenChurn.has(i)) continue;
  seenChurn.add(i);
  churnWords.set(v6.words.subarray(4 * i, 4 * i + 4), 4 * churnCount);
  churnLengths[churnCount] = v6.lengths[i]!;
  churnOrder[churnCount++] = i;
}
function churn(t: PrefixTable): number {
  flush();
  const s = processCpuNs();
  const w = churnWords;
  for (let k = 0; k < churnCount; k++) t.deleteWords(6, w[4 * k]!, w[4 * k + 1]!, w[4 * k + 2]!, w[4 * k + 3]!, churnLengths[k]!);
  for (let k = 0; k < churnCount; k++) t.setWords(6, w[4 * k]!, w[4 * k + 1]!, w[4 * k + 2]!, w[4 * k + 3]!, churnLengths[k]!, churnOrder[k]!);
  return (processCpuNs() - s) / (2 * churnCount);
}
function afterChurn(t: PrefixTable, sample: Uint32Array): number {
  flush();
  const s = processCpuNs();
  let hits = 0;
  for (let k = 0; k < churnCount; k++) {
    const j = 4 * k;
    hits += t.lookupV6(sample[j]!, sample[j + 1]!, sample[j + 2]!, sample[j + 3]!) >= 0 ? 1 : 0;
  }
  if (hits < 0) throw new Error('unreachable');
  return (processCpuNs() - s) / churnCount;
}

const rows: Record<string, { on: number[]; off: number[]; ratio: number[] }> = {};
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, fn] of [
    ['lookupV6 inside', single],
    ['lookupBatchV6 inside', batch],
    ['lookupV6 inside, 4 Ki addresses repeated (cache-hot)', (t: PrefixTable) => hot(t)],
    ['delete + insert (2 Ki, blocks compiled), per write', (t: PrefixTable) => churn(t)],
    ['lookupV6 of the rewritten networks right after (recompiles), per lookup', (t: PrefixTable) => afterChurn(t, churnWords)],
  ] as const) {
    const x = round & 1 ? fn(off, inside) : fn(on, inside);
    const y = round & 1 ? fn(on, inside) : fn(off, inside);
    const [a, b] = round & 1 ? [y, x] : [x, y];
    if (round === 0) continue; // warm-up
    const row = (rows[name] ??= { on: [], off: [], ratio: [] });
    row.on.push(a);
    row.off.push(b);
    row.ratio.push(a / b);
  }
}
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').trim()}; ${ROUNDS} rounds, ns per lookup (CPU time), compiled on / off`);
for (const [name, r] of Object.entries(rows)) {
  console.log(`${name}: ${median(r.on).toFixed(1)} / ${median(r.off).toFixed(1)} ns, ratio ${median(r.ratio).toFixed(2)}x (rounds ${r.ratio.map((x) => x.toFixed(2)).join(' ')})`);
}
