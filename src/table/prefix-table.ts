/**
 * PrefixTable: the IP prefix trie with integer values, over one typed-array {@link Arena}.
 *
 * IPv4 and IPv6 each have a trie of 8-bit strides (see layout.ts for the node layout and
 * art.ts for the in-node numbering). Values are integers 0..2^31-1 (the RIB stores route-set
 * handles; {@link PrefixMap} stores handles into a side array of arbitrary values). There is
 * no JS object per prefix or per node: nodes, leaves and compact arrays are blocks in one
 * Int32Array, referenced by offset, recycled through free lists.
 *
 * Structure invariants (kept by every write):
 *  - a prefix of length L lives in exactly one place: the prefix bitset of the node at depth
 *    `homeDepth(L)` on its path, or a leaf in a child slot of a shallower node on its path;
 *  - a leaf is the only entry below its slot; inserting a second one pushes it down into a
 *    new node (and so on until their paths part);
 *  - after a delete, nodes on the path are collapsed bottom up: an empty node goes, a node
 *    with one prefix and no children becomes a leaf, a node whose only content is one leaf
 *    child is replaced by that leaf. So deleting everything returns every block.
 *
 * Snapshots and copy-on-write (generations):
 *  - every node and leaf records the write generation `gen` that created it;
 *  - `snapshot()` records the current generation G as live and starts generation G+1;
 *  - a write that would change a node or leaf with `gen <= newest live snapshot` changes a
 *    copy instead (path copying from the root), and retires the original with the current
 *    generation g: snapshots taken before g may still reach it;
 *  - a retired block is freed once every live snapshot is at least g (it was unlinked before
 *    they were taken) or none is live; releasing a snapshot (explicitly, by `using`, or by the
 *    FinalizationRegistry when a forgotten one is collected) triggers that reclaim;
 *  - the root is published after each write (with `Atomics.store` into the shared control
 *    block when the table is shared), and a snapshot is just the pair of roots it read.
 *
 * ```
 *   gen:        1      2  (snapshot S@2)   3                 release S
 *   root:      R1 ---> R1 ------------->  R3 (copy of R1)   R1 retired@3 freed
 *                          S still reads R1, sees nothing of generation 3
 * ```
 *
 * Sharing with worker threads: with `{ shared: true }` the arena is a growable
 * SharedArrayBuffer; `snapshot().share()` gives a descriptor that a worker turns into a
 * {@link PrefixTableReader}. The snapshot's generation sits in a slot of the shared control
 * block while it is live and is cleared before any of its blocks can be recycled, so a worker
 * checks `valid()` after reading: a stale view is detected by generation.
 */
import { RibstoreError } from '../errors.js';
import type { Family } from '../ip/address.js';
import type { PrefixInput } from '../ip/prefix.js';
import { Arena, type ArenaOptions, type ArenaStats, capacityFor } from './arena.js';
import { artIndex, artLength, artOctet } from './art.js';
import { nextSetBit } from './bitset.js';
import { DEFAULT_FIRST_LEVEL_FROM, FirstLevel, childSlot } from './first-level.js';
import { decodeTableEntries, encodeTableEntries } from './serialise.js';
import {
  CHILD_ARRAY,
  CHILD_BITS,
  CHILD_COUNT,
  LEAF_GEN,
  LEAF_KEY,
  LEAF_META,
  LEAF_V6,
  LEAF_VALUE,
  LEAF_WORDS_V4,
  LEAF_WORDS_V6,
  MAX_TABLE_VALUE,
  NODE_GEN,
  NODE_WORDS,
  PREFIX_ARRAY,
  PREFIX_BITS,
  PREFIX_COUNT,
  homeDepth,
  topBits,
} from './layout.js';
import {
  CONTROL_ROOT_V4,
  CONTROL_ROOT_V6,
  CONTROL_SLOTS,
  CONTROL_SLOT_COUNT,
  PrefixTableReader,
  type SharedSnapshotDescriptor,
} from './prefix-table-reader.js';
import { adjustChildRanks, adjustPrefixRanks, childRank, prefixRank } from './node-rank.js';

