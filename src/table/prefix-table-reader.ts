/**
 * PrefixTableReader: every read operation of the prefix trie, over an arena's words and a
 * pair of roots (IPv4, IPv6).
 *
 * The live {@link PrefixTable}, its {@link PrefixTableSnapshot}s and a reader rebuilt in a
 * worker thread from shared memory ({@link PrefixTableReader.fromShared}) are all this class
 * with different roots, so the hot lookup code is one monomorphic function.
 *
 * Values are integers 0..2^31-1; -1 means "no match" on the numeric paths.
 *
 * Longest-prefix match first descends by child bits (a node continues the walk, a leaf ends
 * it, matching or not), remembering the nodes on the way that hold prefixes. Then, deepest
 * first, it takes the highest set bit of (prefix bitset AND ancestor mask of the address
 * octet): the first hit is the answer, and only it pays a rank (popcount) to find its value.
 * Batch lookups walk many addresses side by side, one level at a time, so their cache misses
 * overlap.
 */
import { RibstoreError } from '../errors.js';
import { type Address, type Family, parseAddress, parseAddressInto } from '../ip/address.js';
import { Prefix, type PrefixInput, toPrefix } from '../ip/prefix.js';
import { artIndex } from './art.js';
import {
  CHILD_ARRAY,
  CHILD_BITS,
  LEAF_KEY,
  LEAF_META,
  LEAF_V6,
  LEAF_VALUE,
  NODE_GEN,
  NODE_WORDS,
  PREFIX_ARRAY,
  PREFIX_BITS,
  PREFIX_COUNT,
  homeDepth,
  topBits,
} from './layout.js';
import { BatchLanes, lookupBatchCompiledV6, lookupBatchV4, lookupBatchV6 } from './batch-lookup.js';
import { type CompiledLevel, DEEPER, STALE, blockValue, runAt } from './compiled-level.js';
import type { CompiledV6 } from './compiled-v6.js';
import { leafContainsV6 } from './leaf-match.js';
import { childRank, childRankIn, longestInNode, prefixRank } from './node-rank.js';
import {
  CONTROL_ROOT_V4,
  CONTROL_ROOT_V6,
  CONTROL_SLOTS,
  type SharedLiveTableDescriptor,
  type SharedSnapshotDescriptor,
} from './shared-control.js';
import { WalkItem, supernetLengths, walk } from './table-walk.js';

export { BATCH_LANES } from './batch-lookup.js';
export {
  CONTROL_ROOT_V4,
  CONTROL_ROOT_V6,
  CONTROL_SLOTS,
  CONTROL_SLOT_COUNT,
  type SharedLiveTableDescriptor,
  type SharedSnapshotDescriptor,
} from './shared-control.js';

/** Read operations over a trie in an arena (see the module doc). */
export class PrefixTableReader {
  /** Arena words the roots point into. */
  protected words: Int32Array;
  /** Root node of the IPv4 trie. */
  protected rootV4: number;
  /** Root node of the IPv6 trie. */
  protected rootV6: number;
  /** Number of stored prefixes. */
  protected count: number;
  /** Set once a snapshot is released; every read then throws. */
  protected released = false;
  /** Shared control block and slot to validate against (worker readers), else null. */
  private readonly sharedControl: Int32Array | null;
  private readonly sharedSlot: number;
  private readonly sharedGeneration: number;
  /** Scratch words of an address given as text (string lookups). */
  private readonly textWords = new Uint32Array(4);
  /** Scratch key words, so prefix reads allocate nothing. */
  protected readonly key = new Int32Array(4);
  protected keyFamily: Family = 4;
  protected keyLength = 0;
  /** Per-lane state of the batch lookups (batch-lookup.ts). */
  private readonly lanes = new BatchLanes();
  /**
   * First-level slots (first-level.ts) of the live table's IPv4 and IPv6 tries, or null: only a
   * live {@link PrefixTable} of enough prefixes keeps them; snapshots and worker readers walk
   * from their roots.
   */
  protected firstV4: Int32Array | null = null;
  protected firstV6: Int32Array | null = null;
  /**
   * Compiled blocks over the IPv4 first level (compiled-level.ts), or null: the live table's
   * only, like the first level.
   */
  protected compiledV4: CompiledLevel | null = null;
  /** Compiled blocks below the IPv6 first level (compiled-v6.ts), or null: the live table's only. */
  protected compiledV6: CompiledV6 | null = null;
  /** Nodes with prefixes on a single lookup's path, and the address octet at each. */
  private readonly pathNode = new Int32Array(16);
  private readonly pathOctet = new Int32Array(16);

