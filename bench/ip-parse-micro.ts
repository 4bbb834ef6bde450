/**
 * Micro benchmark of IP address text: parse (text -> words) and format (words -> text), the new
 * src/ip code against the code of `d41192f` kept in bench/support/ip-text-reference.ts, timed
 * in interleaved rounds in one process (new, old, new, old, ...), so both see the same load.
 * Also the string lookup of PrefixMap (`map.lookup(text)`) against the old parser followed by
 * the numeric lookup, and the numeric lookup alone, to show what parsing adds to a lookup.
 *
 * Inputs: the addresses bench:table asks (bench/support/addresses.ts, same seed): random
 * addresses inside the stored prefixes of the real tier1 full table and uniform random ones,
 * as canonical flat strings. Figures: median CPU ns per address over ROUNDS rounds and the median
 * of per-round ratios new/old; the load average is printed before and after.
 * Run: npx tsc -p . && node dist/bench/ip-parse-micro.js [rounds]
 */
import { loadavg } from 'node:os';
import { formatIPv4, formatIPv6, parseAddressInto } from '../src/ip/address.js';
import { Prefix, parsePrefix } from '../src/ip/prefix.js';
import { PrefixMap } from '../src/table/prefix-map.js';
import { type AddressSample, addressesInsidePrefixes, uniformAddresses } from './support/addresses.js';
import { loadFullTableOrExit } from './support/full-table.js';
import { referenceFormatIPv4, referenceFormatIPv6, referenceParseAddressInto, referenceParsePrefix } from './support/ip-text-reference.js';
import { machineLine } from './support/machine.js';
import { markdownTable } from './support/markdown.js';
import { SeededRandom } from './support/random.js';
import { median, processCpuNs } from './support/timing.js';

const ROUNDS = Number(process.argv[2] ?? 9);
const COUNT = 1 << 19;

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();

// ------------------------------------------------------------------------------- the loops

const words = new Uint32Array(4);

function parseNew(text: readonly string[]): number {
  let acc = 0;
  for (let i = 0; i < text.length; i++) {
    acc = (acc + parseAddressInto(text[i]!, words) + words[0]! + words[3]!) | 0;
  }
  return acc;
}

/**
 * The floor under any parser of text: every character read once with `charCodeAt` and summed,
 * nothing checked or converted.
 */
function readCharacters(text: readonly string[]): number {
  let acc = 0;
  for (let i = 0; i < text.length; i++) {
    const t = text[i]!;
    for (let j = 0; j < t.length; j++) acc = (acc + t.charCodeAt(j)) | 0;
  }
  return acc;
}

function parseOld(text: readonly string[]): number {
  let acc = 0;
  for (let i = 0; i < text.length; i++) {
    acc = (acc + referenceParseAddressInto(text[i]!, words) + words[0]! + words[3]!) | 0;
  }
  return acc;
}

/**
 * A number that depends on the text's characters, so the optimiser must build the string (it
 * can compute the length of a concatenation it has inlined without making the string).
 */
function used(text: string): number {
  return text.length + text.charCodeAt(text.length >> 1);
}

function formatNew(sample: AddressSample): number {
  let acc = 0;
  const w = sample.words;
  if (sample.family === 4) for (let i = 0; i < sample.count; i++) acc = (acc + used(formatIPv4(w[i]!))) | 0;
  else for (let i = 0, j = 0; i < sample.count; i++, j += 4) acc = (acc + used(formatIPv6(w[j]!, w[j + 1]!, w[j + 2]!, w[j + 3]!))) | 0;
  return acc;
}

function formatOld(sample: AddressSample): number {
  let acc = 0;
  const w = sample.words;
  if (sample.family === 4) for (let i = 0; i < sample.count; i++) acc = (acc + used(referenceFormatIPv4(w[i]!))) | 0;
  else for (let i = 0, j = 0; i < sample.count; i++, j += 4) acc = (acc + used(referenceFormatIPv6(w[j]!, w[j + 1]!, w[j + 2]!, w[j + 3]!))) | 0;
  return acc;
}

function prefixTextNew(prefixes: readonly Prefix[]): number {
  let acc = 0;
  for (let i = 0; i < prefixes.length; i++) acc = (acc + used(prefixes[i]!.toString())) | 0;
  return acc;
}

/** Prefix text as Prefix.toString() made it at d41192f: the address text, then `/length`. */
function prefixTextOld(prefixes: readonly Prefix[]): number {
  let acc = 0;
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i]!;
    const address = p.family === 4 ? referenceFormatIPv4(p.w0) : referenceFormatIPv6(p.w0, p.w1, p.w2, p.w3);
    acc = (acc + used(`${address}/${p.length}`)) | 0;
  }
  return acc;
}

function prefixParseNew(text: readonly string[]): number {
  let acc = 0;
  for (let i = 0; i < text.length; i++) acc = (acc + parsePrefix(text[i]!).w0) | 0;
  return acc;
}

function prefixParseOld(text: readonly string[]): number {
  let acc = 0;
  for (let i = 0; i < text.length; i++) acc = (acc + referenceParsePrefix(text[i]!)!.w0) | 0;
  return acc;
}

