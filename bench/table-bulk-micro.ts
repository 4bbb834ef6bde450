/**
 * Bulk build against one-by-one inserts on the full table (development aid for
 * PrefixTable.fromSorted, src/table/bulk-build.ts): CPU ms to build the whole table (both
 * families) from its sorted entries, and from toBytes output, medians of rounds with the
 * one-by-one sorted and random-order inserts measured in the same rounds.
 * Run: npx tsc -p . && node --expose-gc dist/bench/table-bulk-micro.js [FILE] [ROUNDS]
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PrefixTable, parsePrefix } from '../src/index.js';

const file = process.argv[2] || new URL('../../../shared/data/tables/tier1-full-table-prefixes.txt.gz', import.meta.url).pathname;
const rounds = Number(process.argv[3] ?? 5);
const prefixes = gunzipSync(readFileSync(file))
  .toString('utf8')
  .split(/\r?\n/)
  .filter((l) => l.length > 0)
  .map(parsePrefix);
const n = prefixes.length;
// The sorted entries as columns, the way a restore would hold them.
const reference = new PrefixTable();
prefixes.forEach((p, i) => reference.setWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length, i));
const count = reference.size;
const fam = new Uint8Array(count);
const len = new Uint8Array(count);
const val = new Int32Array(count);
const net = new Uint32Array(4 * count);
let k = 0;
reference.forEachEntryWords((family, w0, w1, w2, w3, length, value) => {
  fam[k] = family;
  len[k] = length;
  val[k] = value;
  net.set([w0, w1, w2, w3], 4 * k);
  k++;
});
const bytes = reference.toBytes();
let seed = 12345;
const order = Uint32Array.from({ length: count }, (_, i) => i);
for (let i = count - 1; i > 0; i--) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  const j = seed % (i + 1);
  [order[i], order[j]] = [order[j]!, order[i]!];
}

function now(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const times: Record<string, number[]> = { fromSorted: [], fromBytes: [], insertSorted: [], insertRandom: [] };
for (let round = 0; round < rounds; round++) {
  gc();
  let t = now();
  const built = PrefixTable.fromSorted((add) => {
    for (let i = 0; i < count; i++) add(fam[i] as 4 | 6, net[4 * i]!, net[4 * i + 1]!, net[4 * i + 2]!, net[4 * i + 3]!, len[i]!, val[i]!);
  });
  times.fromSorted!.push(now() - t);
  if (built.size !== count) throw new Error('size');
  gc();
  t = now();
  const loaded = PrefixTable.fromBytes(bytes);
  times.fromBytes!.push(now() - t);
  if (loaded.size !== count) throw new Error('size');
  gc();
  t = now();
  const sorted = new PrefixTable();
  for (let i = 0; i < count; i++) sorted.setWords(fam[i] as 4 | 6, net[4 * i]!, net[4 * i + 1]!, net[4 * i + 2]!, net[4 * i + 3]!, len[i]!, val[i]!);
  times.insertSorted!.push(now() - t);
  gc();
  t = now();
  const random = new PrefixTable();
  for (let j = 0; j < count; j++) {
    const i = order[j]!;
    random.setWords(fam[i] as 4 | 6, net[4 * i]!, net[4 * i + 1]!, net[4 * i + 2]!, net[4 * i + 3]!, len[i]!, val[i]!);
  }
  times.insertRandom!.push(now() - t);
}
const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`${count} prefixes (${n} lines), ${rounds} rounds, CPU ms, medians; load ${load}; Node ${process.version}`);
for (const [name, xs] of Object.entries(times)) {
  console.log(`${name.padEnd(13)} ${median(xs).toFixed(0).padStart(6)} ms  (${((median(xs) * 1e6) / count).toFixed(0)} ns/prefix; rounds ${xs.map((x) => x.toFixed(0)).join(' ')})`);
}