  /** @internal Use {@link PrefixTable}, {@link PrefixTable.snapshot} or {@link PrefixTableReader.fromShared}. */
  constructor(
    words: Int32Array,
    rootV4: number,
    rootV6: number,
    count: number,
    control: Int32Array | null = null,
    slot = 0,
    generation = 0,
  ) {
    this.words = words;
    this.rootV4 = rootV4;
    this.rootV6 = rootV6;
    this.count = count;
    this.sharedControl = control;
    this.sharedSlot = slot;
    this.sharedGeneration = generation;
  }

  /**
   * Rebuild a read-only view in another thread from a descriptor made by
   * {@link PrefixTableSnapshot.share} and posted to it. The view stays correct while the
   * owner keeps writing, as long as the owner has not released that snapshot; check
   * {@link PrefixTableReader.valid} after reading to know the results can be trusted.
   */
  static fromShared(descriptor: SharedSnapshotDescriptor): PrefixTableReader {
    // A fixed-length view: everything the snapshot can reach existed when it was shared.
    const words = new Int32Array(descriptor.arena, 0, descriptor.arena.byteLength >> 2);
    const control = new Int32Array(descriptor.control);
    return new PrefixTableReader(
      words,
      descriptor.rootV4,
      descriptor.rootV6,
      descriptor.size,
      control,
      descriptor.slot,
      descriptor.generation,
    );
  }

  /**
   * A view of the live table in another thread, from {@link PrefixTable.shareLive}: it reads
   * the nodes the owner writes in place, so its answers are only as good as the caller's own
   * validation. The owner must change the table only inside a write section the reader can
   * detect (the RIB's structure version, rib/shared-versions.ts): read, then check that no
   * write section began or ended meanwhile. Call {@link syncLive} before each read to pick up
   * the current roots and a grown arena. Reads stay bounded (descents stop at the trie's
   * depth, walks at the nodes the arena holds), so a read racing a write returns garbage or
   * throws, never loops.
   */
  static fromLive(descriptor: SharedLiveTableDescriptor): PrefixTableReader {
    const reader = new PrefixTableReader(new Int32Array(0), 0, 0, 0);
    reader.liveArena = descriptor.arena;
    reader.liveControl = new Int32Array(descriptor.control);
    reader.syncLive();
    return reader;
  }

  /** Arena and control block of a {@link fromLive} view, else null. */
  private liveArena: SharedArrayBuffer | null = null;
  private liveControl: Int32Array | null = null;

  /** Re-read the live roots (and re-map a grown arena) of a {@link fromLive} view. */
  syncLive(): void {
    const control = this.liveControl;
    const arena = this.liveArena;
    if (control === null || arena === null) throw new RibstoreError('INVALID_ARGUMENT', 'syncLive: not a live shared view (use PrefixTableReader.fromLive)');
    if (arena.byteLength >> 2 !== this.words.length) this.words = new Int32Array(arena, 0, arena.byteLength >> 2);
    this.rootV4 = Atomics.load(control, CONTROL_ROOT_V4);
    this.rootV6 = Atomics.load(control, CONTROL_ROOT_V6);
  }

  /**
   * A walk's item. A live view's walks may enter at most as many nodes as its arena holds: a
   * valid trie never has more, and a walk through recycled nodes (a cycle) stops there.
   */
  private walkItem(): WalkItem {
    const item = new WalkItem();
    if (this.liveControl !== null) item.budget = this.words.length / NODE_WORDS + 1;
    return item;
  }

