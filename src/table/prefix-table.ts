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
import type { ArenaOptions, ArenaStats } from './arena.js';
import { SortedEntries, TrieBuilder } from './bulk-build.js';
import { CompiledLevel } from './compiled-level.js';
import { CompiledV6 } from './compiled-v6.js';
import { DEFAULT_FIRST_LEVEL_FROM, FirstLevel } from './first-level.js';
import { MAX_TABLE_VALUE, NODE_WORDS } from './layout.js';
import type { PrefixTableReader } from './prefix-table-reader.js';
import { PrefixTableSnapshot } from './prefix-table-snapshot.js';
import { type EntrySource, decodeTableEntries, encodeTableEntries } from './serialise.js';
import { CONTROL_ROOT_V4, CONTROL_ROOT_V6, CONTROL_SLOTS, CONTROL_SLOT_COUNT, type SharedLiveTableDescriptor, type SharedSnapshotDescriptor } from './shared-control.js';
import { TrieWriter } from './trie-writer.js';

export { PrefixTableSnapshot } from './prefix-table-snapshot.js';

/** Options for a {@link PrefixTable}. */
export interface PrefixTableOptions extends ArenaOptions {
  /**
   * Prefixes a family (IPv4 or IPv6) must hold before the table keeps a direct-indexed first
   * level for it (512 KiB that spares lookups the top two trie levels; first-level.ts). Default
   * 16 384; 0 keeps one from the start. Dropped again below half the threshold.
   */
  firstLevelFrom?: number;
  /**
   * Whether the first levels keep compiled blocks. IPv4: leaf-pushed blocks per /16
   * (compiled-level.ts: a /24 answered in two reads after the first level; a few MiB at the full
   * table, built lazily per /16 on lookup, all at once by `trim()`; a bulk build leaves them
   * stale). IPv6: one block per trie node from depth 2 down, linked to its children's blocks
   * (compiled-v6.ts: one block read per level; built lazily per node on lookup, marked dirty
   * along the written prefix's path by each write). Default true.
   */
  compiled?: boolean;
}

/** Memory figures of a table. */
export interface PrefixTableStats extends ArenaStats {
  /** Blocks retired by copy-on-write and waiting for snapshots to be released. */
  retiredBlocks: number;
  /** Snapshots not yet released. */
  liveSnapshots: number;
  /** Bytes of the compiled IPv4 blocks (slot table and block buffer; 0 without them). */
  compiledBytes: number;
  /** Words of compiled blocks in use. */
  compiledLiveWords: number;
  /** Bytes of the compiled IPv6 blocks (compiled-v6.ts: slot table and block buffer; 0 without them). */
  compiledV6Bytes: number;
  /** Words of compiled IPv6 blocks in use. */
  compiledV6LiveWords: number;
}