/** Options for a {@link PrefixTable}. */
export interface PrefixTableOptions extends ArenaOptions {
  /**
   * Prefixes a family (IPv4 or IPv6) must hold before the table keeps a direct-indexed first
   * level for it (512 KiB that spares lookups the top two trie levels; first-level.ts). Default
   * 16 384; 0 keeps one from the start. Dropped again below half the threshold.
   */
  firstLevelFrom?: number;
}

/** Words one write may bump-allocate at most: a copied path of 17 nodes with full arrays, plus a split. */
const RESERVE_WORDS = 18 * (NODE_WORDS + 16 + 512 + 256) + 16;

/** Memory figures of a table. */
export interface PrefixTableStats extends ArenaStats {
  /** Blocks retired by copy-on-write and waiting for snapshots to be released. */
  retiredBlocks: number;
  /** Snapshots not yet released. */
  liveSnapshots: number;
}

/** The integer-valued prefix trie (see the module doc). */
export class PrefixTable extends PrefixTableReader {
  private readonly arena: Arena;
  private readonly controlBlock: Int32Array | null;
  private gen = 1;
  private newestSnapshot = 0;
  private readonly liveSnapshots: number[] = [];
  /** Triples (block size or 0 for a node, offset, generation retired in). */
  private retired: number[] = [];
  private retiredHead = 0;
  private registry: FinalizationRegistry<number> | null = null;
  private readonly sharedSlots = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private readonly path = new Int32Array(17);
  private reclaimListener: ((oldestLive: number) => void) | null = null;
  private readonly firstLevelFrom: number;
  private countV4 = 0;
  private countV6 = 0;
  private levelV4: FirstLevel | null = null;
  private levelV6: FirstLevel | null = null;

  /** Create an empty table; `{ shared: true }` puts it in shared memory for worker readers. */
  /**
   * Rebuild a table from {@link PrefixTable.toBytes} output. `source` (a file name) is
   * used in error messages.
   * @throws RibstoreError `FILE_ERROR` naming the source, the section and why (bad magic,
   *   unknown version, truncated, checksum mismatch, bad entry).
   */
  static fromBytes(bytes: Uint8Array, source = '<bytes>', options: PrefixTableOptions = {}): PrefixTable {
    const table = new PrefixTable(options);
    const count = decodeTableEntries(bytes, source, (family, w0, w1, w2, w3, length, value) => {
      table.setWords(family, w0, w1, w2, w3, length, value);
    });
    if (table.size !== count) throw new RibstoreError('FILE_ERROR', `${source}: section ENTS: duplicate prefixes (${count} entries, ${table.size} distinct)`);
    return table;
  }

  /** The table's prefixes and values as a checksummed snapshot container (src/store/FORMAT.md). */
  toBytes(): Uint8Array {
    return encodeTableEntries((sink) => this.forEachEntryWords(sink));
  }

  constructor(options: PrefixTableOptions = {}) {
    super(new Int32Array(0), 0, 0, 0);
    this.arena = new Arena(options);
    this.firstLevelFrom = options.firstLevelFrom ?? DEFAULT_FIRST_LEVEL_FROM;
    if (!(this.firstLevelFrom >= 0)) throw new RibstoreError('INVALID_ARGUMENT', `firstLevelFrom must be a count >= 0, got ${options.firstLevelFrom}`);
    this.controlBlock = options.shared ? new Int32Array(new SharedArrayBuffer(4 * (CONTROL_SLOTS + CONTROL_SLOT_COUNT))) : null;
    for (let i = CONTROL_SLOT_COUNT - 1; i >= 0; i--) this.freeSlots.push(i);
    this.makeRoots();
  }

  /** Whether the table lives in shared memory. */
  get shared(): boolean {
    return this.controlBlock !== null;
  }

  private makeRoots(): void {
    this.arena.reserve(2 * NODE_WORDS);
    this.words = this.arena.words;
    this.rootV4 = this.newNode();
    this.rootV6 = this.newNode();
    this.count = 0;
    this.countV4 = 0;
    this.countV6 = 0;
    this.levelV4 = this.levelV6 = null;
    this.firstV4 = this.firstV6 = null;
    this.syncFirstLevel(4);
    this.syncFirstLevel(6);
    this.publish();
  }