  /**
   * Whether reads on this view are trustworthy: false once the snapshot was released (its
   * nodes may then be recycled). A worker reader compares its generation with the one its
   * owner keeps in shared memory while the snapshot is live; a recycled slot holds another
   * generation, so recycling is detected by generation, never by luck.
   */
  valid(): boolean {
    if (this.released) return false;
    if (this.sharedControl === null) return true;
    return Atomics.load(this.sharedControl, CONTROL_SLOTS + this.sharedSlot) === this.sharedGeneration;
  }

  /** Number of prefixes stored. */
  get size(): number {
    this.checkLive();
    return this.count;
  }

  /** @internal Throw if this view was released. */
  protected checkLive(): void {
    if (this.released) throw new RibstoreError('INVALID_ARGUMENT', 'this prefix table snapshot was released');
  }

  // ---------------------------------------------------------------- numeric hot paths

  /**
   * Value of the longest stored IPv4 prefix containing `address` (uint32), or -1.
   *
   * Kept small so that it inlines into its callers: the compiled slot of the address's /16
   * (compiled-level.ts) answers almost every lookup of the live table, a CONSTANT slot in one
   * read, a block in one more line and a value; everything else (a /24 with longer prefixes
   * below it, a stale slot, snapshots and worker readers without blocks) takes
   * {@link lookupV4Walk}.
   */
  lookupV4(address: number): number {
    const compiled = this.compiledV4;
    if (compiled !== null) {
      const f = compiled.words;
      const slot = f[address >>> 16]!;
      if (slot > STALE) {
        const v = f[runAt(f, slot, (address >>> 8) & 255)]!;
        if (v !== DEEPER) return v;
      } else if (slot !== STALE) return ~slot;
    }
    return this.lookupV4Walk(address);
  }

  /** {@link lookupV4} past the compiled slot: compile a stale one, else walk the trie. */
  private lookupV4Walk(address: number): number {
    if (this.released) this.checkLive();
    const a = this.words;
    const pathNode = this.pathNode;
    const pathOctet = this.pathOctet;
    let node = this.rootV4;
    let shift = 24;
    let otherwise = -1;
    const first = this.firstV4;
    if (first !== null) {
      // The first level stands for the top two levels: start at the /16's subtree (first-level.ts).
      const h = (address >>> 16) << 1;
      const compiled = this.compiledV4;
      if (compiled !== null && compiled.words[h >>> 1] === STALE) {
        const slot = compiled.compile(a, h >>> 1, first[h]!, first[h + 1]!);
        if (slot <= 0) return ~slot;
        const v = blockValue(compiled.words, slot, (address >>> 8) & 255);
        if (v !== DEEPER) return v;
      }
      const subtree = first[h]!;
      otherwise = first[h + 1]!;
      if (subtree === 0) return otherwise;
      if (subtree < 0) {
        const leaf = -subtree;
        return ((address ^ a[leaf + LEAF_KEY]!) & topBits(a[leaf + LEAF_META]! & 255)) === 0 ? a[leaf + LEAF_VALUE]! : otherwise;
      }
      node = subtree;
      shift = 8;
    }
    let top = 0;
    // Descend first, remembering the nodes that hold prefixes; the deepest match wins, so
    // the search inside nodes then runs from the bottom up and usually stops at the first.
    // Bounded by the depth (4 levels) so that a reader racing a writer (fromLive) never loops.
    for (; shift >= 0; shift -= 8) {
      const o = (address >>> shift) & 255;
      if (a[node + PREFIX_COUNT] !== 0) {
        pathNode[top] = node;
        pathOctet[top++] = o;
      }
      const bits = a[node + CHILD_BITS + (o >> 5)]!;
      if (((bits >>> o) & 1) === 0) break;
      const r = childRankIn(a, node, o, bits);
      const slot = a[a[node + CHILD_ARRAY]! + r]!;
      if (slot > 0) {
        node = slot;
        continue;
      }
      const leaf = -slot;
      if (((address ^ a[leaf + LEAF_KEY]!) & topBits(a[leaf + LEAF_META]! & 255)) === 0) return a[leaf + LEAF_VALUE]!;
      break;
    }
    while (top > 0) {
      top--;
      const best = pathNode[top]!;
      const index = longestInNode(a, best, pathOctet[top]!);
      if (index !== 0) return a[a[best + PREFIX_ARRAY]! + prefixRank(a, best, index)]!;
    }
    return otherwise;
  }

