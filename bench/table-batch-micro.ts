/**
 * Focused micro benchmark of the batch lookups against single lookups on the full table
 * (development aid for the lockstep batch walk in src/table/prefix-table-reader.ts).
 * Loads the table into a PrefixTable, draws 1 M addresses inside stored prefixes (IPv4 and
 * IPv6, deterministic), then per round times a loop of single lookups and one batch call
 * over the same addresses and prints the median ns per address (CPU time; the machine is
 * shared). Every round also checks that batch and single results agree.
 * Run: npx tsc -p . && node dist/bench/table-batch-micro.js [prefixes.txt.gz] [rounds]
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parsePrefix, PrefixTable } from '../src/index.js';
import { processCpuNs } from './support/timing.js';

const file = process.argv[2] || new URL('../../../shared/data/tables/tier1-full-table-prefixes.txt.gz', import.meta.url).pathname;
const ROUNDS = Number(process.argv[3] ?? 7);
const prefixes = gunzipSync(readFileSync(file))
  .toString('utf8')
  .split(/\r?\n/)
  .filter((l) => l.length > 0)
  .map(parsePrefix);
let seed = 12345;
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed;
};
const table = new PrefixTable();
prefixes.forEach((p, i) => table.setWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length, i));
table.trim();
const v4 = prefixes.filter((p) => p.family === 4);
const v6 = prefixes.filter((p) => p.family === 6);

const N = 1 << 20;
const insideV4 = new Uint32Array(N);
for (let i = 0; i < N; i++) {
  const p = v4[random() % v4.length]!;
  insideV4[i] = (p.w0 | (random() & (p.length === 32 ? 0 : 0xffffffff >>> p.length))) >>> 0;
}
const insideV6 = new Uint32Array(4 * N);
for (let i = 0; i < N; i++) {
  const p = v6[random() % v6.length]!;
  insideV6[4 * i] = p.w0;
  insideV6[4 * i + 1] = (p.w1 | (p.length >= 64 ? 0 : random() >>> Math.max(0, p.length - 32))) >>> 0;
  insideV6[4 * i + 2] = random();
  insideV6[4 * i + 3] = random();
}

const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

const single = new Int32Array(N);
const batch = new Int32Array(N);
const rounds: Record<string, number[]> = { singleV4: [], batchV4: [], singleV6: [], batchV6: [] };
for (let round = 0; round < ROUNDS; round++) {
  let s = processCpuNs();
  for (let i = 0; i < N; i++) single[i] = table.lookupV4(insideV4[i]!);
  rounds.singleV4!.push((processCpuNs() - s) / N);
  s = processCpuNs();
  table.lookupBatchV4(insideV4, batch);
  rounds.batchV4!.push((processCpuNs() - s) / N);
  for (let i = 0; i < N; i++) if (single[i] !== batch[i]) throw new Error(`IPv4 batch differs at ${i}`);
  s = processCpuNs();
  for (let i = 0; i < N; i++) {
    const j = i << 2;
    single[i] = table.lookupV6(insideV6[j]!, insideV6[j + 1]!, insideV6[j + 2]!, insideV6[j + 3]!);
  }
  rounds.singleV6!.push((processCpuNs() - s) / N);
  s = processCpuNs();
  table.lookupBatchV6(insideV6, batch);
  rounds.batchV6!.push((processCpuNs() - s) / N);
  for (let i = 0; i < N; i++) if (single[i] !== batch[i]) throw new Error(`IPv6 batch differs at ${i}`);
}
console.log(
  `${prefixes.length} prefixes, ${N} addresses inside stored prefixes, ${ROUNDS} rounds; ns/address median (min-max): ` +
    Object.entries(rounds)
      .map(([k, v]) => `${k} ${median(v).toFixed(0)} (${Math.min(...v).toFixed(0)}-${Math.max(...v).toFixed(0)})`)
      .join(', '),
);
