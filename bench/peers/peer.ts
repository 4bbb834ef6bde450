/**
 * The contract every benchmark peer (an npm library a user would otherwise pick) is driven
 * through, and the loader that finds the peers' packages in bench/peers/node_modules.
 *
 * Peers are installed only for benchmarking, with their own package.json and lock file
 * (`npm ci --prefix bench/peers`); they are never ribstore dependencies. A peer is given the same
 * prefixes and the same addresses as ribstore, as canonical strings: strings on both sides is
 * how a user meets these libraries. `query()` turns an address into the exact form the library's
 * lookup takes (e.g. `1.2.3.4/32` for longest-prefix-match) outside the timed loop, so the timing
 * covers the library's own lookup call only.
 *
 * Every peer table stores, as the value of each prefix, its canonical text (the same string
 * object the benchmark holds, so it costs one reference), which lets the benchmark check the
 * matched prefix of each answer against ribstore's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectRoot } from '../support/full-table.js';

/** bench/peers in the source tree (peers are installed there, not under dist/). */
export const peersDir = join(projectRoot, 'bench', 'peers');

/** How a peer answers a lookup. */
export type PeerAnswer =
  /** The longest matching prefix (with its value): comparable to ribstore's answer. */
  | 'longest-prefix'
  /** Only whether some stored prefix contains the address. */
  | 'membership';

/**
 * The same prefixes in numeric form, for a prepare step that needs bits rather than text:
 * prefix k of the list is family index `indices[k]` in `words`/`lengths` (one word per prefix
 * for IPv4, four for IPv6; see bench/support/full-table.ts).
 */
export interface NumericPrefixes {
  readonly words: Uint32Array;
  readonly lengths: Uint8Array;
  readonly indices: Uint32Array;
}

/** A table built by a peer library. */
export interface PeerTable {
  /** The library's input form for an address given as canonical text (called outside timing). */
  query(address: string): string;
  /** One lookup through the library's API; the result is only kept alive, not interpreted. */
  lookup(query: string): unknown;
  /**
   * The canonical text of the matched prefix, or undefined on a miss. For a `membership` peer:
   * `'(member)'` on a hit.
   */
  matched(query: string): string | undefined;
}

/** A peer library and how to build a table with it. */
export interface PeerLibrary {
  /** npm package name. */
  readonly name: string;
  /** One-line description of its data structure, as measured (e.g. "linear scan"). */
  readonly structure: string;
  /** What a lookup returns. */
  readonly answer: PeerAnswer;
  /**
   * Whether lookups scan every stored prefix: such a peer is measured on a bounded sample and its
   * full-table figures are extrapolated (cost grows linearly with the number of prefixes).
   */
  readonly linearScan: boolean;
  /** Families it supports. */
  readonly families: readonly (4 | 6)[];
  /**
   * Optional untimed step before {@link build}: make an artifact the library loads (e.g. a
   * database file) that a user would have made offline. `note` says what was made and its cost.
   */
  prepare?(prefixes: readonly string[], family: 4 | 6, numeric: NumericPrefixes): { artifact: unknown; note: string };
  /**
   * Build a table over `prefixes` (canonical text of one family), value = the prefix text. This
   * is the timed "load". `artifact` is what {@link prepare} returned, if the peer has that step.
   * @throws whatever the library throws; the benchmark reports it as that peer's failure.
   */
  build(prefixes: readonly string[], family: 4 | 6, artifact?: unknown): PeerTable;
}

const requireFromPeers = createRequire(join(peersDir, 'package.json'));

/**
 * Load an installed peer package (CommonJS) from bench/peers/node_modules.
 * @throws Error naming the package when it is not installed or does not load (e.g. a native
 *   addon that failed to build).
 */
export function requirePeer<T>(name: string): T {
  return requireFromPeers(name) as T;
}

/** The installed version of a peer package, or `undefined` when it is not installed. */
export function peerVersion(name: string): string | undefined {
  const path = join(peersDir, 'node_modules', name, 'package.json');
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version;
}
