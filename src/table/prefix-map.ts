/**
 * PrefixMap<V>: a Map-like IP prefix table (IPv4 and IPv6 in one map) with values of any type.
 *
 * It is a {@link PrefixTable} whose int32 value words are either the value itself (an integer
 * in [0, 2^30): inline, no side storage) or a handle into a side array of `V` (map-value.ts
 * is the one home of that encoding):
 *
 * ```
 *   trie (typed arrays)                         values: V[]
 *   10.0.0.0/8   -> 2^30 + 0 (handle 0) ---->   [0] "a"
 *   10.1.0.0/16  -> 2^30 + 1 (handle 1) ---->   [1] "b"
 *   10.2.0.0/16  -> 65001 (inline)              [2] (free: on the free-handle list)
 * ```
 *
 * A set of another value allocates a handle and stores it; the replaced or deleted handle is
 * freed at once when no snapshot is live, otherwise it is retired with the table's write
 * generation and freed when the table reclaims that generation, so a snapshot never sees a
 * handle reused. Inline values have nothing to free or retire.
 *
 * Prefixes go in as strings or {@link Prefix} objects and come out as canonical strings.
 */
import { RibstoreError } from '../errors.js';
import type { Address, Family } from '../ip/address.js';
import { type PrefixInput, toPrefix } from '../ip/prefix.js';
import { PrefixTable, type PrefixTableOptions, type PrefixTableSnapshot, type PrefixTableStats } from './prefix-table.js';
import type { PrefixTableReader, SharedSnapshotDescriptor } from './prefix-table-reader.js';
import { SortedEntries } from './bulk-build.js';
import { type EntrySource, type ValueCodec, decodeMapEntries, encodeMapEntries, jsonValueCodec } from './serialise.js';
import { INLINE_LIMIT, MAX_HANDLE, handleWord, isInlineValue, mapValue, wordHandle } from './map-value.js';

/** Options for a {@link PrefixMap}: see {@link PrefixTableOptions}. */
export type PrefixMapOptions = PrefixTableOptions;

/** The read operations shared by a {@link PrefixMap} and its {@link PrefixMapSnapshot}s. */
export abstract class PrefixMapView<V> {
  /** @internal The trie (the live table or a snapshot of it). */
  protected readonly reader: PrefixTableReader;
  /** @internal Values by handle (values not stored inline, see map-value.ts). */
  protected readonly store: (V | undefined)[];

  /** @internal */
  protected constructor(reader: PrefixTableReader, store: (V | undefined)[]) {
    this.reader = reader;
    this.store = store;
  }

  /** Number of prefixes stored. */
  get size(): number {
    return this.reader.size;
  }

  /** Value stored for exactly `prefix`, or undefined. */
  get(prefix: PrefixInput): V | undefined {
    const word = this.reader.getValue(prefix);
    return word === undefined ? undefined : mapValue(word, this.store);
  }

  /** Whether exactly `prefix` is stored. */
  has(prefix: PrefixInput): boolean {
    return this.reader.has(prefix);
  }

  /** Value of the longest stored prefix containing `address` (text or {@link Address}), or undefined. */
  lookup(address: string | Address): V | undefined {
    const word = this.reader.lookupValue(address);
    return word === undefined ? undefined : mapValue(word, this.store);
  }

  /** `[prefix, value]` of the longest stored prefix containing `address`, or undefined. */
  lookupEntry(address: string | Address): [string, V] | undefined {
    const entry = this.reader.lookupEntryValue(address);
    return entry === undefined ? undefined : [entry[0], mapValue(entry[1], this.store) as V];
  }

  /** `[prefix, value]` of the longest stored prefix equal to or covering `prefix`, or undefined. */
  lookupPrefix(prefix: PrefixInput): [string, V] | undefined {
    const entry = this.reader.lookupPrefixEntry(prefix);
    return entry === undefined ? undefined : [entry[0], mapValue(entry[1], this.store) as V];
  }

