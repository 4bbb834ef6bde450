/**
 * Census of the IPv4 lookup paths (src/table/DESIGN.md, "IPv4 lookup paths: census"): for the
 * same address sets as `bench:table` (1 M addresses inside stored prefixes, 1 M uniform), how
 * many single lookups end at each step of `PrefixTableReader.lookupV4` on the full table:
 *
 *   constant slot             the /16's slot word is the answer (no depth-2 node, or one answer
 *                             for all its /24s)
 *   compiled block            the /16's block answers the /24 (one run value)
 *   DEEPER -> trie walk       the /24 has longer prefixes below it: the walk from SUBTREE
 *   stale -> compiled         the slot was stale and the lookup compiled it first
 *
 * It reads the table's internals (the compiled slot words and the first level) through casts:
 * a development aid, not an API. Also prints the prefix-length mix that makes the inside set
 * realistic. Run: npx tsc -p . && node dist/bench/table-v4-paths.js
 */
import { PrefixTable } from '../src/index.js';
import { DEEPER, STALE, blockValue } from '../src/table/compiled-level.js';
import { addressesInsidePrefixes, uniformAddresses } from './support/addresses.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { SeededRandom } from './support/random.js';

const N = 1 << 20;
const table = loadFullTableOrExit();
const v4 = table.v4;
/** The seed bench:table uses for IPv4 (SEED + family). */
const random = new SeededRandom(0x7ab1e + 4);
const inside = addressesInsidePrefixes(v4, N, random).words;
const uniform = uniformAddresses(4, N, random).words;

const lengths = new Array<number>(33).fill(0);
for (let i = 0; i < v4.count; i++) lengths[v4.lengths[i]!]!++;
const share = (from: number, to: number): string => {
  let n = 0;
  for (let l = from; l <= to; l++) n += lengths[l]!;
  return `${((100 * n) / v4.count).toFixed(1)}%`;
};
console.log(`${v4.count} IPv4 prefixes: /0-/16 ${share(0, 16)}, /17-/23 ${share(17, 23)}, /24 ${share(24, 24)}, /25-/32 ${share(25, 32)}`);

interface Internals {
  compiledV4: { words: Int32Array } | null;
  firstV4: Int32Array | null;
}

function census(t: PrefixTable, sample: Uint32Array, label: string): void {
  const inner = t as unknown as Internals;
  const counts = { constant: 0, constantMiss: 0, block: 0, blockMiss: 0, deeper: 0, stale: 0 };
  const deeperSlots = new Set<number>();
  for (let i = 0; i < sample.length; i++) {
    const address = sample[i]!;
    const h = address >>> 16;
    const compiled = inner.compiledV4!;
    if (compiled.words[h] === STALE) counts.stale++;
    const answer = t.lookupV4(address); // compiles a stale slot, like any lookup
    const block = compiled.words[h]!;
    if (block > STALE) {
      const v = blockValue(compiled.words, block, (address >>> 8) & 255);
      if (v !== DEEPER) {
        if (v < 0) counts.blockMiss++;
        else counts.block++;
        continue;
      }
      counts.deeper++;
      deeperSlots.add(address >>> 8);
      continue;
    }
    if (block === STALE || ~block !== answer) throw new Error(`slot ${h}: constant ${~block}, lookup ${answer}`);
    if (answer < 0) counts.constantMiss++;
    else counts.constant++;
  }
  const pct = (n: number): string => `${n} (${((100 * n) / sample.length).toFixed(1)}%)`;
  console.log(
    `${label}: constant slot: ${pct(counts.constant)} hits + ${pct(counts.constantMiss)} misses; ` +
      `compiled block: ${pct(counts.block)} hits + ${pct(counts.blockMiss)} misses; DEEPER -> trie walk: ${pct(counts.deeper)} ` +
      `(${deeperSlots.size} distinct /24s); stale -> compiled first: ${pct(counts.stale)}`,
  );
}

const t = new PrefixTable();
for (let i = 0; i < v4.count; i++) t.setWords(4, v4.words[i]!, 0, 0, 0, v4.lengths[i]!, i);
let deeper24 = 0;
let nodes = 0;
let constants = 0;
{
  const inner = t as unknown as Internals;
  t.trim();
  if (inner.firstV4 === null) throw new Error('no first level');
  const words = inner.compiledV4!.words;
  for (let h = 0; h < 65536; h++) {
    const block = words[h]!;
    if (block <= 0) constants++;
    if (block <= STALE) continue;
    nodes++;
    for (let o = 0; o < 256; o++) if (blockValue(words, block, o) === DEEPER) deeper24++;
  }
}
const live = t.stats().compiledLiveWords * 4;
console.log(
  `after trim(): ${nodes} /16s with a block, ${constants} constant; ${deeper24} /24s are DEEPER (longer prefixes below); ` +
    `blocks ${(live / 2 ** 20).toFixed(2)} MiB live (${((live + 262144) / v4.count).toFixed(2)} B/IPv4 prefix with the slot table)`,
);
census(t, inside, 'inside prefixes');
census(t, uniform, 'uniform random');
