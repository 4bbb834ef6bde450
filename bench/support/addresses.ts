/**
 * Query addresses for lookup benchmarks: random addresses inside stored prefixes, and uniformly
 * random addresses, in numeric form (for the fast paths) and as text (for string APIs and peers).
 *
 * Numeric layout (same as src/ip): IPv4 one uint32 per address; IPv6 four uint32 words per
 * address, most significant first, so address i is words[4i .. 4i+3].
 *
 * "Inside a stored prefix" means: pick a stored prefix uniformly at random, keep its network bits
 * and fill the host bits at random. The answer is that prefix or a longer stored one inside it, so
 * every such query is a hit; how deep the trie walk goes follows the real table's length mix.
 * Uniform addresses mostly miss (IPv6 overwhelmingly: the table lives in 2000::/3), which measures
 * the miss path; benchmarks report the hit rate they observed beside the figure.
 */
import { formatIPv4, formatIPv6, maskBits } from '../../src/ip/index.js';
import { flatString } from './flat-string.js';
import type { FamilyPrefixes } from './full-table.js';
import type { SeededRandom } from './random.js';

/** A list of query addresses of one family. */
export interface AddressSample {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Number of addresses. */
  readonly count: number;
  /** Numeric form: `count` uint32s (IPv4) or `4 * count` words (IPv6). */
  readonly words: Uint32Array;
  /** Canonical text form (dotted quad / RFC 5952), one flat string per address. */
  readonly text: string[];
}

/** `count` random addresses, each inside a uniformly chosen stored prefix of `prefixes`. */
export function addressesInsidePrefixes(prefixes: FamilyPrefixes, count: number, random: SeededRandom): AddressSample {
  const width = prefixes.family === 4 ? 1 : 4;
  const words = new Uint32Array(count * width);
  for (let i = 0; i < count; i++) {
    const p = random.below(prefixes.count);
    const length = prefixes.lengths[p]!;
    for (let k = 0; k < width; k++) {
      const keep = maskBits(length - 32 * k);
      const network = prefixes.words[p * width + k]!;
      words[i * width + k] = ((network & keep) | (random.uint32() & ~keep)) >>> 0;
    }
  }
  return { family: prefixes.family, count, words, text: formatAll(prefixes.family, words, count) };
}

/** `count` uniformly random addresses of `family` over the whole address space. */
export function uniformAddresses(family: 4 | 6, count: number, random: SeededRandom): AddressSample {
  const width = family === 4 ? 1 : 4;
  const words = new Uint32Array(count * width);
  for (let i = 0; i < words.length; i++) words[i] = random.uint32();
  return { family, count, words, text: formatAll(family, words, count) };
}

/** The first `count` addresses of `sample` (peers that are slow get a prefix of the same list). */
export function firstAddresses(sample: AddressSample, count: number): AddressSample {
  if (count >= sample.count) return sample;
  const width = sample.family === 4 ? 1 : 4;
  return {
    family: sample.family,
    count,
    words: sample.words.slice(0, count * width),
    text: sample.text.slice(0, count),
  };
}

function formatAll(family: 4 | 6, words: Uint32Array, count: number): string[] {
  const text = new Array<string>(count);
  if (family === 4) {
    for (let i = 0; i < count; i++) text[i] = flatString(formatIPv4(words[i]!));
  } else {
    for (let i = 0; i < count; i++) {
      text[i] = flatString(formatIPv6(words[4 * i]!, words[4 * i + 1]!, words[4 * i + 2]!, words[4 * i + 3]!));
    }
  }
  return text;
}
