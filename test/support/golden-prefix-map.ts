/**
 * GoldenPrefixMap: the obviously-correct reference for PrefixMap, for tests only.
 *
 * A JS Map from canonical prefix text to (prefix, value); every query is a linear scan
 * with Prefix.contains and a sort with comparePrefixes. Slow on purpose: nothing clever
 * that could share a bug with the trie.
 */
import { type Address, Prefix, type PrefixInput, comparePrefixes, parseAddress, toPrefix } from '../../src/index.js';

interface Entry<V> {
  prefix: Prefix;
  value: V;
}

/** A plain, slow, obviously correct prefix map with PrefixMap's read and write API. */
export class GoldenPrefixMap<V> {
  private readonly map: Map<string, Entry<V>>;

  constructor(from?: Map<string, Entry<V>>) {
    this.map = new Map(from);
  }

  get size(): number {
    return this.map.size;
  }

  set(prefix: PrefixInput, value: V): this {
    const p = toPrefix(prefix);
    this.map.set(p.toString(), { prefix: p, value });
    return this;
  }

  get(prefix: PrefixInput): V | undefined {
    return this.map.get(toPrefix(prefix).toString())?.value;
  }

  has(prefix: PrefixInput): boolean {
    return this.map.has(toPrefix(prefix).toString());
  }

  delete(prefix: PrefixInput): boolean {
    return this.map.delete(toPrefix(prefix).toString());
  }

  clear(): void {
    this.map.clear();
  }

  /** Entries sorted: IPv4 before IPv6, by network, shorter first. */
  entries(): [string, V][] {
    return [...this.map.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix)).map((e) => [e.prefix.toString(), e.value]);
  }

  /**
   * The longest stored prefix containing `address`: try every length from the longest down,
   * masking the address and asking the Map (obviously correct, and fast enough for a full table).
   */
  lookupEntry(address: string | Address): [string, V] | undefined {
    const a = typeof address === 'string' ? parseAddress(address) : address;
    for (let length = a.family === 4 ? 32 : 128; length >= 0; length--) {
      const key = new Prefix(a.family, a.w0, a.w1, a.w2, a.w3, length).toString();
      const e = this.map.get(key);
      if (e !== undefined) return [key, e.value];
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
    return new GoldenPrefixMap(this.map);
  }
}