  /** Stored prefixes equal to or covering `prefix`, shortest first. */
  *supernets(prefix: PrefixInput): IterableIterator<[string, V]> {
    for (const [key, word] of this.reader.supernets(prefix)) yield [key, mapValue(word, this.store) as V];
  }

  /** Stored prefixes equal to or inside `prefix`, in sorted order. */
  *subnets(prefix: PrefixInput): IterableIterator<[string, V]> {
    for (const [key, word] of this.reader.subnets(prefix)) yield [key, mapValue(word, this.store) as V];
  }

  /** Whether any stored prefix covers or lies inside `prefix`. */
  overlaps(prefix: PrefixInput): boolean {
    return this.reader.overlaps(prefix);
  }

  /** Every `[prefix, value]`: IPv4 before IPv6, then by network address, shorter first. */
  *entries(): IterableIterator<[string, V]> {
    for (const [key, word] of this.reader.entries()) yield [key, mapValue(word, this.store) as V];
  }

  /** Every stored prefix, in the order of {@link PrefixMapView.entries}. */
  keys(): IterableIterator<string> {
    return this.reader.keys();
  }

  /** Every value, in the order of {@link PrefixMapView.entries}. */
  *values(): IterableIterator<V> {
    for (const word of this.reader.values()) yield mapValue(word, this.store) as V;
  }

  /**
   * The map's prefixes and values as a checksummed snapshot container (src/store/FORMAT.md);
   * values go through `codec` (default: JSON).
   */
  toBytes(codec: ValueCodec<V> = jsonValueCodec as ValueCodec<V>): Uint8Array {
    const store = this.store;
    return encodeMapEntries((sink) => this.reader.forEachEntryWords((f, w0, w1, w2, w3, length, word) => sink(f, w0, w1, w2, w3, length, mapValue(word, store) as V)), codec);
  }

  /** Same as {@link PrefixMapView.entries}. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** Call `callback(value, prefix, view)` for every entry in sorted order. */
  forEach(callback: (value: V, prefix: string, view: this) => void): void {
    for (const [key, word] of this.reader.entries()) callback(mapValue(word, this.store) as V, key, this);
  }

  /** Value of the longest stored IPv4 prefix containing `address` (a uint32), or undefined. No strings. */
  lookupV4(address: number): V | undefined {
    return mapValue(this.reader.lookupV4(address), this.store);
  }

  /** Value of the longest stored IPv6 prefix containing `w0:w1:w2:w3` (four uint32 words), or undefined. */
  lookupV6(w0: number, w1: number, w2: number, w3: number): V | undefined {
    return mapValue(this.reader.lookupV6(w0, w1, w2, w3), this.store);
  }

  /**
   * Value word of the longest IPv4 match (-1 for none): the value itself when it is an
   * integer in [0, 2^30), else a handle; {@link PrefixMapView.valueOf} turns it into the value.
   */
  lookupHandleV4(address: number): number {
    return this.reader.lookupV4(address);
  }

  /** Value word of the longest IPv6 match (-1 for none); see {@link PrefixMapView.lookupHandleV4}. */
  lookupHandleV6(w0: number, w1: number, w2: number, w3: number): number {
    return this.reader.lookupV6(w0, w1, w2, w3);
  }

  /**
   * Batch IPv4 lookup: `out[i]` gets the value word of the longest match for
   * `addresses[i]`, or -1; read values with {@link PrefixMapView.valueOf}. Returns `out`.
   */
  lookupBatchV4(addresses: Uint32Array, out: Int32Array): Int32Array {
    return this.reader.lookupBatchV4(addresses, out);
  }

  /** Batch IPv6 lookup: four words per address in, one value word (or -1) per address out. */
  lookupBatchV6(addresses: Uint32Array, out: Int32Array): Int32Array {
    return this.reader.lookupBatchV6(addresses, out);
  }

  /** The value for a value word from a lookup on this map or view (undefined for -1). */
  valueOf(word: number): V | undefined {
    return mapValue(word, this.store);
  }
}

