/**
 * The compiled IPv4 blocks (src/table/compiled-level.ts) on and off, interleaved: the full
 * table built twice in one process (`compiled: true` / `false`), the same 1 M addresses,
 * caches flushed before each timed loop, CPU time, medians of rounds and of per-round ratios.
 * Development aid beside `npm run bench:table` (which times PrefixMap against DIR-24-8).
 * Run: npx tsc -p . && node --expose-gc dist/bench/table-compiled-micro.js [rounds]
 */
import { readFileSync } from 'node:fs';
import { PrefixTable } from '../src/index.js';
import { addressesInsidePrefixes, uniformAddresses } from './support/addresses.js';
import { type FamilyPrefixes, loadFullTableOrExit } from './support/full-table.js';
import { SeededRandom } from './support/random.js';
import { median, processCpuNs } from './support/timing.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const table = loadFullTableOrExit();
const v4 = table.v4;

const N = 1 << 20;
const random = new SeededRandom(12345);
const inside = addressesInsidePrefixes(v4, N, random).words;
const uniform = uniformAddresses(4, N, random).words;

/** Insert one family's prefixes into `t`, the value of each its index in the family list. */
function insertAll(t: PrefixTable, prefixes: FamilyPrefixes): void {
  const width = prefixes.family === 4 ? 1 : 4;
  const w = prefixes.words;
  for (let i = 0; i < prefixes.count; i++) {
    const at = i * width;
    if (width === 1) t.setWords(4, w[at]!, 0, 0, 0, prefixes.lengths[i]!, i);
    else t.setWords(6, w[at]!, w[at + 1]!, w[at + 2]!, w[at + 3]!, prefixes.lengths[i]!, i);
  }
}

function build(compiled: boolean): PrefixTable {
  const t = new PrefixTable({ compiled });
  insertAll(t, table.v4);
  insertAll(t, table.v6);
  const s = processCpuNs();
  t.trim(); // with compiled blocks, trim() also compiles every /16 (compiled-level.ts)
  trimNs[compiled ? 'on' : 'off'] = processCpuNs() - s;
  return t;
}
const trimNs = { on: 0, off: 0 };
const on = build(true);
const off = build(false);
const stats = on.stats();
const blocks = on.stats().compiledLiveWords > 0 ? countBlocks(on) : 0;
function countBlocks(t: PrefixTable): number {
  const words = (t as unknown as { compiledV4: { words: Int32Array } }).compiledV4.words;
  let n = 0;
  for (let h = 0; h < 65536; h++) if (words[h]! > 0) n++;
  return n;
}
console.log(
  `compiling all ${blocks} blocks (trim() with blocks minus trim() without): ${((trimNs.on - trimNs.off) / 1e6).toFixed(1)} ms, ` +
    `${((trimNs.on - trimNs.off) / blocks / 1000).toFixed(1)} us per /16`,
);
console.log(
  `${v4.count} IPv4 prefixes; compiled blocks ${(stats.compiledLiveWords * 4 / 2 ** 20).toFixed(2)} MiB live ` +
    `(${((stats.compiledLiveWords * 4 + 262144) / v4.count).toFixed(2)} B/IPv4 prefix with the slot table), buffer ${(stats.compiledBytes / 2 ** 20).toFixed(2)} MiB; ` +
    `trie arena ${(stats.liveWords * 4 / 2 ** 20).toFixed(2)} MiB live`,
);

const out = new Int32Array(N);
for (const [name, sample] of [['inside', inside], ['uniform', uniform]] as const) {
  for (let i = 0; i < N; i++) if (on.lookupV4(sample[i]!) !== off.lookupV4(sample[i]!)) throw new Error(`disagree on ${name} ${sample[i]}`);
  on.lookupBatchV4(sample, out);
  for (let i = 0; i < N; i++) if (out[i] !== off.lookupV4(sample[i]!)) throw new Error(`batch disagrees on ${name} ${sample[i]}`);
}

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
  for (let i = 0; i < N; i++) hits += t.lookupV4(sample[i]!) >= 0 ? 1 : 0;
  const ns = (processCpuNs() - s) / N;
  if (hits < 0) throw new Error('unreachable');
  return ns;
}
function batch(t: PrefixTable, sample: Uint32Array): number {
  flush();
  const s = processCpuNs();
  t.lookupBatchV4(sample, out);
  return (processCpuNs() - s) / N;
}
const rows: Record<string, { on: number[]; off: number[]; ratio: number[] }> = {};
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, fn, sample] of [
    ['lookupV4 inside', single, inside],
    ['lookupV4 uniform', single, uniform],
    ['lookupBatchV4 inside', batch, inside],
  ] as const) {
    const a = fn(on, sample);
    const b = fn(off, sample);
    if (round === 0) continue; // warm-up
    const row = (rows[name] ??= { on: [], off: [], ratio: [] });
    row.on.push(a);
    row.off.push(b);
    row.ratio.push(a / b);
  }
}
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').trim()}; ${ROUNDS} rounds, ns per lookup (CPU time), compiled on / off`);
for (const [name, r] of Object.entries(rows)) {
  console.log(`${name}: ${median(r.on).toFixed(1)} / ${median(r.off).toFixed(1)} ns, ratio ${median(r.ratio).toFixed(2)}x`);
}