function lookupString(map: PrefixMap<number>, text: readonly string[]): number {
  let hits = 0;
  for (let i = 0; i < text.length; i++) if (map.lookup(text[i]!) !== undefined) hits++;
  return hits;
}

function lookupOldParse(map: PrefixMap<number>, text: readonly string[]): number {
  let hits = 0;
  for (let i = 0; i < text.length; i++) {
    const family = referenceParseAddressInto(text[i]!, words);
    const v = family === 4 ? map.lookupV4(words[0]!) : map.lookupV6(words[0]!, words[1]!, words[2]!, words[3]!);
    if (v !== undefined) hits++;
  }
  return hits;
}

function lookupNewParse(map: PrefixMap<number>, text: readonly string[]): number {
  let hits = 0;
  for (let i = 0; i < text.length; i++) {
    const family = parseAddressInto(text[i]!, words);
    const v = family === 4 ? map.lookupV4(words[0]!) : map.lookupV6(words[0]!, words[1]!, words[2]!, words[3]!);
    if (v !== undefined) hits++;
  }
  return hits;
}

function lookupNumeric(map: PrefixMap<number>, sample: AddressSample): number {
  let hits = 0;
  const w = sample.words;
  if (sample.family === 4) {
    for (let i = 0; i < sample.count; i++) if (map.lookupV4(w[i]!) !== undefined) hits++;
  } else {
    for (let i = 0, j = 0; i < sample.count; i++, j += 4) if (map.lookupV6(w[j]!, w[j + 1]!, w[j + 2]!, w[j + 3]!) !== undefined) hits++;
  }
  return hits;
}

// ------------------------------------------------------------------------------- timing

let sink = 0;

/** Interleaved rounds of every contender; median ns/op each and median per-round ratio to the first. */
function interleaved(operations: number, contenders: Array<() => number>): { ns: number[]; ratio: number[] } {
  for (const f of contenders) sink = (sink + f()) | 0; // warm-up
  const times = contenders.map(() => [] as number[]);
  const ratios = contenders.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    const t: number[] = [];
    // Rotate the order each round so no contender always runs right after another's garbage.
    for (let k = 0; k < contenders.length; k++) {
      const c = (k + round) % contenders.length;
      const start = processCpuNs();
      sink = (sink + contenders[c]!()) | 0;
      t[c] = (processCpuNs() - start) / operations;
    }
    t.forEach((x, c) => {
      times[c]!.push(x);
      ratios[c]!.push(x / t[0]!);
    });
  }
  return { ns: times.map(median), ratio: ratios.map(median) };
}

const fmt = (ns: number): string => `${ns < 10 ? ns.toFixed(2) : ns.toFixed(1)} ns`;
const fmtRatio = (r: number): string => `${r.toFixed(2)}x`;

// ------------------------------------------------------------------------------- run

const table = loadFullTableOrExit();
const random = new SeededRandom(0x1b5eed);
const samples: Array<[string, AddressSample]> = [
  ['IPv4 inside prefixes', addressesInsidePrefixes(table.v4, COUNT, random)],
  ['IPv4 uniform random', uniformAddresses(4, COUNT, random)],
  ['IPv6 inside prefixes', addressesInsidePrefixes(table.v6, COUNT, random)],
  ['IPv6 uniform random', uniformAddresses(6, COUNT, random)],
];

// The two parsers must agree on every address before any figure means anything.
const a = new Uint32Array(4);
const b = new Uint32Array(4);
for (const [label, s] of samples) {
  for (let i = 0; i < s.count; i++) {
    const t = s.text[i]!;
    const fa = parseAddressInto(t, a);
    const fb = referenceParseAddressInto(t, b);
    if (fa !== fb || a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2] || a[3] !== b[3]) throw new Error(`${label}: parsers disagree on ${t}`);
    const w = s.words;
    const again = s.family === 4 ? formatIPv4(w[i]!) : formatIPv6(w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!);
    if (again !== t) throw new Error(`${label}: formatter prints ${again} for ${t}`);
  }
}

const maps = { v4: new PrefixMap<number>(), v6: new PrefixMap<number>() };
for (const [family, prefixes] of [
  [4, table.v4],
  [6, table.v6],
] as const) {
  const map = family === 4 ? maps.v4 : maps.v6;
  const w = prefixes.words;
  for (let i = 0; i < prefixes.count; i++) {
    if (family === 4) map.setWords(4, w[i]!, 0, 0, 0, prefixes.lengths[i]!, i);
    else map.setWords(6, w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!, prefixes.lengths[i]!, i);
  }
}

const describe: string[][] = samples.map(([label, s]) => {
  let chars = 0;
  let compressed = 0;
  for (const t of s.text) {
    chars += t.length;
    if (t.includes('::')) compressed++;
  }
  return [label, s.count.toLocaleString('en-US'), (chars / s.count).toFixed(1), s.family === 6 ? `${((100 * compressed) / s.count).toFixed(1)}%` : '-', s.text.slice(0, 2).join(', ')];
});