/**
 * A Map-like prefix table: `set`, `get`, `delete`, longest-prefix `lookup`, supernets,
 * subnets, sorted iteration, and O(1) {@link PrefixMap.snapshot}s. See the module doc.
 *
 * @example
 * ```ts
 * const routes = new PrefixMap<string>();
 * routes.set('10.0.0.0/8', 'core').set('10.1.0.0/16', 'edge');
 * routes.lookup('10.1.2.3'); // 'edge'
 * ```
 */
export class PrefixMap<V> extends PrefixMapView<V> {
  private readonly table: PrefixTable;
  private readonly freeHandles: number[] = [];
  /** Pairs (handle, generation retired in). */
  private retiredHandles: number[] = [];

  /** Create a map, optionally filled from `[prefix, value]` pairs. */
  constructor(entries?: Iterable<readonly [PrefixInput, V]> | null, options: PrefixMapOptions = {}) {
    const table = new PrefixTable(options);
    super(table, []);
    this.table = table;
    table.onReclaim((oldestLive) => this.reclaimHandles(oldestLive));
    if (entries) for (const [prefix, value] of entries) this.set(prefix, value);
  }

  /**
   * Rebuild a map from {@link PrefixMapView.toBytes} output, values through `codec`
   * (default: JSON). `source` (a file name) is used in error messages.
   * @throws RibstoreError `FILE_ERROR` naming the source, the section and why.
   */
  static fromBytes<V>(
    bytes: Uint8Array,
    source = '<bytes>',
    codec: ValueCodec<V> = jsonValueCodec as ValueCodec<V>,
    options: PrefixMapOptions = {},
  ): PrefixMap<V> {
    const map = new PrefixMap<V>(null, options);
    const entries = new SortedEntries();
    const store = map.store;
    const count = decodeMapEntries(bytes, source, codec, (family, w0, w1, w2, w3, length, value) => {
      entries.add(family, w0, w1, w2, w3, length, map.bulkWord(value));
    });
    // Files from toBytes are sorted and load by the bulk build; others by one-by-one inserts.
    if (entries.firstDisorder < 0) {
      map.table.loadSorted(entries);
      return map;
    }
    const values = store.slice();
    store.length = 0;
    entries.forEach((family, w0, w1, w2, w3, length, word) => map.setWords(family, w0, w1, w2, w3, length, mapValue(word, values) as V));
    if (map.size !== count) throw new RibstoreError('FILE_ERROR', `${source}: section ENTS: duplicate prefixes (${count} entries, ${map.size} distinct)`);
    return map;
  }

  /**
   * Build a map from entries in sorted order, much faster than one `set` per entry: see
   * {@link PrefixTable.fromSorted} for the order and the callback's arguments.
   * @throws RibstoreError `INVALID_ARGUMENT` for entries out of order or repeated,
   *   `INVALID_PREFIX` for a bad family or length.
   */
  static fromSorted<V>(source: EntrySource<V>, options: PrefixMapOptions = {}): PrefixMap<V> {
    const map = new PrefixMap<V>(null, options);
    const entries = new SortedEntries();
    source((family, w0, w1, w2, w3, length, value) => {
      entries.add(family, w0, w1, w2, w3, length, map.bulkWord(value));
    });
    map.table.loadSorted(entries, 'fromSorted');
    return map;
  }