  /** Value of the longest stored IPv6 prefix containing the address `w0:w1:w2:w3`, or -1. */
  lookupV6(w0: number, w1: number, w2: number, w3: number): number {
    if (this.released) this.checkLive();
    const a = this.words;
    const pathNode = this.pathNode;
    const pathOctet = this.pathOctet;
    let node = this.rootV6;
    let depth = 0;
    let otherwise = -1;
    const first = this.firstV6;
    if (first !== null) {
      // As in lookupV4: the first level stands for depths 0 and 1.
      const h = (w0 >>> 16) << 1;
      const subtree = first[h]!;
      otherwise = first[h + 1]!;
      if (subtree === 0) return otherwise;
      if (subtree < 0) return leafContainsV6(a, -subtree, w0, w1, w2, w3) ? a[-subtree + LEAF_VALUE]! : otherwise;
      // One compiled block per level from here (compiled-v6.ts).
      const compiled = this.compiledV6;
      if (compiled !== null) return compiled.lookup(a, h >>> 1, subtree, otherwise, w0, w1, w2, w3);
      node = subtree;
      depth = 2;
    }
    let top = 0;
    let word = w0;
    for (; depth < 16; depth++) {
      const o = (word >>> (24 - ((depth & 3) << 3))) & 255;
      if (a[node + PREFIX_COUNT] !== 0) {
        pathNode[top] = node;
        pathOctet[top++] = o;
      }
      const bits = a[node + CHILD_BITS + (o >> 5)]!;
      if (((bits >>> o) & 1) === 0) break;
      const r = childRankIn(a, node, o, bits);
      const slot = a[a[node + CHILD_ARRAY]! + r]!;
      if (slot > 0) {
        node = slot;
        if ((depth & 3) === 3) word = depth === 3 ? w1 : depth === 7 ? w2 : w3;
        continue;
      }
      const leaf = -slot;
      if (leafContainsV6(a, leaf, w0, w1, w2, w3)) return a[leaf + LEAF_VALUE]!;
      break;
    }
    while (top > 0) {
      top--;
      const best = pathNode[top]!;
      const index = longestInNode(a, best, pathOctet[top]!);
      if (index !== 0) return a[a[best + PREFIX_ARRAY]! + prefixRank(a, best, index)]!;
    }
    return otherwise;
  }

  /**
   * Batch IPv4 lookup: `out[i] = lookupV4(addresses[i])` (-1 for no match). Returns `out`.
   * The addresses go through the trie in groups whose cache misses overlap (batch-lookup.ts).
   * @throws RibstoreError `INVALID_ARGUMENT` if `out` is shorter than `addresses`.
   */
  lookupBatchV4(addresses: Uint32Array, out: Int32Array): Int32Array {
    this.checkLive();
    return lookupBatchV4(this.words, this.rootV4, this.firstV4, this.compiledV4, this.lanes, addresses, out);
  }

  /**
   * Batch IPv6 lookup: `addresses` holds four words per address, `out[i]` gets the value for
   * address i (words 4i..4i+3), -1 for no match. Interleaved like
   * {@link PrefixTableReader.lookupBatchV4}. Returns `out`.
   * @throws RibstoreError `INVALID_ARGUMENT` if the lengths do not fit.
   */
  lookupBatchV6(addresses: Uint32Array, out: Int32Array): Int32Array {
    this.checkLive();
    const first = this.firstV6;
    const compiled = this.compiledV6;
    if (compiled !== null && first !== null) return lookupBatchCompiledV6(this.words, first, compiled, addresses, out);
    return lookupBatchV6(this.words, this.rootV6, this.firstV6, this.lanes, addresses, out);
  }

  /** Value of the longest stored prefix containing `address`, or undefined. */
  lookupValue(address: string | Address): number | undefined {
    let v: number;
    if (typeof address === 'string') {
      // Text straight into scratch words: no Address object per lookup.
      const w = this.textWords;
      v = parseAddressInto(address, w) === 4 ? this.lookupV4(w[0]!) : this.lookupV6(w[0]!, w[1]!, w[2]!, w[3]!);
    } else {
      v = address.family === 4 ? this.lookupV4(address.w0) : this.lookupV6(address.w0, address.w1, address.w2, address.w3);
    }
    return v < 0 ? undefined : v;
  }

