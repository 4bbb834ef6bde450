/**
 * GoldenPrefixMap: the obviously-correct reference for PrefixMap, for tests only.
 *
 * A JS Map from a prefix's numeric fields (family, words, length) to (prefix, value); every
 * range query is a linear scan with Prefix.contains and a sort with comparePrefixes, and a
 * longest match tries each stored length from the longest down. Slow on purpose: nothing
 * clever that could share a bug with the trie.
 */
import { type Address, Prefix, type PrefixInput, comparePrefixes, parseAddress, toPrefix } from '../../src/index.js';

interface Entry<V> {
  prefix: Prefix;
  value: V;
}

/** A plain, slow, obviously correct prefix map with PrefixMap's read and write API. */
export class GoldenPrefixMap<V> {
  private readonly map: Map<string | number, Entry<V>>;
  /** How many stored prefixes have each length, per family (lookups only try these). */
  private readonly lengths: { 4: number[]; 6: number[] } = { 4: new Array(33).fill(0), 6: new Array(129).fill(0) };

  constructor(from?: GoldenPrefixMap<V>) {
    this.map = new Map(from?.map);
    if (from) {
      this.lengths[4] = from.lengths[4].slice();
      this.lengths[6] = from.lengths[6].slice();
    }
  }

  get size(): number {
    return this.map.size;
  }

  set(prefix: PrefixInput, value: V): this {
    const p = toPrefix(prefix);
    const key = keyOf(p);
    if (!this.map.has(key)) this.lengths[p.family][p.length]!++;
    this.map.set(key, { prefix: p, value });
    return this;
  }

  get(prefix: PrefixInput): V | undefined {
    return this.map.get(keyOf(toPrefix(prefix)))?.value;
  }

  has(prefix: PrefixInput): boolean {
    return this.map.has(keyOf(toPrefix(prefix)));
  }

  delete(prefix: PrefixInput): boolean {
    const p = toPrefix(prefix);
    const deleted = this.map.delete(keyOf(p));
    if (deleted) this.lengths[p.family][p.length]!--;
    return deleted;
  }

  clear(): void {
    this.map.clear();
    this.lengths[4].fill(0);
    this.lengths[6].fill(0);
  }

  /** Entries sorted: IPv4 before IPv6, by network, shorter first. */
  entries(): [string, V][] {
    return [...this.map.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix)).map((e) => [e.prefix.toString(), e.value]);
  }

  /**
   * The longest stored prefix containing `address`: try every stored length from the longest
   * down, masking the address and asking the Map (obviously correct, and fast enough for a
   * full table).
   */
  lookupEntry(address: string | Address): [string, V] | undefined {
    const a = typeof address === 'string' ? parseAddress(address) : address;
    for (let length = a.family === 4 ? 32 : 128; length >= 0; length--) {
      if (this.lengths[a.family][length] === 0) continue;
      const e = this.map.get(keyOf(new Prefix(a.family, a.w0, a.w1, a.w2, a.w3, length)));
      if (e !== undefined) return [e.prefix.toString(), e.value];
    }
    return undefined;
  }

  lookup(address: string | Address): V | undefined {
    return this.lookupEntry(address)?.[1];
  }

  /** Stored prefixes equal to or covering `prefix`, shortest first. */
  supernets(prefix: PrefixInput): [string, V][] {
    const p = toPrefix(prefix);
    return [...this.map.values()]
      .filter((e) => e.prefix.contains(p))
      .sort((a, b) => a.prefix.length - b.prefix.length)
      .map((e) => [e.prefix.toString(), e.value]);
  }

  lookupPrefix(prefix: PrefixInput): [string, V] | undefined {
    return this.supernets(prefix).at(-1);
  }

  /** Stored prefixes equal to or inside `prefix`, sorted. */
  subnets(prefix: PrefixInput): [string, V][] {
    const p = toPrefix(prefix);
    return [...this.map.values()]
      .filter((e) => p.contains(e.prefix))
      .sort((a, b) => comparePrefixes(a.prefix, b.prefix))
      .map((e) => [e.prefix.toString(), e.value]);
  }

  overlaps(prefix: PrefixInput): boolean {
    const p = toPrefix(prefix);
    for (const e of this.map.values()) if (e.prefix.contains(p) || p.contains(e.prefix)) return true;
    return false;
  }

  /** A full copy: the golden model's snapshot. */
  snapshot(): GoldenPrefixMap<V> {
    return new GoldenPrefixMap(this);
  }
}

/**
 * The Map key of a prefix, from its numeric fields (cheaper than formatting, just as unique):
 * IPv4 as the number network * 64 + length, IPv6 as a string of its words and length.
 */
function keyOf(p: Prefix): string | number {
  if (p.family === 4) return p.w0 * 64 + p.length;
  return `${p.w0},${p.w1},${p.w2},${p.w3},${p.length}`;
}