  /** Store `value` for `prefix` (host bits masked), replacing any previous value. */
  set(prefix: PrefixInput, value: V): this {
    const p = toPrefix(prefix);
    return this.setWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length, value);
  }

  /** {@link PrefixMap.set} for a prefix in numeric words: no strings, no Prefix object. */
  setWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number, value: V): this {
    if (isInlineValue(value)) {
      const previous = this.table.exchangeWords(family, w0, w1, w2, w3, length, value);
      if (previous >= INLINE_LIMIT) this.releaseHandle(wordHandle(previous));
      return this;
    }
    const handle = this.takeHandle(value);
    let previous: number;
    try {
      previous = this.table.exchangeWords(family, w0, w1, w2, w3, length, handleWord(handle));
    } catch (error) {
      this.store[handle] = undefined;
      this.freeHandles.push(handle);
      throw error;
    }
    if (previous >= INLINE_LIMIT) this.releaseHandle(wordHandle(previous));
    return this;
  }

  /** Remove `prefix`; returns whether it was stored. */
  delete(prefix: PrefixInput): boolean {
    const p = toPrefix(prefix);
    return this.deleteWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length);
  }

  /** {@link PrefixMap.delete} for a prefix in numeric words. */
  deleteWords(family: Family, w0: number, w1: number, w2: number, w3: number, length: number): boolean {
    const word = this.table.deleteWords(family, w0, w1, w2, w3, length);
    if (word < 0) return false;
    if (word >= INLINE_LIMIT) this.releaseHandle(wordHandle(word));
    return true;
  }

  /** Remove every prefix. */
  clear(): void {
    if (!this.table.hasLiveSnapshots) {
      this.table.clear();
      this.store.length = 0;
      this.freeHandles.length = 0;
      this.retiredHandles = [];
      return;
    }
    for (const word of this.table.values()) if (word >= INLINE_LIMIT) this.releaseHandle(wordHandle(word));
    this.table.clear();
  }

  /**
   * A read-only view of the map as it is now, unaffected by later writes. O(1). Release it
   * when done (`release()` or `using`); a forgotten one is released when garbage collected.
   */
  snapshot(): PrefixMapSnapshot<V> {
    return new PrefixMapSnapshot(this.table.snapshot(), this.store);
  }

  /** Give back the table's growth slack (see {@link PrefixTable.trim}); returns the bytes freed. */
  trim(): number {
    return this.table.trim();
  }

  /** Memory figures of the underlying table (arena bytes, live/free words, retired blocks). */
  stats(): PrefixTableStats & { valueSlots: number; freeValueSlots: number } {
    return { ...this.table.stats(), valueSlots: this.store.length, freeValueSlots: this.freeHandles.length };
  }

  /** A fresh handle holding `value` (a free one first). */
  private takeHandle(value: V): number {
    const handle = this.freeHandles.length !== 0 ? this.freeHandles.pop()! : this.store.length;
    if (handle > MAX_HANDLE) throw new RibstoreError('INVALID_ARGUMENT', `PrefixMap holds ${MAX_HANDLE + 1} values that are not small integers, its most`);
    this.store[handle] = value;
    return handle;
  }

  /** The table word for `value` in a bulk build of an empty map: inline, or a new handle. */
  private bulkWord(value: V): number {
    return isInlineValue(value) ? value : handleWord(this.takeHandle(value));
  }

  private releaseHandle(handle: number): void {
    if (this.table.hasLiveSnapshots) {
      this.retiredHandles.push(handle, this.table.writeGeneration);
    } else {
      this.store[handle] = undefined;
      this.freeHandles.push(handle);
    }
  }

  private reclaimHandles(oldestLive: number): void {
    const r = this.retiredHandles;
    let i = 0;
    while (i < r.length && r[i + 1]! <= oldestLive) {
      this.store[r[i]!] = undefined;
      this.freeHandles.push(r[i]!);
      i += 2;
    }
    if (i !== 0) this.retiredHandles = r.slice(i);
  }
}

/** A read-only view of a {@link PrefixMap} at one moment. */
export class PrefixMapSnapshot<V> extends PrefixMapView<V> {
  private readonly snapshotTable: PrefixTableSnapshot;

  /** @internal Made by {@link PrefixMap.snapshot}. */
  constructor(snapshot: PrefixTableSnapshot, store: (V | undefined)[]) {
    super(snapshot, store);
    this.snapshotTable = snapshot;
  }

  /** Let the map reclaim what only this view could see. Reading afterwards throws. */
  release(): void {
    this.snapshotTable.release();
  }

  /** Same as {@link PrefixMapSnapshot.release}, for `using`. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * Descriptor for a worker thread (maps created with `{ shared: true }`): the worker reads
   * value words with {@link PrefixTableReader.fromShared}; a word below 2^30 is the value
   * itself (integer values, inline), others are handles whose values stay in this thread.
   */
  share(): SharedSnapshotDescriptor {
    return this.snapshotTable.share();
  }
}
