/**
 * Random-order writes of the table core on the full table, optionally A/B against another
 * build (development aid for src/table's write path; the project figure is bench/table.ts):
 * per round and family, every prefix inserted with `setWords` in one seeded random order, then
 * every prefix deleted in another, from typed columns laid out in that order beforehand (so the
 * caller reads its input sequentially, as from a message, not by a random index); wall-clock ns per
 * prefix, medians of rounds and of per-round ratios. With a second build's `dist/src/index.js`
 * as the second argument, the two builds' tables take turns every few thousand writes (which
 * goes first alternates too), so both see the same load.
 * Run: npx tsc -p . && node --expose-gc dist/bench/table-write-micro.js [rounds] [other/dist/src/index.js]
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import * as here from '../src/index.js';
import { type FamilyPrefixes, loadFullTableOrExit } from './support/full-table.js';
import { SeededRandom, randomOrder } from './support/random.js';
import { median } from './support/timing.js';

type TableModule = typeof here;
const ROUNDS = Number(process.argv[2] ?? 5);
const otherPath = process.argv[3];
const variants: [string, TableModule][] = [['this', here]];
if (otherPath) variants.push(['other', (await import(pathToFileURL(otherPath).href)) as TableModule]);

const table = loadFullTableOrExit();
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const random = new SeededRandom(20261204);
/** A family's prefixes as columns in one random order: words (1 or 4 per prefix), lengths. */
interface Ordered {
  words: Uint32Array;
  lengths: Uint8Array;
}
function ordered(prefixes: FamilyPrefixes, order: Uint32Array): Ordered {
  const width = prefixes.family === 4 ? 1 : 4;
  const words = new Uint32Array(prefixes.count * width);
  const lengths = new Uint8Array(prefixes.count);
  for (let k = 0; k < prefixes.count; k++) {
    const i = order[k]!;
    words.set(prefixes.words.subarray(i * width, (i + 1) * width), k * width);
    lengths[k] = prefixes.lengths[i]!;
  }
  return { words, lengths };
}
const families = [table.v4, table.v6].map((prefixes) => ({
  prefixes,
  inserts: ordered(prefixes, randomOrder(prefixes.count, random)),
  deletes: ordered(prefixes, randomOrder(prefixes.count, random)),
}));

/** Insert (or delete) prefixes `from .. to - 1` of `cols` into `t`; returns how many changed the table. */
function writeChunk(t: here.PrefixTable, family: 4 | 6, cols: Ordered, from: number, to: number, insert: boolean): number {
  const w = cols.words;
  const lengths = cols.lengths;
  let changed = 0;
  if (family === 4) {
    if (insert) for (let k = from; k < to; k++) t.setWords(4, w[k]!, 0, 0, 0, lengths[k]!, k);
    else for (let k = from; k < to; k++) if (t.deleteWords(4, w[k]!, 0, 0, 0, lengths[k]!) >= 0) changed++;
  } else {
    for (let k = from; k < to; k++) {
      const at = 4 * k;
      if (insert) t.setWords(6, w[at]!, w[at + 1]!, w[at + 2]!, w[at + 3]!, lengths[k]!, k);
      else if (t.deleteWords(6, w[at]!, w[at + 1]!, w[at + 2]!, w[at + 3]!, lengths[k]!) >= 0) changed++;
    }
  }
  return insert ? to - from : changed;
}

/**
 * One build/tear-down cycle of every variant at once: the variants' tables take turns by
 * chunks of CHUNK writes (which goes first alternates), so a burst of load from other
 * processes falls on all of them. Returns per variant [insert ns/prefix, delete ns/prefix,
 * live trie bytes/prefix]. Wall time per chunk (fine-grained; CPU time has 1 us steps).
 */
