/**
 * Names of BGP communities: the well-known ones (well-known-communities.ts) and those of a
 * names file (`ribstore serve --community-names FILE`), matched against the communities and
 * large communities of routes.
 *
 * The file format (documented in the README, "Community names"):
 * ```
 * # a comment: lines whose first non-blank character is #; blank lines are skipped
 * PATTERN   NAME
 * 65000:100        Learned from customers         exact community
 * 65000:1xx        Learned in city $2              each x is one decimal digit (100-199 here)
 * 65000:200-299    Prepend to upstreams           an inclusive range
 * 65000:*          Our informational communities  any value
 * 65000:1:2        Large: exact                    large communities: three parts, same patterns
 * 65000:2:*        Large: do not announce to AS$3
 * ```
 * PATTERN is one word (2 parts: a community, each part 0-65535; 3 parts: a large community,
 * each part 0-4294967295); each part is a number, `LOW-HIGH`, a digit mask with `x`, or `*`.
 * NAME is the rest of the line; `$1`, `$2`, `$3` stand for the parts of the matched community
 * and `$$` for a `$`. When several patterns match, the one that covers the fewest communities
 * wins (an exact value before a mask, a mask before a wider range, anything before `*`); on a
 * tie, the earlier line. A file's exact entry replaces a built-in well-known name.
 * Bad lines are refused with a {@link CommunityNamesError} naming the line.
 */
import { readFileSync } from 'node:fs';
import { RibstoreError } from '../errors.js';
import { WELL_KNOWN_COMMUNITIES } from './well-known-communities.js';

/** Longest line a names file may have (bytes of text). */
export const MAX_LINE_LENGTH = 1024;
/** Longest name. */
export const MAX_NAME_LENGTH = 200;
/** Most entries one file may hold. */
export const MAX_ENTRIES = 100_000;
/** Largest names file read (bytes). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A names file line that cannot be used: `line` is 1-based, `source` the file name. */
export class CommunityNamesError extends RibstoreError {
  constructor(
    readonly source: string,
    readonly line: number,
    problem: string,
  ) {
    super('INVALID_ARGUMENT', `${source}:${line}: ${problem}`);
    this.name = 'CommunityNamesError';
  }
}

/** One part of a pattern: the values it covers and how many. */
interface PatternPart {
  /** Canonical text (to find duplicate patterns). */
  readonly text: string;
  readonly matches: (value: number, digits: string) => boolean;
  /** Exact value, when the part is one. */
  readonly value: number | undefined;
  readonly count: number;
}

/** A named pattern. */
interface Entry {
  readonly parts: readonly PatternPart[];
  readonly name: string;
  readonly line: number;
  /** Communities covered: the product of the parts' counts (the most specific wins). */
  readonly size: number;
}

const UINT16 = 0xffff;
const UINT32 = 0xffffffff;
/** Results remembered before the cache starts over (route answers repeat the same few communities). */
const CACHE_LIMIT = 50_000;

/** A line's pattern part, or a problem text. */
function parsePart(text: string, max: number): PatternPart | string {
  if (text === '*') return { text, matches: () => true, value: undefined, count: max + 1 };
  const range = /^(\d{1,10})-(\d{1,10})$/.exec(text);
  if (range) {
    const low = Number(range[1]);
    const high = Number(range[2]);
    if (high > max) return `${high} is over ${max}`;
    if (low > high) return `range ${text} runs backwards`;
    return { text: low === high ? String(low) : `${low}-${high}`, matches: (v) => v >= low && v <= high, value: low === high ? low : undefined, count: high - low + 1 };
  }
  if (/^\d{1,10}$/.test(text)) {
    const value = Number(text);
    if (value > max) return `${value} is over ${max}`;
    return { text: String(value), matches: (v) => v === value, value, count: 1 };
  }
  if (/^[\dx]{1,10}$/.test(text)) {
    if (text.length > 1 && text.startsWith('0')) return `digit mask ${text} starts with 0 (values are written without leading zeros)`;
    // Its smallest value: a leading x cannot be 0 (except in the one-digit mask "x").
    const smallest = Number(text.replace(/x/g, (_x, at: number) => (at === 0 && text.length > 1 ? '1' : '0')));
    if (smallest > max) return `digit mask ${text} matches nothing: every value is over ${max}`;
    const xs = text.split('').filter((c) => c === 'x').length;
    const count = text.startsWith('x') && text.length > 1 ? 9 * 10 ** (xs - 1) : 10 ** xs;
    return { text, matches: (_v, digits) => digits.length === text.length && [...text].every((c, i) => c === 'x' || c === digits[i]), value: undefined, count };
  }
  return `${JSON.stringify(text)} is not a number, LOW-HIGH range, digit mask with x, or *`;
}

/** The longest part of a line shown in an error. */
const excerpt = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

/**
 * The community names in effect: built-in well-known names plus those of a names file.
 * Immutable; {@link CommunityNames.name} is fast enough to run for every route of an answer.
 */
export class CommunityNames {
  /** Exact names by community text. */
  private readonly exact = new Map<string, string>();
  /** Pattern entries by `parts:firstValue` (first part exact) or `parts:*`, most specific first. */
  private readonly patterns = new Map<string, Entry[]>();
  private readonly cache = new Map<string, string | null>();
  /** Entries read from the file (well-known names not counted). */
  readonly fileEntries: number;