  /** Build the family's first level once it holds enough prefixes; drop it below half that. */
  private syncFirstLevel(family: Family): void {
    const count = family === 4 ? this.countV4 : this.countV6;
    const level = family === 4 ? this.levelV4 : this.levelV6;
    if (level === null && count >= this.firstLevelFrom) {
      const built = new FirstLevel(this.words, family === 4 ? this.rootV4 : this.rootV6);
      if (family === 4) [this.levelV4, this.firstV4] = [built, built.entries];
      else [this.levelV6, this.firstV6] = [built, built.entries];
    } else if (level !== null && count < this.firstLevelFrom / 2) {
      if (family === 4) [this.levelV4, this.firstV4] = [null, null];
      else [this.levelV6, this.firstV6] = [null, null];
    }
  }

  /** The root's child slot on the scratch key's path (what the first level's upkeep compares). */
  private keyRootSlot(): number {
    return childSlot(this.words, this.keyFamily === 4 ? this.rootV4 : this.rootV6, this.keyOctet(0));
  }

  /** After a write of the scratch key that changed `delta` prefixes: first level upkeep. */
  private afterWrite(slotBefore: number, delta: number): void {
    const family = this.keyFamily;
    if (family === 4) this.countV4 += delta;
    else this.countV6 += delta;
    const level = family === 4 ? this.levelV4 : this.levelV6;
    if (level !== null) {
      level.refreshAfterWrite(this.words, family === 4 ? this.rootV4 : this.rootV6, this.key[0]! >>> 16, this.keyLength, slotBefore);
    }
    this.syncFirstLevel(family);
  }

  private publish(): void {
    if (this.controlBlock !== null) {
      Atomics.store(this.controlBlock, CONTROL_ROOT_V4, this.rootV4);
      Atomics.store(this.controlBlock, CONTROL_ROOT_V6, this.rootV6);
    }
  }

  // ---------------------------------------------------------------- public writes

  /**
   * Store `value` (an integer 0..2^31-1) for `prefix`, replacing any value it had.
   * @throws RibstoreError `INVALID_PREFIX` for a bad prefix, `INVALID_ARGUMENT` for a bad value.
   */
  set(prefix: PrefixInput, value: number): this {
    checkValue(value);
    this.loadKey(prefix);
    this.insertKey(value);
    return this;
  }

