/**
 * A plain Map-backed PrefixIndex: slow, obviously correct. The RIB's tests use it to check
 * the RIB's own logic independently of the trie (the trie has its own golden tests).
 */
import { Prefix, comparePrefixes } from '../../../src/ip/prefix.js';
import type { PrefixIndex } from '../../../src/rib/prefix-index.js';

/** Prefix → slot in a Map keyed by canonical text. */
export class MapIndex implements PrefixIndex {
  private readonly map = new Map<string, [Prefix, number]>();

  get size(): number {
    return this.map.size;
  }
  getWords(family: 4 | 6, w0: number, w1: number, w2: number, w3: number, length: number): number {
    return this.map.get(new Prefix(family, w0, w1, w2, w3, length).toString())?.[1] ?? -1;
  }
  setWords(family: 4 | 6, w0: number, w1: number, w2: number, w3: number, length: number, slot: number): void {
    const prefix = new Prefix(family, w0, w1, w2, w3, length);
    this.map.set(prefix.toString(), [prefix, slot]);
  }
  exchangeWords(family: 4 | 6, w0: number, w1: number, w2: number, w3: number, length: number, slot: number): number {
    const previous = this.getWords(family, w0, w1, w2, w3, length);
    this.setWords(family, w0, w1, w2, w3, length, slot);
    return previous;
  }
  deleteWords(family: 4 | 6, w0: number, w1: number, w2: number, w3: number, length: number): number {
    const key = new Prefix(family, w0, w1, w2, w3, length).toString();
    const slot = this.map.get(key)?.[1] ?? -1;
    this.map.delete(key);
    return slot;
  }
  private longest(family: 4 | 6, w0: number, w1: number, w2: number, w3: number): number | undefined {
    const host = new Prefix(family, w0, w1, w2, w3, family === 4 ? 32 : 128);
    let best: [Prefix, number] | undefined;
    for (const entry of this.map.values()) {
      if (entry[0].contains(host) && (best === undefined || entry[0].length > best[0].length)) best = entry;
    }
    return best?.[1];
  }
  lookupV4(address: number): number {
    return this.longest(4, address, 0, 0, 0) ?? -1;
  }
  lookupV6(w0: number, w1: number, w2: number, w3: number): number {
    return this.longest(6, w0, w1, w2, w3) ?? -1;
  }
  supernets(prefix: Prefix): Iterable<readonly [Prefix, number]> {
    return [...this.map.values()].filter(([p]) => p.contains(prefix)).sort((a, b) => a[0].length - b[0].length);
  }
  subnets(prefix: Prefix): Iterable<readonly [Prefix, number]> {
    return [...this.map.values()].filter(([p]) => prefix.contains(p)).sort((a, b) => comparePrefixes(a[0], b[0]));
  }
}