  private constructor(
    entries: readonly Entry[],
    /** The names file's text and name ('' for the built-in names): what another thread parses to name alike. */
    readonly source: { readonly text: string; readonly name: string } = { text: '', name: 'community names' },
  ) {
    for (const known of WELL_KNOWN_COMMUNITIES) this.exact.set(known.community, known.name);
    for (const entry of entries) {
      if (entry.size === 1 && !entry.name.includes('$')) {
        this.exact.set(entry.parts.map((p) => p.text).join(':'), entry.name);
        continue;
      }
      const first = entry.parts[0]!.value;
      const key = `${entry.parts.length}:${first ?? '*'}`;
      let list = this.patterns.get(key);
      if (!list) this.patterns.set(key, (list = []));
      list.push(entry);
    }
    for (const list of this.patterns.values()) list.sort((a, b) => a.size - b.size || a.line - b.line);
    this.fileEntries = entries.length;
  }

  /** The well-known names only. */
  static builtIn(): CommunityNames {
    return new CommunityNames([]);
  }

  /**
   * Parse a names file's text (see the module comment for the format).
   * @param source the file name, for error messages.
   * @throws CommunityNamesError for the first bad line.
   */
  static parse(text: string, source = 'community names'): CommunityNames {
    const entries: Entry[] = [];
    const seen = new Map<string, number>();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const lineNumber = i + 1;
      const raw = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
      const fail = (problem: string): never => {
        throw new CommunityNamesError(source, lineNumber, problem);
      };
      if (raw.length > MAX_LINE_LENGTH) fail(`line is ${raw.length} characters long, over ${MAX_LINE_LENGTH}`);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029\ufffd]/.test(raw)) fail(`control character or invalid UTF-8 in ${excerpt(raw)}`);
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const split = /^(\S+)\s+(.+)$/.exec(line);
      if (!split) fail(`expected PATTERN NAME, got ${excerpt(line)} (no name)`);
      const [, patternText, nameText] = split!;
      const name = nameText!.trim();
      if (name.length > MAX_NAME_LENGTH) fail(`name is ${name.length} characters long, over ${MAX_NAME_LENGTH}`);
      const texts = patternText!.split(':');
      if (texts.length !== 2 && texts.length !== 3) {
        fail(`pattern ${excerpt(patternText!)} has ${texts.length} part${texts.length === 1 ? '' : 's'}: expected ASN:VALUE (community) or GLOBAL:LOCAL1:LOCAL2 (large community)`);
      }
      const max = texts.length === 2 ? UINT16 : UINT32;
      const parts = texts.map((t, k) => {
        const part = parsePart(t, max);
        return typeof part === 'string' ? fail(`part ${k + 1} of ${excerpt(patternText!)}: ${part}`) : part;
      });
      for (const ref of name.matchAll(/\$(\$|\d*)/g)) {
        if (ref[1] === '$') continue;
        const n = Number(ref[1]);
        if (ref[1] === '' || n < 1 || n > parts.length) fail(`name ${excerpt(name)} uses ${ref[0]}: only $1 to $${parts.length} (the parts of the community) and $$ (a dollar sign) are defined`);
      }
      const key = parts.map((p) => p.text).join(':');
      const earlier = seen.get(key);
      if (earlier !== undefined) fail(`pattern ${key} is already named at line ${earlier}`);
      seen.set(key, lineNumber);
      if (entries.length === MAX_ENTRIES) fail(`more than ${MAX_ENTRIES} entries`);
      entries.push({ parts, name, line: lineNumber, size: parts.reduce((product, p) => product * p.count, 1) });
    }
    return new CommunityNames(entries, { text, name: source });
  }

  /**
   * Read and parse a names file.
   * @throws RibstoreError `FILE_ERROR` when it cannot be read or is too large; CommunityNamesError for a bad line.
   */
  static load(file: string): CommunityNames {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new RibstoreError('FILE_ERROR', `cannot read community names file ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (bytes.length > MAX_FILE_BYTES) throw new RibstoreError('FILE_ERROR', `community names file ${file} is ${bytes.length} bytes, over ${MAX_FILE_BYTES}`);
    // Invalid UTF-8 decodes to U+FFFD, which the parser refuses with the line it is on.
    return CommunityNames.parse(bytes.toString('utf8'), file);
  }

  /** The name of a community (`65000:100`) or large community (`65000:1:2`) in canonical text, or undefined. */
  name(community: string): string | undefined {
    const cached = this.cache.get(community);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.exact.get(community) ?? this.match(community);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(community, found ?? null);
    return found;
  }

  /** The names of a route's communities and large communities, keyed by their text (unnamed ones left out). */
  namesOf(route: { readonly communities: readonly string[]; readonly largeCommunities: readonly string[] }): Record<string, string> {
    const names: Record<string, string> = {};
    for (const list of [route.communities, route.largeCommunities]) {
      for (const community of list) {
        const name = this.name(community);
        if (name !== undefined) names[community] = name;
      }
    }
    return names;
  }

  private match(community: string): string | undefined {
    const digits = community.split(':');
    const values = digits.map(Number);
    let best: Entry | undefined;
    for (const key of [`${digits.length}:${values[0]}`, `${digits.length}:*`]) {
      for (const entry of this.patterns.get(key) ?? []) {
        if (best && (entry.size > best.size || (entry.size === best.size && entry.line > best.line))) break;
        if (entry.parts.every((part, i) => part.matches(values[i]!, digits[i]!))) {
          best = entry;
          break;
        }
      }
    }
    return best?.name.replace(/\$(\$|\d)/g, (_all, ref: string) => (ref === '$' ? '$' : digits[Number(ref) - 1]!));
  }
}
