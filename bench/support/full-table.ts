/**
 * The benchmark data set: the real Tier-1 full table in ../shared/data, split per family.
 *
 * File: `tables/tier1-full-table-prefixes.txt.gz` (gzip, one prefix per line, 1,062,046 lines:
 * 901,899 IPv4 and 160,147 IPv6; the table behind Go bart's published figures). It is resolved as
 * `../shared/data` beside the project root, like test/support/shared-data.ts, so the benchmark
 * runs from the main clone and from any worktree. A clone without it cannot benchmark: the loader
 * prints what is missing and exits non-zero rather than measuring something else.
 *
 * Every prefix is parsed once with `parsePrefix` (host bits masked) into numeric columns, so the
 * benchmarks never parse text inside a timed loop unless text parsing is what they measure:
 *
 *   IPv4: network[i]            length[i]      text[i] (canonical)
 *   IPv6: words[4i .. 4i+3]     length[i]      text[i] (canonical)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parsePrefix } from '../../src/ip/index.js';
import { flatString } from './flat-string.js';

/** The project root (this file runs from dist/bench/support/, three levels down). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Absolute path of ../shared/data beside the project root. */
export const sharedDataDir = resolve(projectRoot, '../shared/data');

/** Path of the full table relative to {@link sharedDataDir}, as shown in benchmark output. */
export const fullTableName = 'tables/tier1-full-table-prefixes.txt.gz';

/** One family's prefixes in numeric and canonical text form, in file order. */
export interface FamilyPrefixes {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Number of prefixes. */
  readonly count: number;
  /**
   * Network addresses: one uint32 per prefix for IPv4, four (most significant first) for IPv6,
   * host bits zero.
   */
  readonly words: Uint32Array;
  /** Prefix lengths. */
  readonly lengths: Uint8Array;
  /** Canonical text (`192.0.2.0/24`, `2001:db8::/32`), as `Prefix.toString()` prints it; flat strings. */
  readonly text: string[];
}

/** The full table, split per family. */
export interface FullTable {
  /** Absolute path the table was read from. */
  readonly path: string;
  /** IPv4 prefixes. */
  readonly v4: FamilyPrefixes;
  /** IPv6 prefixes. */
  readonly v6: FamilyPrefixes;
}

/**
 * Parse gzip'd prefix text (one prefix per line, blank lines ignored) into per-family columns.
 * Duplicate lines are kept out: a prefix table holds each prefix once, and a peer fed a duplicate
 * would be measured on a different set than ribstore.
 * @throws RibstoreError `INVALID_PREFIX` on a line that is not a prefix.
 */
export function parseFullTable(gzipped: Uint8Array, path: string): FullTable {
  const lines = gunzipSync(gzipped).toString('latin1').split('\n');
  const seen = new Set<string>();
  const v4Words: number[] = [];
  const v4Lengths: number[] = [];
  const v4Text: string[] = [];
  const v6Words: number[] = [];
  const v6Lengths: number[] = [];
  const v6Text: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const prefix = parsePrefix(trimmed);
    const text = flatString(prefix.toString());
    if (seen.has(text)) continue;
    seen.add(text);
    if (prefix.family === 4) {
      v4Words.push(prefix.w0);
      v4Lengths.push(prefix.length);
      v4Text.push(text);
    } else {
      v6Words.push(prefix.w0, prefix.w1, prefix.w2, prefix.w3);
      v6Lengths.push(prefix.length);
      v6Text.push(text);
    }
  }
  return {
    path,
    v4: { family: 4, count: v4Text.length, words: Uint32Array.from(v4Words), lengths: Uint8Array.from(v4Lengths), text: v4Text },
    v6: { family: 6, count: v6Text.length, words: Uint32Array.from(v6Words), lengths: Uint8Array.from(v6Lengths), text: v6Text },
  };
}

/**
 * Load the full table from ../shared/data, or print why it cannot and exit with status 2.
 * Benchmarks call this first: without the real table there is nothing honest to measure.
 */
export function loadFullTableOrExit(): FullTable {
  const path = join(sharedDataDir, fullTableName);
  if (!existsSync(path)) {
    process.stderr.write(
      `benchmark data missing: ${path}\n` +
        `The table benchmark needs the project's ../shared/data folder beside the project root\n` +
        `(a real Tier-1 full table, ${fullTableName}). It is not part of the repository.\n`,
    );
    process.exit(2);
  }
  return parseFullTable(readFileSync(path), path);
}