  // ---------------------------------------------------------------- prefix reads

  /** @internal Load a prefix into the scratch key. */
  protected loadKey(prefix: PrefixInput): void {
    const p = toPrefix(prefix);
    this.loadWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length);
  }

  /** @internal Load numeric words (host bits masked here) into the scratch key. */
  protected loadWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): void {
    const k = this.key;
    k[0] = w0 & topBits(length);
    k[1] = family === 4 ? 0 : w1 & topBits(length - 32);
    k[2] = family === 4 ? 0 : w2 & topBits(length - 64);
    k[3] = family === 4 ? 0 : w3 & topBits(length - 96);
    this.keyFamily = family;
    this.keyLength = length;
  }

  /** @internal Octet of the scratch key at `depth`. */
  protected keyOctet(depth: number): number {
    return (this.key[depth >> 2]! >>> (24 - ((depth & 3) << 3))) & 255;
  }

  /** @internal Whether the leaf at `leaf` holds exactly the scratch key. */
  protected leafIsKey(leaf: number): boolean {
    const a = this.words;
    const meta = a[leaf + LEAF_META]!;
    if ((meta & 255) !== this.keyLength || (meta & LEAF_V6) !== (this.keyFamily === 6 ? LEAF_V6 : 0)) return false;
    const k = this.key;
    if (a[leaf + LEAF_KEY] !== k[0]) return false;
    if (this.keyFamily === 4) return true;
    return a[leaf + LEAF_KEY + 1] === k[1] && a[leaf + LEAF_KEY + 2] === k[2] && a[leaf + LEAF_KEY + 3] === k[3];
  }

  /** @internal Arena offset of the value word of the scratch key, or 0 if it is not stored. */
  protected findKey(): number {
    const a = this.words;
    let node = this.keyFamily === 4 ? this.rootV4 : this.rootV6;
    const length = this.keyLength;
    const home = homeDepth(length);
    for (let depth = 0; ; depth++) {
      const o = this.keyOctet(depth);
      if (depth === home) {
        const index = artIndex(o, length - 8 * depth);
        if (((a[node + PREFIX_BITS + (index >> 5)]! >>> (index & 31)) & 1) === 0) return 0;
        return a[node + PREFIX_ARRAY]! + prefixRank(a, node, index);
      }
      if (((a[node + CHILD_BITS + (o >> 5)]! >>> (o & 31)) & 1) === 0) return 0;
      const slot = a[a[node + CHILD_ARRAY]! + childRank(a, node, o)]!;
      if (slot > 0) {
        node = slot;
        continue;
      }
      return this.leafIsKey(-slot) ? -slot + LEAF_VALUE : 0;
    }
  }

  /** Value stored for exactly `prefix`, or undefined. */
  getValue(prefix: PrefixInput): number | undefined {
    this.checkLive();
    this.loadKey(prefix);
    const at = this.findKey();
    return at === 0 ? undefined : this.words[at]!;
  }

  /** Value stored for exactly the prefix given by numeric words, or -1. No strings, no allocation. */
  getWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): number {
    this.checkLive();
    this.loadWords(family, w0, w1, w2, w3, length);
    const at = this.findKey();
    return at === 0 ? -1 : this.words[at]!;
  }

  /** Whether exactly `prefix` is stored. */
  has(prefix: PrefixInput): boolean {
    this.checkLive();
    this.loadKey(prefix);
    return this.findKey() !== 0;
  }

  /** Stored prefixes equal to or covering `prefix`, shortest first, as `[prefix, value]`. */
  *supernets(prefix: PrefixInput): IterableIterator<[string, number]> {
    this.checkLive();
    const p = toPrefix(prefix);
    for (const [length, value] of supernetLengths(this.words, p.family === 4 ? this.rootV4 : this.rootV6, p)) {
      yield [maskedPrefixString(p, length), value];
    }
  }

  /** The longest stored prefix equal to or covering `prefix` as `[prefix, value]`, or undefined. */
  lookupPrefixEntry(prefix: PrefixInput): [string, number] | undefined {
    this.checkLive();
    const p = toPrefix(prefix);
    let best: [number, number] | undefined;
    for (const item of supernetLengths(this.words, p.family === 4 ? this.rootV4 : this.rootV6, p)) best = item;
    return best === undefined ? undefined : [maskedPrefixString(p, best[0]), best[1]];
  }

  /** The longest stored prefix containing `address` as `[prefix, value]`, or undefined. */
  lookupEntryValue(address: string | Address): [string, number] | undefined {
    const parsed = typeof address === 'string' ? parseAddress(address) : address;
    const host = new Prefix(parsed.family, parsed.w0, parsed.w1, parsed.w2, parsed.w3, parsed.family === 4 ? 32 : 128);
    return this.lookupPrefixEntry(host);
  }

  /** Stored prefixes equal to or inside `prefix`, in sorted order, as `[prefix, value]`. */
  *subnets(prefix: PrefixInput): IterableIterator<[string, number]> {
    this.checkLive();
    const p = toPrefix(prefix);
    const root = p.family === 4 ? this.rootV4 : this.rootV6;
    const item = this.walkItem();
    for (const _ of walk(this.words, root, 0, p.family, [0, 0, 0, 0], [p.w0 | 0, p.w1 | 0, p.w2 | 0, p.w3 | 0], p.length, item)) {
      yield [item.toString(), item.value];
    }
  }

  /** Whether any stored prefix covers or lies inside `prefix`. */
  overlaps(prefix: PrefixInput): boolean {
    this.checkLive();
    const p = toPrefix(prefix);
    if (!supernetLengths(this.words, p.family === 4 ? this.rootV4 : this.rootV6, p).next().done) return true;
    return !this.subnets(p).next().done;
  }

  /** Every `[prefix, value]` in sorted order: IPv4 before IPv6, by network, shorter first. */
  *entries(): IterableIterator<[string, number]> {
    this.checkLive();
    const item = this.walkItem();
    for (const family of [4, 6] as const) {
      const root = family === 4 ? this.rootV4 : this.rootV6;
      for (const _ of walk(this.words, root, 0, family, [0, 0, 0, 0], [0, 0, 0, 0], 0, item)) {
        yield [item.toString(), item.value];
      }
    }
  }

  /**
   * Visit every entry in the order of {@link PrefixTableReader.entries} as numbers (family,
   * network words, length, value), without making prefix text: what serialisation needs.
   */
  forEachEntryWords(visit: (family: Family, w0: number, w1: number, w2: number, w3: number, length: number, value: number) => void): void {
    this.checkLive();
    const item = this.walkItem();
    const w = item.words;
    for (const family of [4, 6] as const) {
      const root = family === 4 ? this.rootV4 : this.rootV6;
      for (const _ of walk(this.words, root, 0, family, [0, 0, 0, 0], [0, 0, 0, 0], 0, item)) {
        visit(family, w[0]!, w[1]!, w[2]!, w[3]!, item.length, item.value);
      }
    }
  }

  /** Every stored prefix in sorted order. */
  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  /** Every value in the sorted order of its prefix. */
  *values(): IterableIterator<number> {
    this.checkLive();
    const item = this.walkItem();
    for (const family of [4, 6] as const) {
      const root = family === 4 ? this.rootV4 : this.rootV6;
      for (const _ of walk(this.words, root, 0, family, [0, 0, 0, 0], [0, 0, 0, 0], 0, item)) yield item.value;
    }
  }

  /** Same as {@link PrefixTableReader.entries}. */
  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /** Call `callback(value, prefix)` for every entry in sorted order. */
  forEach(callback: (value: number, prefix: string) => void): void {
    for (const [key, value] of this.entries()) callback(value, key);
  }

  /** @internal The generation of a node (tests check copy-on-write with it). */
  protected nodeGeneration(node: number): number {
    return this.words[node + NODE_GEN]!;
  }
}

function maskedPrefixString(p: Prefix, length: number): string {
  return new Prefix(p.family, p.w0, p.w1, p.w2, p.w3, length).toString();
}
