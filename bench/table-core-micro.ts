/**
 * Quick micro benchmark of the table core on the full table (development aid; the real
 * benchmark with npm peers is bench/table.ts). Prints insert/delete ns per prefix, lookup
 * ns (medians of rounds, CPU time), bytes per prefix. Run: npx tsc -p . && node --expose-gc dist/bench/table-core-micro.js
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parsePrefix, PrefixMap, PrefixTable } from '../src/index.js';
import { processCpuNs } from './support/timing.js';

const file = process.argv[2] || new URL('../../../shared/data/tables/tier1-full-table-prefixes.txt.gz', import.meta.url).pathname;
const prefixes = gunzipSync(readFileSync(file))
  .toString('utf8')
  .split(/\r?\n/)
  .filter((l) => l.length > 0)
  .map(parsePrefix);
// Random order, deterministic.
let seed = 12345;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed;
};
for (let i = prefixes.length - 1; i > 0; i--) {
  const j = random() % (i + 1);
  [prefixes[i], prefixes[j]] = [prefixes[j]!, prefixes[i]!];
}
const v4 = prefixes.filter((p) => p.family === 4);
const v6 = prefixes.filter((p) => p.family === 6);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

/** Heap plus array buffers after GC (array buffer memory is released after a turn of the event loop). */
async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const N = 1 << 20;
const insideV4 = new Uint32Array(N);
for (let i = 0; i < N; i++) {
  const p = v4[random() % v4.length]!;
  insideV4[i] = (p.w0 | (random() & (p.length === 32 ? 0 : 0xffffffff >>> p.length))) >>> 0;
}
const uniformV4 = new Uint32Array(N);
for (let i = 0; i < N; i++) uniformV4[i] = random();
const insideV6 = new Uint32Array(4 * N);
for (let i = 0; i < N; i++) {
  const p = v6[random() % v6.length]!;
  insideV6[4 * i] = p.w0;
  insideV6[4 * i + 1] = (p.w1 | (p.length >= 64 ? 0 : random() >>> Math.max(0, p.length - 32))) >>> 0;
  insideV6[4 * i + 2] = random();
  insideV6[4 * i + 3] = random();
}

// One kind per process gives the cleanest memory figure: `... table-core-micro.js FILE map`.
const kinds = process.argv[3] === 'core' || process.argv[3] === 'map' ? [process.argv[3]] : (['core', 'map'] as const);
for (const kind of kinds) {
  const before = await heap();
  const t0 = processCpuNs();
  let table: PrefixTable | PrefixMap<number>;
  if (kind === 'core') {
    const t = new PrefixTable();
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      t.setWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length, i);
    }
    table = t;
  } else {
    const m = new PrefixMap<number>();
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      m.setWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length, i);
    }
    table = m;
  }
  const t1 = processCpuNs();
  table.trim();
  const after = await heap();
  const stats = table.stats();
  console.log(
    `${kind}: insert ${((t1 - t0) / prefixes.length).toFixed(0)} ns/prefix; ` +
      `heap+buffers ${((after - before) / prefixes.length).toFixed(1)} B/prefix; ` +
      `arena live ${((stats.liveWords * 4) / prefixes.length).toFixed(1)} B/prefix, buffer ${((stats.bytes) / prefixes.length).toFixed(1)} B/prefix`,
  );
  const out = new Int32Array(N);
  const rounds: Record<string, number[]> = { insideV4: [], uniformV4: [], insideV6: [], batchV4: [] };
  // What a lookup that matches nothing returns: the core table's -1, the map's undefined.
  const miss = kind === 'core' ? -1 : undefined;
  let sink = 0;
  for (let round = 0; round < 7; round++) {
    let s = processCpuNs();
    for (let i = 0; i < N; i++) sink += table.lookupV4(insideV4[i]!) === miss ? 0 : 1;
    rounds.insideV4!.push((processCpuNs() - s) / N);
    s = processCpuNs();
    for (let i = 0; i < N; i++) sink += table.lookupV4(uniformV4[i]!) === miss ? 0 : 1;
    rounds.uniformV4!.push((processCpuNs() - s) / N);
    s = processCpuNs();
    for (let i = 0; i < N; i++) {
      const j = i << 2;
      sink += table.lookupV6(insideV6[j]!, insideV6[j + 1]!, insideV6[j + 2]!, insideV6[j + 3]!) === miss ? 0 : 1;
    }
    rounds.insideV6!.push((processCpuNs() - s) / N);
    s = processCpuNs();
    table.lookupBatchV4(insideV4, out);
    rounds.batchV4!.push((processCpuNs() - s) / N);
  }
  console.log(
    `${kind}: lookup ns median: ` +
      Object.entries(rounds)
        .map(([k, v]) => `${k} ${median(v).toFixed(1)}`)
        .join(', ') +
      ` (sink ${sink})`,
  );
  const t2 = processCpuNs();
  for (const p of prefixes) table.deleteWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length);
  const t3 = processCpuNs();
  console.log(`${kind}: delete ${((t3 - t2) / prefixes.length).toFixed(0)} ns/prefix; size after ${table.size}; live words ${table.stats().liveWords}`);
}