const parseRows: string[][] = [];
const lookupRows: string[][] = [];
const formatRows: string[][] = [];
for (const [label, s] of samples) {
  const map = s.family === 4 ? maps.v4 : maps.v6;
  const p = interleaved(s.count, [() => parseNew(s.text), () => parseOld(s.text), () => readCharacters(s.text)]);
  parseRows.push([label, fmt(p.ns[0]!), fmt(p.ns[1]!), fmtRatio(p.ratio[1]!), fmt(p.ns[2]!)]);
  const l = interleaved(s.count, [() => lookupString(map, s.text), () => lookupOldParse(map, s.text), () => lookupNewParse(map, s.text), () => lookupNumeric(map, s)]);
  lookupRows.push([label, fmt(l.ns[0]!), fmt(l.ns[1]!), fmt(l.ns[2]!), fmt(l.ns[3]!), fmt(l.ns[0]! - l.ns[3]!), fmtRatio(l.ratio[1]!)]);
  const f = interleaved(s.count, [() => formatNew(s), () => formatOld(s)]);
  formatRows.push([label, fmt(f.ns[0]!), fmt(f.ns[1]!), fmtRatio(f.ratio[1]!)]);
}

const prefixObjects = (family: 4 | 6): Prefix[] => {
  const f = family === 4 ? table.v4 : table.v6;
  const width = family === 4 ? 1 : 4;
  const list: Prefix[] = [];
  for (let i = 0; i < Math.min(f.count, COUNT); i++) {
    const k = i * width;
    list.push(width === 1 ? new Prefix(4, f.words[k]!, 0, 0, 0, f.lengths[i]!) : new Prefix(6, f.words[k]!, f.words[k + 1]!, f.words[k + 2]!, f.words[k + 3]!, f.lengths[i]!));
  }
  for (let i = 0; i < list.length; i++) if (list[i]!.toString() !== f.text[i]) throw new Error(`Prefix.toString prints ${list[i]!.toString()} for ${f.text[i]}`);
  return list;
};
for (const family of [4, 6] as const) {
  const list = prefixObjects(family);
  const f = interleaved(list.length, [() => prefixTextNew(list), () => prefixTextOld(list)]);
  formatRows.push([`IPv${family} table prefixes (Prefix.toString, ${list.length.toLocaleString('en-US')})`, fmt(f.ns[0]!), fmt(f.ns[1]!), fmtRatio(f.ratio[1]!)]);
}

const prefixParseRows: string[][] = [];
for (const family of [4, 6] as const) {
  const texts = (family === 4 ? table.v4 : table.v6).text.slice(0, COUNT);
  for (const t of texts) if (!parsePrefix(t).equals(referenceParsePrefix(t)!)) throw new Error(`parsePrefix disagrees on ${t}`);
  const f = interleaved(texts.length, [() => prefixParseNew(texts), () => prefixParseOld(texts)]);
  prefixParseRows.push([`IPv${family} table prefixes (${texts.length.toLocaleString('en-US')})`, fmt(f.ns[0]!), fmt(f.ns[1]!), fmtRatio(f.ratio[1]!)]);
}

const out = [
  `# ip-parse micro benchmark (${new Date().toISOString()})`,
  '',
  `- ${machineLine()}`,
  `- load average before: ${loadBefore}; after: ${load()}; ${ROUNDS} interleaved rounds, medians; ${COUNT.toLocaleString('en-US')} addresses per sample`,
  `- tier1 full table: ${table.v4.count.toLocaleString('en-US')} IPv4 + ${table.v6.count.toLocaleString('en-US')} IPv6 prefixes`,
  '',
  markdownTable(['sample', 'addresses', 'mean chars', 'with ::', 'first two'], describe),
  '',
  'Parse alone (`parseAddressInto(text, words)`), new against the code of d41192f:',
  '',
  markdownTable(['sample', 'new', 'old', 'old/new (median of rounds)', 'floor: read each character once'], parseRows),
  '',
  'Prefix parse (`parsePrefix(text)`, a Prefix object each; the table\'s prefixes in file order), new against the code of d41192f:',
  '',
  markdownTable(['sample', 'new', 'old', 'old/new (median of rounds)'], prefixParseRows),
  '',
  'String lookup in a PrefixMap of the whole family: `map.lookup(text)`, the old parser + the numeric lookup, the new parser + the numeric lookup (no string entry point), and the numeric lookup alone:',
  '',
  markdownTable(['sample', 'map.lookup(text)', 'old parse + lookupV4/V6', 'new parse + lookupV4/V6', 'numeric only', 'text costs (lookup - numeric)', 'old parse/map.lookup'], lookupRows),
  '',
  'Format (`formatIPv4` / `formatIPv6`, words -> canonical text; the table\'s prefixes in file order through `Prefix.toString`):',
  '',
  markdownTable(['sample', 'new', 'old', 'old/new (median of rounds)'], formatRows),
  '',
];
process.stdout.write(out.join('\n'));
if (sink === 0.5) process.stdout.write('unreachable\n');