/** The integer-valued prefix trie (see the module doc). */
export class PrefixTable extends TrieWriter {
  private readonly controlBlock: Int32Array | null;
  private registry: FinalizationRegistry<number> | null = null;
  private readonly sharedSlots = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private reclaimListener: ((oldestLive: number) => void) | null = null;
  private readonly firstLevelFrom: number;
  private readonly compiledOn: boolean;
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
    const entries = new SortedEntries();
    const count = decodeTableEntries(bytes, source, entries.add);
    const table = new PrefixTable(options);
    // toBytes writes sorted entries, so a file loads by the bulk build; anything else (a file
    // not written by toBytes) still loads by inserting one by one, duplicates refused.
    if (entries.firstDisorder < 0) return table.loadSorted(entries);
    entries.forEach((family, w0, w1, w2, w3, length, value) => table.setWords(family, w0, w1, w2, w3, length, value));
    if (table.size !== count) throw new RibstoreError('FILE_ERROR', `${source}: section ENTS: duplicate prefixes (${count} entries, ${table.size} distinct)`);
    return table;
  }

  /**
   * Build a table from entries in sorted order (the order of {@link PrefixTableReader.entries}:
   * each family by network, then length; IPv4 and IPv6 may come in either order), much faster
   * than inserting them one by one (bulk-build.ts). `source` calls its argument once per entry
   * with the family, the network words (host bits are masked), the length and the value.
   * Meant for MRT loads and snapshot restores, whose entries come sorted.
   * @throws RibstoreError `INVALID_ARGUMENT` for entries out of order or repeated (use
   *   {@link PrefixTable.set} for unsorted input) or a bad value, `INVALID_PREFIX` for a bad
   *   family or length.
   */
  static fromSorted(source: EntrySource<number>, options: PrefixTableOptions = {}): PrefixTable {
    const entries = new SortedEntries();
    source(entries.add);
    return new PrefixTable(options).loadSorted(entries, 'fromSorted');
  }

  /**
   * @internal Fill this empty table (no live snapshot) from collected entries by the bulk build.
   * @throws RibstoreError `INVALID_ARGUMENT` if the entries are not sorted or the table is not empty.
   */
  loadSorted(entries: SortedEntries, caller = 'loadSorted'): this {
    if (entries.firstDisorder >= 0) {
      const why = entries.disorderIsDuplicate ? 'repeats the prefix before it' : 'comes before the previous entry of its family';
      throw new RibstoreError(
        'INVALID_ARGUMENT',
        `${caller}: entry ${entries.firstDisorder} ${why}; entries must be sorted by network, then length, each prefix once (use set() for unsorted input)`,
      );
    }
    if (this.count !== 0 || this.liveSnapshots.length !== 0) {
      throw new RibstoreError('INVALID_ARGUMENT', `${caller}: the table must be empty, with no live snapshot`);
    }
    this.arena.freeLine(this.rootV4);
    this.arena.freeLine(this.rootV6);
    const builder = new TrieBuilder(this.arena, this.gen);
    this.rootV4 = builder.build(entries.v4);
    this.rootV6 = builder.build(entries.v6);
    this.words = this.arena.words;
    this.count = entries.size;
    this.countV4 = entries.v4.count;
    this.countV6 = entries.v6.count;
    this.levelV4 = this.levelV6 = null;
    this.firstV4 = this.firstV6 = null;
    this.compiledV4 = this.compiledV6 = null;
    this.syncFirstLevel(4);
    this.syncFirstLevel(6);
    // The compiled IPv4 blocks start stale: each compiles on the first lookup that reaches it
    // (or all at once in trim()), so a bulk build does not pay for /16s nobody looks up.
    this.publish();
    return this;
  }

  /** The table's prefixes and values as a checksummed snapshot container (src/store/FORMAT.md). */
  toBytes(): Uint8Array {
    return encodeTableEntries((sink) => this.forEachEntryWords(sink));
  }

  constructor(options: PrefixTableOptions = {}) {
    super(options);
    this.firstLevelFrom = options.firstLevelFrom ?? DEFAULT_FIRST_LEVEL_FROM;
    if (!(this.firstLevelFrom >= 0)) throw new RibstoreError('INVALID_ARGUMENT', `firstLevelFrom must be a count >= 0, got ${options.firstLevelFrom}`);
    this.compiledOn = options.compiled ?? true;
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
    this.compiledV4 = this.compiledV6 = null;
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
      if (family === 4) {
        [this.levelV4, this.firstV4] = [built, built.entries];
        if (this.compiledOn) this.compiledV4 = built.compiled = new CompiledLevel();
      } else {
        [this.levelV6, this.firstV6] = [built, built.entries];
        if (this.compiledOn) this.compiledV6 = built.compiled = new CompiledV6(built.entries);
      }
    } else if (level !== null && count < this.firstLevelFrom / 2) {
      if (family === 4) [this.levelV4, this.firstV4, this.compiledV4] = [null, null, null];
      else [this.levelV6, this.firstV6, this.compiledV6] = [null, null, null];
    }
  }

  /** After a write of the scratch key that changed `delta` prefixes: first level upkeep. */
  protected afterWrite(slotBefore: number, delta: number): void {
    const family = this.keyFamily;
    if (family === 4) this.countV4 += delta;
    else this.countV6 += delta;
    const level = family === 4 ? this.levelV4 : this.levelV6;
    if (level !== null) {
      level.refreshAfterWrite(this.words, family === 4 ? this.rootV4 : this.rootV6, this.key[0]! >>> 16, this.keyLength, slotBefore);
      if (family === 6 && this.compiledV6 !== null && this.keyLength > 16) this.compiledV6.touch(this.words, this.key, this.keyLength);
    }
    this.syncFirstLevel(family);
  }

  /** After a write that started below the first level and left its slots as they were (trie-writer.ts, `startBelow`). */
  protected afterWriteBelow(delta: number): void {
    const family = this.keyFamily;
    if (family === 4) {
      this.countV4 += delta;
      if (this.compiledV4 !== null) this.compiledV4.invalidate(this.key[0]! >>> 16);
    } else {
      this.countV6 += delta;
      if (this.compiledV6 !== null) this.compiledV6.touch(this.words, this.key, this.keyLength);
    }
    if (delta < 0) this.syncFirstLevel(family);
  }

  /** A freed node's offset can come back as another node: a compiled IPv6 block naming it is recompiled whole. */
  protected override freeNode(node: number): void {
    super.freeNode(node);
    if (this.compiledV6 !== null) this.compiledV6.forget(node);
  }

  protected publish(): void {
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

  /**
   * Share the live table (not a snapshot) with worker threads: see
   * {@link PrefixTableReader.fromLive} for what the reader must check. Only for tables
   * created with `{ shared: true }`.
   */
  shareLive(): SharedLiveTableDescriptor {
    if (this.controlBlock === null || this.arena.sharedBuffer === null) {
      throw new RibstoreError('INVALID_ARGUMENT', 'only a table created with { shared: true } can be shared');
    }
    return { arena: this.arena.sharedBuffer, control: this.controlBlock.buffer as SharedArrayBuffer };
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
    this.compileAll();
    return freed;
  }

  /** Compile every stale IPv4 block now (compiled-level.ts) instead of on the lookups that reach them. */
  private compileAll(): void {
    if (this.compiledV4 !== null && this.firstV4 !== null) this.compiledV4.compileAll(this.words, this.firstV4);
  }

  /** Memory figures: arena bytes, live and free words, blocks waiting for snapshots. */
  stats(): PrefixTableStats {
    return {
      ...this.arena.stats(),
      retiredBlocks: (this.retired.length - this.retiredHead) / 3,
      liveSnapshots: this.liveSnapshots.length,
      compiledBytes: this.compiledV4 === null ? 0 : this.compiledV4.bytes,
      compiledLiveWords: this.compiledV4 === null ? 0 : this.compiledV4.liveWords,
      compiledV6Bytes: this.compiledV6 === null ? 0 : this.compiledV6.bytes,
      compiledV6LiveWords: this.compiledV6 === null ? 0 : this.compiledV6.liveWords,
    };
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