const CHUNK = 2048;
function cycle(prefixes: FamilyPrefixes, inserts: Ordered, deletes: Ordered, round: number): [number, number, number][] {
  const n = prefixes.count;
  // Which variant's table is made first, and writes first in each pair of turns, alternates by round.
  const tables: here.PrefixTable[] = [];
  const made = variants.map((_, i) => (round % 2 === 0 ? i : variants.length - 1 - i));
  for (const vi of made) tables[vi] = new variants[vi]![1].PrefixTable() as here.PrefixTable;
  const spent = variants.map(() => [0, 0]);
  gc();
  for (const [phase, cols] of [[0, inserts], [1, deletes]] as const) {
    for (let from = 0, turn = round; from < n; from += CHUNK, turn++) {
      const to = Math.min(n, from + CHUNK);
      for (let j = 0; j < tables.length; j++) {
        const vi = turn % 2 === 0 ? j : tables.length - 1 - j;
        const start = performance.now();
        const changed = writeChunk(tables[vi]!, prefixes.family, cols, from, to, phase === 0);
        spent[vi]![phase]! += performance.now() - start;
        if (changed !== to - from) throw new Error(`${variants[vi]![0]}: ${changed} of ${to - from} writes changed the table`);
      }
    }
    if (phase === 0) tables.forEach((t) => { if (t.size !== n) throw new Error(`size ${t.size} after inserting ${n}`); });
  }
  const bytes = tables.map(() => 0);
  tables.forEach((t, vi) => { if (t.size !== 0) throw new Error(`${variants[vi]![0]}: size ${t.size} after deleting all`); });
  return spent.map(([ins, del], vi) => [(ins! * 1e6) / n, (del! * 1e6) / n, bytes[vi]!]);
}

const results = variants.map(() => families.map(() => ({ insert: [] as number[], del: [] as number[] })));
const ratios = families.map(() => ({ insert: [] as number[], del: [] as number[] }));
const loads: number[] = [];
for (let round = 0; round <= ROUNDS; round++) {
  loads.push(loadavg()[0]!);
  families.forEach((f, fi) => {
    const figures = cycle(f.prefixes, f.inserts, f.deletes, round);
    if (round === 0) return; // warm-up
    figures.forEach(([insert, del], vi) => {
      results[vi]![fi]!.insert.push(insert);
      results[vi]![fi]!.del.push(del);
    });
    if (variants.length === 2) {
      ratios[fi]!.insert.push(figures[0]![0] / figures[1]![0]);
      ratios[fi]!.del.push(figures[0]![1] / figures[1]![1]);
    }
  });
}

/** Live trie bytes per prefix after inserting a family in random order (one table per variant, alone). */
const trieBytes = variants.map(([, mod]) =>
  families.map((f) => {
    const t = new mod.PrefixTable() as here.PrefixTable;
    writeChunk(t, f.prefixes.family, f.inserts, 0, f.prefixes.count, true);
    return (t.stats().liveWords * 4) / f.prefixes.count;
  }),
);

const fmt = (xs: number[]) => `${median(xs).toFixed(0)} ns (${xs.map((x) => x.toFixed(0)).join(' ')})`;
console.log(`table-write-micro: ${ROUNDS} rounds after a warm-up, wall time, variants alternating by ${CHUNK} writes, medians; load ${loads.map((x) => x.toFixed(1)).join(' ')}; Node ${process.version}`);
families.forEach((f, fi) => {
  const name = `IPv${f.prefixes.family} (${f.prefixes.count} prefixes)`;
  variants.forEach(([label], vi) => {
    const r = results[vi]![fi]!;
    console.log(`${name} ${label.padEnd(5)} insert ${fmt(r.insert)}  delete ${fmt(r.del)}  trie ${trieBytes[vi]![fi]!.toFixed(1)} B/prefix`);
  });
  if (variants.length === 2) {
    const q = ratios[fi]!;
    console.log(`${name} this/other insert ${median(q.insert).toFixed(2)}x (${q.insert.map((x) => x.toFixed(2)).join(' ')})  delete ${median(q.del).toFixed(2)}x (${q.del.map((x) => x.toFixed(2)).join(' ')})`);
  }
});
