/**
 * Same-run A/B of the IPv4 lookups of two builds of ribstore: PrefixMap<number> of another tree
 * (BASE: a directory holding a built copy, e.g. `git archive <commit> | tar -x -C /tmp/base`,
 * node_modules linked, `npx tsc -p .`) against this tree's, and the DIR-24-8 reference, in one
 * process: the full IPv4 table loaded into both maps in the same random order, the same 1 M
 * addresses as bench:table (its seed), caches flushed before each timed loop, the order of the
 * three rotating per round, medians of rounds and of per-round ratios to the reference.
 * Development aid for src/table/DESIGN.md's before/after figures.
 * Run: npx tsc -p . && BASE=/tmp/base node dist/bench/table-ab-micro.js [rounds]
 */
import { readFileSync } from 'node:fs';
import { PrefixMap } from '../src/index.js';
import { addressesInsidePrefixes, uniformAddresses } from './support/addresses.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { SeededRandom, randomOrder } from './support/random.js';
import { Dir248Table, flushCaches } from './support/dir-24-8.js';
import { median } from './support/timing.js';
import { parsePrefix } from '../src/ip/index.js';

type Map = { lookupV4(a: number): number | undefined; lookupBatchV4(a: Uint32Array, o: Int32Array): Int32Array; set(p: unknown, v: number): unknown };
if (process.env.BASE === undefined) {
  console.error('set BASE to a built copy of the tree to compare against (see the header)');
  process.exit(2);
}
const base = (await import(process.env.BASE + '/dist/src/index.js')) as { PrefixMap: new () => Map };
const N = 1 << 20;
const table = loadFullTableOrExit();
const v4 = table.v4;
const random = new SeededRandom(0x7ab1e + 4);
const inside = addressesInsidePrefixes(v4, N, random).words;
const uniform = uniformAddresses(4, N, random).words;
const order = randomOrder(v4.count, random);
const mNew = new PrefixMap<number>() as unknown as Map;
const mOld = new base.PrefixMap();
for (const i of order) { const p = parsePrefix(v4.text[i]!); mNew.set(p, i); mOld.set(v4.text[i]!, i); }
const dir = Dir248Table.build(v4);
const out = new Int32Array(N);
function single(m: Map, s: Uint32Array): number { let h = 0; for (let i = 0; i < N; i++) if (m.lookupV4(s[i]!) !== undefined) h++; return h; }
function ref(s: Uint32Array): number { let h = 0; for (let i = 0; i < N; i++) if (dir.lookupV4(s[i]!) !== undefined) h++; return h; }
for (const s of [inside, uniform]) for (let i = 0; i < 100000; i++) if (mNew.lookupV4(s[i]!) !== mOld.lookupV4(s[i]!)) throw new Error('disagree');
const ROUNDS = Number(process.argv[2] ?? 7);
const rows: [string, () => number, () => number, () => number][] = [
  ['lookupV4 inside', () => single(mOld, inside), () => single(mNew, inside), () => ref(inside)],
  ['lookupV4 uniform', () => single(mOld, uniform), () => single(mNew, uniform), () => ref(uniform)],
  ['lookupBatchV4 inside', () => mOld.lookupBatchV4(inside, out)[0]!, () => mNew.lookupBatchV4(inside, out)[0]!, () => ref(inside)],
];
console.log(`load before ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
for (const [name, old, neu, r] of rows) {
  const t: number[][] = [[], [], []];
  const rat: number[][] = [[], []];
  const fns = [old, neu, r];
  for (let round = 0; round <= ROUNDS; round++) {
    const x = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const j = (k + round) % 3;
      flushCaches();
      const t0 = process.hrtime.bigint();
      fns[j]!();
      x[j] = Number(process.hrtime.bigint() - t0) / N;
    }
    if (round === 0) continue;
    for (let j = 0; j < 3; j++) t[j]!.push(x[j]!);
    rat[0]!.push(x[0]! / x[2]!);
    rat[1]!.push(x[1]! / x[2]!);
  }
  console.log(`${name}: base ${median(t[0]!).toFixed(1)} ns (${median(rat[0]!).toFixed(2)}x DIR), new ${median(t[1]!).toFixed(1)} ns (${median(rat[1]!).toFixed(2)}x DIR), DIR ${median(t[2]!).toFixed(1)} ns; new range ${Math.min(...t[1]!).toFixed(1)}-${Math.max(...t[1]!).toFixed(1)}`);
}
console.log(`load after ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