  /** {@link PrefixTable.set} for a prefix in numeric words (host bits are masked). */
  setWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number, value: number): this {
    checkValue(value);
    checkLength(family, length);
    this.loadWords(family, w0, w1, w2, w3, length);
    this.insertKey(value);
    return this;
  }

  /**
   * {@link PrefixTable.setWords} that returns the value the prefix had before, or -1 if it
   * was not stored (one walk instead of a get and a set).
   */
  exchangeWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number, value: number): number {
    checkValue(value);
    checkLength(family, length);
    this.loadWords(family, w0, w1, w2, w3, length);
    return this.insertKey(value);
  }

  /** Remove `prefix`; returns whether it was stored. */
  delete(prefix: PrefixInput): boolean {
    this.loadKey(prefix);
    return this.deleteKey() >= 0;
  }

  /** {@link PrefixTable.delete} for a prefix in numeric words; returns the removed value or -1. */
  deleteWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): number {
    checkLength(family, length);
    this.loadWords(family, w0, w1, w2, w3, length);
    return this.deleteKey();
  }

  /** Value stored for exactly `prefix`, or undefined. */
  get(prefix: PrefixInput): number | undefined {
    return this.getValue(prefix);
  }

  /** Value of the longest stored prefix containing `address`, or undefined. */
  lookup(address: Parameters<PrefixTableReader['lookupValue']>[0]): number | undefined {
    return this.lookupValue(address);
  }

  /** Remove every prefix. Blocks a live snapshot can see are retired, the rest freed. */
  clear(): void {
    if (this.liveSnapshots.length === 0) {
      this.arena.reset();
      this.retired = [];
      this.retiredHead = 0;
    } else {
      this.words = this.arena.words;
      this.releaseSubtree(this.rootV4);
      this.releaseSubtree(this.rootV6);
    }
    this.makeRoots();
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * A read-only view of the table as it is now; later writes do not change it. O(1): it
   * pins the current generation, and writes copy what it can see. Release it when done
   * (`release()`, or `using`), else it pins memory until it is garbage collected.
   */
  snapshot(): PrefixTableSnapshot {
    const generation = this.gen;
    this.gen = generation + 1;
    this.liveSnapshots.push(generation);
    this.newestSnapshot = generation;
    const snapshot = new PrefixTableSnapshot(this, this.words, this.rootV4, this.rootV6, this.count, generation);
    if (this.registry === null) this.registry = new FinalizationRegistry((g: number) => this.releaseGeneration(g));
    this.registry.register(snapshot, generation, snapshot);
    return snapshot;
  }

  /** @internal Called by {@link PrefixTableSnapshot.release}. */
  releaseSnapshot(snapshot: PrefixTableSnapshot, generation: number): void {
    this.registry?.unregister(snapshot);
    this.releaseGeneration(generation);
  }

  /** @internal Give a snapshot a shared validity slot (see {@link PrefixTableSnapshot.share}). */
  shareSnapshot(generation: number, rootV4: number, rootV6: number, size: number): SharedSnapshotDescriptor {
    if (this.controlBlock === null || this.arena.sharedBuffer === null) {
      throw new RibstoreError('INVALID_ARGUMENT', 'only a table created with { shared: true } can share snapshots');
    }
    let slot = this.sharedSlots.get(generation);
    if (slot === undefined) {
      slot = this.freeSlots.pop();
      if (slot === undefined) {
        throw new RibstoreError('LIMIT_EXCEEDED', `more than ${CONTROL_SLOT_COUNT} shared snapshots are live; release some`);
      }
      this.sharedSlots.set(generation, slot);
      Atomics.store(this.controlBlock, CONTROL_SLOTS + slot, generation);
    }
    return {
      arena: this.arena.sharedBuffer,
      control: this.controlBlock.buffer as SharedArrayBuffer,
      rootV4,
      rootV6,
      size,
      generation,
      slot,
    };
  }

  private releaseGeneration(generation: number): void {
    const at = this.liveSnapshots.indexOf(generation);
    if (at < 0) return;
    this.liveSnapshots.splice(at, 1);
    this.newestSnapshot = this.liveSnapshots.length === 0 ? 0 : this.liveSnapshots[this.liveSnapshots.length - 1]!;
    const slot = this.sharedSlots.get(generation);
    if (slot !== undefined && this.controlBlock !== null) {
      Atomics.store(this.controlBlock, CONTROL_SLOTS + slot, 0);
      this.sharedSlots.delete(generation);
      this.freeSlots.push(slot);
    }
    this.reclaim();
  }

  /** Free retired blocks that no live snapshot can reach. */
  private reclaim(): void {
    const oldest = this.liveSnapshots.length === 0 ? Number.MAX_SAFE_INTEGER : this.liveSnapshots[0]!;
    this.words = this.arena.words;
    const r = this.retired;
    let head = this.retiredHead;
    while (head < r.length && r[head + 2]! <= oldest) {
      const size = r[head]!;
      if (size === 0) this.freeNode(r[head + 1]!);
      else this.arena.free(r[head + 1]!, size);
      head += 3;
    }
    if (head === r.length) {
      this.retired = [];
      head = 0;
    } else if (head > 3 * 1024 && head * 2 > r.length) {
      this.retired = r.slice(head);
      head = 0;
    }
    this.retiredHead = head;
    this.reclaimListener?.(oldest);
  }

  /** @internal Whether any snapshot is live (PrefixMap then keeps replaced values around). */
  get hasLiveSnapshots(): boolean {
    return this.liveSnapshots.length !== 0;
  }

  /** @internal The generation writes happen in now. */
  get writeGeneration(): number {
    return this.gen;
  }

  /** @internal Called after each reclaim with the oldest live snapshot generation (MAX_SAFE_INTEGER if none). */
  onReclaim(listener: (oldestLive: number) => void): void {
    this.reclaimListener = listener;
  }

  /**
   * Give back the arena's growth slack (after a bulk load, say): the buffer shrinks to what
   * is allocated. The next insert that needs room grows it again. Returns the bytes freed.
   * Tables in shared memory cannot shrink and return 0.
   */
  trim(): number {
    const freed = this.arena.trim();
    this.words = this.arena.words;
    return freed;
  }

  /** Memory figures: arena bytes, live and free words, blocks waiting for snapshots. */
  stats(): PrefixTableStats {
    return {
      ...this.arena.stats(),
      retiredBlocks: (this.retired.length - this.retiredHead) / 3,
      liveSnapshots: this.liveSnapshots.length,
    };
  }

  // ---------------------------------------------------------------- write internals

  private newNode(): number {
    const a = this.words;
    const node = this.arena.allocLine();
    a.fill(0, node, node + NODE_WORDS);
    a[node + NODE_GEN] = this.gen;
    return node;
  }

  /** The scratch key as a new leaf holding `value`. */
  private newLeaf(value: number): number {
    const a = this.words;
    const k = this.key;
    const v6 = this.keyFamily === 6;
    const leaf = this.arena.alloc(v6 ? LEAF_WORDS_V6 : LEAF_WORDS_V4);
    a[leaf + LEAF_META] = this.keyLength | (v6 ? LEAF_V6 : 0);
    a[leaf + LEAF_VALUE] = value;
    a[leaf + LEAF_GEN] = this.gen;
    a[leaf + LEAF_KEY] = k[0]!;
    if (v6) {
      a[leaf + LEAF_KEY + 1] = k[1]!;
      a[leaf + LEAF_KEY + 2] = k[2]!;
      a[leaf + LEAF_KEY + 3] = k[3]!;
    }
    return leaf;
  }

  /** `node` itself if no live snapshot can see it, else a private copy (the original is retired). */
  private writable(node: number): number {
    const a = this.words;
    if (a[node + NODE_GEN]! > this.newestSnapshot) return node;
    const copy = this.arena.allocLine();
    a.copyWithin(copy, node, node + NODE_WORDS);
    a[copy + NODE_GEN] = this.gen;
    const prefixes = a[node + PREFIX_COUNT]!;
    if (prefixes !== 0) {
      const array = this.arena.alloc(capacityFor(prefixes));
      a.copyWithin(array, a[node + PREFIX_ARRAY]!, a[node + PREFIX_ARRAY]! + prefixes);
      a[copy + PREFIX_ARRAY] = array;
    }
    const children = a[node + CHILD_COUNT]!;
    if (children !== 0) {
      const array = this.arena.alloc(capacityFor(children));
      a.copyWithin(array, a[node + CHILD_ARRAY]!, a[node + CHILD_ARRAY]! + children);
      a[copy + CHILD_ARRAY] = array;
    }
    this.retired.push(0, node, this.gen);
    return copy;
  }

  private writableRoot(family: Family): number {
    const root = family === 4 ? this.rootV4 : this.rootV6;
    const node = this.writable(root);
    if (family === 4) this.rootV4 = node;
    else this.rootV6 = node;
    return node;
  }

  /** Free a node and its arrays now, or retire it if a live snapshot can see it. */
  private releaseNode(node: number): void {
    if (this.words[node + NODE_GEN]! <= this.newestSnapshot) this.retired.push(0, node, this.gen);
    else this.freeNode(node);
  }

  private freeNode(node: number): void {
    const a = this.words;
    const prefixes = a[node + PREFIX_COUNT]!;
    if (prefixes !== 0) this.arena.free(a[node + PREFIX_ARRAY]!, capacityFor(prefixes));
    const children = a[node + CHILD_COUNT]!;
    if (children !== 0) this.arena.free(a[node + CHILD_ARRAY]!, capacityFor(children));
    this.arena.freeLine(node);
  }

  private releaseLeaf(leaf: number): void {
    const a = this.words;
    const size = (a[leaf + LEAF_META]! & LEAF_V6) !== 0 ? LEAF_WORDS_V6 : LEAF_WORDS_V4;
    if (a[leaf + LEAF_GEN]! <= this.newestSnapshot) this.retired.push(size, leaf, this.gen);
    else this.arena.free(leaf, size);
  }

  private releaseSubtree(node: number): void {
    const a = this.words;
    const children = a[node + CHILD_COUNT]!;
    for (let i = 0; i < children; i++) {
      const slot = a[a[node + CHILD_ARRAY]! + i]!;
      if (slot > 0) this.releaseSubtree(slot);
      else this.releaseLeaf(-slot);
    }
    this.releaseNode(node);
  }

  /** Insert `value` at position `pos` of the compact array of `node` at (arrayField, countField). */
  private arrayInsert(node: number, arrayField: number, countField: number, pos: number, value: number): void {
    const a = this.words;
    const n = a[node + countField]!;
    const old = a[node + arrayField]!;
    const oldCapacity = capacityFor(n);
    const newCapacity = capacityFor(n + 1);
    if (oldCapacity === newCapacity) {
      for (let i = n; i > pos; i--) a[old + i] = a[old + i - 1]!;
      a[old + pos] = value;
    } else {
      const array = this.arena.alloc(newCapacity);
      for (let i = 0; i < pos; i++) a[array + i] = a[old + i]!;
      a[array + pos] = value;
      for (let i = pos; i < n; i++) a[array + i + 1] = a[old + i]!;
      if (oldCapacity !== 0) this.arena.free(old, oldCapacity);
      a[node + arrayField] = array;
    }
    a[node + countField] = n + 1;
  }

  /** Remove position `pos` of the compact array of `node`, moving to a smaller block at a class boundary. */
  private arrayRemove(node: number, arrayField: number, countField: number, pos: number): void {
    const a = this.words;
    const n = a[node + countField]!;
    const old = a[node + arrayField]!;
    const oldCapacity = capacityFor(n);
    const newCapacity = capacityFor(n - 1);
    if (oldCapacity === newCapacity) {
      for (let i = pos; i < n - 1; i++) a[old + i] = a[old + i + 1]!;
    } else {
      let array = 0;
      if (newCapacity !== 0) {
        array = this.arena.alloc(newCapacity);
        for (let i = 0; i < pos; i++) a[array + i] = a[old + i]!;
        for (let i = pos + 1; i < n; i++) a[array + i - 1] = a[old + i]!;
      }
      this.arena.free(old, oldCapacity);
      a[node + arrayField] = array;
    }
    a[node + countField] = n - 1;
  }

  /** Set ART `index` of `node` to `value`; returns the value it replaced, or -1 if it is new. */
  private putPrefix(node: number, index: number, value: number): number {
    const a = this.words;
    const w = node + PREFIX_BITS + (index >> 5);
    const bit = 1 << (index & 31);
    if ((a[w]! & bit) !== 0) {
      const at = a[node + PREFIX_ARRAY]! + prefixRank(a, node, index);
      const previous = a[at]!;
      a[at] = value;
      return previous;
    }
    this.arrayInsert(node, PREFIX_ARRAY, PREFIX_COUNT, prefixRank(a, node, index), value);
    a[w]! |= bit;
    adjustPrefixRanks(a, node, index, 1);
    return -1;
  }

  private insertChild(node: number, octet: number, ref: number): void {
    const a = this.words;
    this.arrayInsert(node, CHILD_ARRAY, CHILD_COUNT, childRank(a, node, octet), ref);
    a[node + CHILD_BITS + (octet >> 5)]! |= 1 << (octet & 31);
    adjustChildRanks(a, node, octet, 1);
  }

  private removeChild(node: number, octet: number): void {
    const a = this.words;
    this.arrayRemove(node, CHILD_ARRAY, CHILD_COUNT, childRank(a, node, octet));
    a[node + CHILD_BITS + (octet >> 5)]! &= ~(1 << (octet & 31));
    adjustChildRanks(a, node, octet, -1);
  }

  private childSlotAddress(node: number, octet: number): number {
    const a = this.words;
    return a[node + CHILD_ARRAY]! + childRank(a, node, octet);
  }

  /** Store `value` for the scratch key; returns the previous value or -1. */
  private insertKey(value: number): number {
    this.arena.reserve(RESERVE_WORDS);
    const a = (this.words = this.arena.words);
    const length = this.keyLength;
    const home = homeDepth(length);
    const slotBefore = this.keyRootSlot();
    let node = this.writableRoot(this.keyFamily);
    let previous = -1;
    for (let depth = 0; ; depth++) {
      const o = this.keyOctet(depth);
      if (depth === home) {
        previous = this.putPrefix(node, artIndex(o, length - 8 * depth), value);
        if (previous < 0) this.count++;
        break;
      }
      if (((a[node + CHILD_BITS + (o >> 5)]! >>> (o & 31)) & 1) === 0) {
        this.insertChild(node, o, -this.newLeaf(value));
        this.count++;
        break;
      }
      const at = this.childSlotAddress(node, o);
      const slot = a[at]!;
      if (slot > 0) {
        const child = this.writable(slot);
        a[at] = child;
        node = child;
        continue;
      }
      const leaf = -slot;
      if (this.leafIsKey(leaf)) {
        previous = a[leaf + LEAF_VALUE]!;
        if (a[leaf + LEAF_GEN]! > this.newestSnapshot) {
          a[leaf + LEAF_VALUE] = value;
        } else {
          a[at] = -this.newLeaf(value);
          this.releaseLeaf(leaf);
        }
        break;
      }
      // Another prefix shares this slot: push the leaf down into a new node and go on.
      const split = this.newNode();
      this.pushDownLeaf(split, depth + 1, leaf);
      a[at] = split;
      node = split;
    }
    this.afterWrite(slotBefore, previous < 0 ? 1 : 0);
    this.publish();
    return previous;
  }

  /** Place `leaf` into the fresh node `node` at `depth`: as a prefix if it is at home there, else as a child. */
  private pushDownLeaf(node: number, depth: number, leaf: number): void {
    const a = this.words;
    const length = a[leaf + LEAF_META]! & 255;
    const o = (a[leaf + LEAF_KEY + (depth >> 2)]! >>> (24 - ((depth & 3) << 3))) & 255;
    if (homeDepth(length) === depth) {
      this.putPrefix(node, artIndex(o, length - 8 * depth), a[leaf + LEAF_VALUE]!);
      this.releaseLeaf(leaf);
    } else {
      this.insertChild(node, o, -leaf);
    }
  }

  /** Remove the scratch key; returns its value, or -1 if it was not stored. */
  private deleteKey(): number {
    // With a live snapshot the walk below copies nodes, so only start it for a stored key.
    // Without one the walk changes nothing until it has found the key.
    if (this.liveSnapshots.length !== 0 && this.findKey() === 0) return -1;
    this.arena.reserve(RESERVE_WORDS);
    const a = (this.words = this.arena.words);
    const length = this.keyLength;
    const home = homeDepth(length);
    const slotBefore = this.keyRootSlot();
    const path = this.path;
    let node = this.writableRoot(this.keyFamily);
    path[0] = node;
    let depth = 0;
    let removed: number;
    for (; ; depth++) {
      const o = this.keyOctet(depth);
      if (depth === home) {
        const index = artIndex(o, length - 8 * depth);
        const w = node + PREFIX_BITS + (index >> 5);
        if ((a[w]! & (1 << (index & 31))) === 0) return -1;
        const at = prefixRank(a, node, index);
        removed = a[a[node + PREFIX_ARRAY]! + at]!;
        this.arrayRemove(node, PREFIX_ARRAY, PREFIX_COUNT, at);
        a[w]! &= ~(1 << (index & 31));
        adjustPrefixRanks(a, node, index, -1);
        break;
      }
      if (((a[node + CHILD_BITS + (o >> 5)]! >>> (o & 31)) & 1) === 0) return -1;
      const at = this.childSlotAddress(node, o);
      const slot = a[at]!;
      if (slot > 0) {
        node = this.writable(slot);
        a[at] = node;
        path[depth + 1] = node;
        continue;
      }
      if (!this.leafIsKey(-slot)) return -1;
      removed = a[-slot + LEAF_VALUE]!;
      this.removeChild(node, o);
      this.releaseLeaf(-slot);
      break;
    }
    this.count--;
    this.collapse(depth);
    this.afterWrite(slotBefore, -1);
    this.publish();
    return removed;
  }

  /** Restore the structure invariants bottom up along the scratch key's path from `depth`. */
  private collapse(depth: number): void {
    const a = this.words;
    const path = this.path;
    for (let d = depth; d >= 1; d--) {
      const node = path[d]!;
      const parent = path[d - 1]!;
      const o = this.keyOctet(d - 1);
      const prefixes = a[node + PREFIX_COUNT]!;
      const children = a[node + CHILD_COUNT]!;
      if (prefixes + children === 0) {
        this.removeChild(parent, o);
        this.releaseNode(node);
        continue;
      }
      if (children === 0 && prefixes === 1) {
        const index = nextSetBit(a, node + PREFIX_BITS, 16, 0);
        const leaf = this.leafFromNodePrefix(node, d, index);
        a[this.childSlotAddress(parent, o)] = -leaf;
        this.releaseNode(node);
        continue;
      }
      if (prefixes === 0 && children === 1) {
        const only = a[a[node + CHILD_ARRAY]!]!;
        if (only < 0) {
          a[this.childSlotAddress(parent, o)] = only;
          this.releaseNode(node);
          continue;
        }
      }
      break;
    }
  }

  /** A new leaf for the prefix at ART `index` of `node` (depth `depth` on the scratch key's path). */
  private leafFromNodePrefix(node: number, depth: number, index: number): number {
    const a = this.words;
    const v6 = this.keyFamily === 6;
    const leaf = this.arena.alloc(v6 ? LEAF_WORDS_V6 : LEAF_WORDS_V4);
    const length = 8 * depth + artLength(index);
    const k = this.key;
    const wordIndex = depth >> 2;
    const octetBits = artOctet(index) << (24 - ((depth & 3) << 3));
    a[leaf + LEAF_META] = length | (v6 ? LEAF_V6 : 0);
    a[leaf + LEAF_VALUE] = a[a[node + PREFIX_ARRAY]!]!;
    a[leaf + LEAF_GEN] = this.gen;
    for (let i = 0; i < (v6 ? 4 : 1); i++) {
      let w = k[i]! & topBits(8 * depth - 32 * i);
      if (i === wordIndex) w |= octetBits;
      a[leaf + LEAF_KEY + i] = w;
    }
    return leaf;
  }
}

/**
 * A read-only view of a {@link PrefixTable} at one moment (see {@link PrefixTable.snapshot}).
 * Writes to the table do not change it. Release it when done; reading a released snapshot
 * throws.
 */
export class PrefixTableSnapshot extends PrefixTableReader {
  private readonly table: PrefixTable;
  /** The generation this snapshot pins. */
  readonly generation: number;

  /** @internal Made by {@link PrefixTable.snapshot}. */
  constructor(table: PrefixTable, words: Int32Array, rootV4: number, rootV6: number, count: number, generation: number) {
    super(words, rootV4, rootV6, count);
    this.table = table;
    this.generation = generation;
  }

  /** Let the table reclaim what only this snapshot could see. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.table.releaseSnapshot(this, this.generation);
  }

  /** Same as {@link PrefixTableSnapshot.release}, for `using`. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * A descriptor to post to a worker thread, which rebuilds the view with
   * {@link PrefixTableReader.fromShared}. Only for tables created with `{ shared: true }`.
   * Keep this snapshot unreleased while workers read it.
   */
  share(): SharedSnapshotDescriptor {
    this.checkLive();
    return this.table.shareSnapshot(this.generation, this.rootV4, this.rootV6, this.count);
  }
}

function checkValue(value: number): void {
  if ((value | 0) !== value || value < 0) {
    throw new RibstoreError('INVALID_ARGUMENT', `prefix table value ${value} is not an integer from 0 to ${MAX_TABLE_VALUE}`);
  }
}

function checkLength(family: Family, length: number): void {
  const max = family === 4 ? 32 : 128;
  if ((family !== 4 && family !== 6) || (length | 0) !== length || length < 0 || length > max) {
    throw new RibstoreError('INVALID_PREFIX', `invalid IPv${family} prefix length ${length}: expected 0 to ${max}`);
  }
}
