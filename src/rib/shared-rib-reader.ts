/**
 * SharedRibReader: the RIB's queries in a worker thread, straight from the writer's shared
 * memory, without locks (DESIGN-threads.md).
 *
 * ```
 *  writer thread:  rib.share() ──postMessage(d, [d.port])──►  worker: SharedRibReader.open(d)
 *                                                              reader.lookup('192.0.2.1')
 * ```
 *
 * It is a {@link RibReader} over mappings of the writer's structures, so answers are shaped by
 * the same code as in the writer's thread. Each query runs as an *attempt*: load the
 * structure version (retry while a structure section is open), run the query while
 * {@link RibReader.touch} records the version of each slot before it is read, then check that
 * the structure version, the growth counter and every recorded slot version are unchanged.
 * A failed check, or an exception in an attempt that fails the check, means "run it again";
 * the answer of a checked attempt is one version of the RIB. The writer never waits; the
 * reader retries while the writer changes what it reads, up to `timeoutMs`.
 *
 * Status queries (routers, peers, stats, origins) and the numeric entry handles are not
 * available here: router and peer state is not mirrored, and a scan of every slot would
 * rarely validate under churn.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { RibstoreError } from '../errors.js';
import type { Address } from '../ip/address.js';
import type { PrefixInput } from '../ip/prefix.js';
import { PrefixTableReader } from '../table/prefix-table-reader.js';
import type { SharedLiveTableDescriptor } from '../table/shared-control.js';
import { AttributePool } from './attribute-pool.js';
import { PeerRegistry } from './peer-registry.js';
import { RibReader, type OriginPrefixJson, type RibReaderOptions, type RouteFilter } from './rib-reader.js';
import type { AttributesJson, LookupJson, PeerStatusJson, PrefixRoutesJson, RibStatsJson, RouterStatusJson } from './route-json.js';
import { RouteSets } from './route-sets.js';
import type { SharedRibDescriptor } from './shared-rib-descriptor.js';
import { NameLog } from './shared-names.js';
import { GROWTH, RibVersions, STRUCTURE, TABLES } from './shared-versions.js';

/**
 * A query that found no consistent version within the reader's time limit (code
 * `LIMIT_EXCEEDED`): the writer kept changing what it reads. The writer's own thread can still
 * answer it (it reads without racing itself), which is what the HTTP worker does.
 */
export class InconsistentReadError extends RibstoreError {
  constructor(message: string) {
    super('LIMIT_EXCEEDED', message);
    this.name = 'InconsistentReadError';
  }
}

export type { SharedRibDescriptor } from './shared-rib-descriptor.js';

/** Options of {@link SharedRibReader.open}. */
export interface SharedRibReaderOptions extends RibReaderOptions {
  /**
   * Longest a query keeps retrying while the writer changes what it reads (ms). Default
   * 2000. Then it throws `LIMIT_EXCEEDED` instead of answering inconsistently.
   */
  timeoutMs?: number;
  /**
   * Test only: `false` answers from the first attempt without checking versions, to show
   * that the check is what makes answers consistent. Default true.
   */
  validate?: boolean;
}

/** Thrown inside an attempt that already knows it must retry. */
const RETRY = Symbol('retry');

/** Decoded attribute sets of a worker, by id, with the stamp (which interning) they decode. */
interface CachedAttributes {
  stamp: number;
  json: AttributesJson;
}

/** Read-only RIB queries from shared memory in a worker thread (see the module doc). */
export class SharedRibReader extends RibReader<PrefixTableReader> {
  /** Attempts that failed their check and ran again (since open). */
  retries = 0;
  private readonly words: Int32Array;
  private readonly port: MessagePort;
  private readonly timeoutMs: number;
  private readonly validate: boolean;
  private seenStructure = -1;
  private seenGrowth = -1;
  private namesRead = 0;
  private attemptStructure = 0;
  private attemptGrowth = 0;
  /** Slots read by the current attempt and their versions before the read. */
  private touchedSlots = new Int32Array(64);
  private touchedVersions = new Uint32Array(64);
  private touched = 0;
  private readonly decoded = new Map<number, CachedAttributes>();
  /** Decodes made by the current attempt: cached only once it validates. */
  private readonly pending: { id: number; stamp: number; json: AttributesJson }[] = [];

  private constructor(descriptor: SharedRibDescriptor, options: SharedRibReaderOptions) {
    const versions = new RibVersions(descriptor.control);
    super(options, {
      versions,
      names: new NameLog(versions, descriptor.names),
      registry: PeerRegistry.attach(descriptor.registry),
      attributes: AttributePool.attach(descriptor.attributes),
      sets: RouteSets.attach(descriptor.sets),
      globalTable: PrefixTableReader.fromLive(descriptor.tables[0]!),
    });
    this.words = versions.words;
    this.port = descriptor.port;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.validate = options.validate ?? true;
    for (let t = 1; t < descriptor.tables.length; t++) this.addTable(t, descriptor.tables[t]!);
  }

  /**
   * Open a RIB shared by {@link RibWriter.share} (the descriptor posted to this thread).
   * @throws RibstoreError `INVALID_ARGUMENT` for something that is not such a descriptor.
   */
  static open(descriptor: SharedRibDescriptor, options: SharedRibReaderOptions = {}): SharedRibReader {
    if (
      typeof descriptor !== 'object' ||
      descriptor === null ||
      !(descriptor.control instanceof SharedArrayBuffer) ||
      !Array.isArray(descriptor.tables) ||
      descriptor.tables.length === 0 ||
      typeof descriptor.port?.postMessage !== 'function'
    ) {
      throw new RibstoreError('INVALID_ARGUMENT', 'not a shared RIB descriptor: pass what rib.share() returned, posted with its port in the transfer list');
    }
    return new SharedRibReader(descriptor, options);
  }

  /** Stop listening for new tables (the writer's port). */
  close(): void {
    this.port.close();
  }

  private addTable(t: number, shared: SharedLiveTableDescriptor): void {
    if (t !== this.tables.length) return;
    this.tables.push(PrefixTableReader.fromLive(shared));
    this.tableNames.push(null);
  }

  /** Catch up with structure changes: names, new tables, live roots. False when the writer is ahead of its messages. */
  private syncStructure(): boolean {
    const tables = this.versions.load(TABLES);
    while (this.tables.length < tables) {
      const message = receiveMessageOnPort(this.port) as { message: { table: number; shared: SharedLiveTableDescriptor } } | undefined;
      if (message === undefined) return false;
      this.addTable(message.message.table, message.message.shared);
    }
    const { records, next } = this.names.read(this.namesRead);
    this.namesRead = next;
    for (const record of records) {
      if (record.kind === 'table') {
        // The writer posts a table's buffers before it logs the table.
        while (this.tables.length <= record.id) {
          const message = receiveMessageOnPort(this.port) as { message: { table: number; shared: SharedLiveTableDescriptor } } | undefined;
          if (message === undefined) throw new RibstoreError('INVALID_ARGUMENT', `table ${record.id} is logged but its buffers never came`);
          this.addTable(message.message.table, message.message.shared);
        }
        this.tableNames[record.id] = record.name;
        this.tableByName.set(record.name, record.id);
      } else {
        this.registry.replay(record);
      }
    }
    for (const table of this.tables) table.syncLive();
    return true;
  }

  /** Start an attempt: false while a structure section is open (or the writer is ahead of its messages). */
  private begin(): boolean {
    const words = this.words;
    const structure = Atomics.load(words, STRUCTURE);
    if ((structure & 1) !== 0 && this.validate) return false;
    const growth = Atomics.load(words, GROWTH);
    if (growth !== this.seenGrowth) {
      this.registry.refresh();
      this.attributes.refresh();
      this.sets.refresh();
      this.seenGrowth = growth;
    }
    if (structure !== this.seenStructure) {
      if (!this.syncStructure()) return false;
      this.seenStructure = structure;
    }
    this.attemptStructure = structure;
    this.attemptGrowth = growth;
    this.touched = 0;
    this.pending.length = 0;
    return true;
  }

  /** Whether the attempt read one version: nothing it read changed meanwhile. */
  private check(): boolean {
    if (!this.validate) return true;
    const words = this.words;
    if (Atomics.load(words, STRUCTURE) !== this.attemptStructure || Atomics.load(words, GROWTH) !== this.attemptGrowth) return false;
    const version = this.sets.version;
    for (let i = 0; i < this.touched; i++) {
      if (Atomics.load(version, this.touchedSlots[i]!) !== this.touchedVersions[i]) return false;
    }
    return true;
  }

  protected override touch(s: number): void {
    if (!this.validate) return;
    const n = this.touched;
    if (n > 0 && this.touchedSlots[n - 1] === s) return;
    const version = this.sets.version;
    // A slot number past the mapped arrays comes from a torn read (slots are made in structure sections).
    if (!(s >= 0 && s < version.length)) throw RETRY;
    const v = Atomics.load(version, s);
    if ((v & 1) !== 0) throw RETRY;
    if (n === this.touchedSlots.length) {
      const slots = new Int32Array(n * 2);
      slots.set(this.touchedSlots);
      this.touchedSlots = slots;
      const versions = new Uint32Array(n * 2);
      versions.set(this.touchedVersions);
      this.touchedVersions = versions;
    }
    this.touchedSlots[n] = s;
    this.touchedVersions[n] = v;
    this.touched = n + 1;
  }

  /** Run `query` until an attempt validates (see the module doc). */
  private consistent<T>(query: () => T): T {
    const deadline = performance.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if ((attempt & 63) === 63 && performance.now() > deadline) {
        throw new InconsistentReadError(`no consistent read within ${this.timeoutMs} ms: the writer kept changing what this query reads`);
      }
      if (!this.begin()) continue;
      let result: T;
      try {
        result = query();
      } catch (e) {
        if (e !== RETRY && this.check()) throw e;
        this.retries++;
        continue;
      }
      if (this.check()) {
        for (const { id, stamp, json } of this.pending) {
          if (this.decoded.size >= this.cacheSize) this.decoded.clear();
          this.decoded.set(id, { stamp, json });
        }
        return result;
      }
      this.retries++;
    }
  }

  /**
   * The decoded form of an attribute set, cached by (id, stamp): a freed id comes back with a
   * new stamp. Decodes enter the cache only with an attempt that validates.
   */
  override attributesJson(attr: number): AttributesJson {
    const pool = this.attributes;
    const stamp = pool.stampOf(attr);
    const hit = this.decoded.get(attr);
    if (hit !== undefined && hit.stamp === stamp) return hit.json;
    if (!pool.has(attr)) throw new RibstoreError('INVALID_ARGUMENT', `no attribute set ${attr}`);
    // Decode a copy: decoders may keep views, and the shared bytes change once the set is freed.
    const json = this.decode(pool.bytes(attr).slice());
    this.pending.push({ id: attr, stamp, json });
    return json;
  }

  /** Whether the RIB has (had) a router of this name (the API's `router` check); one consistent version. */
  knowsRouter(name: string): boolean {
    return this.consistent(() => this.registry.findRouter(name) !== undefined);
  }

  /** See {@link RibReader.lookup}; one consistent version of the RIB. */
  override lookup(address: string | Address, filter: RouteFilter = {}): LookupJson | undefined {
    return this.consistent(() => super.lookup(address, filter));
  }

  /** See {@link RibReader.routes}; one consistent version of the RIB. */
  override routes(prefix: PrefixInput, filter: RouteFilter = {}): PrefixRoutesJson | undefined {
    return this.consistent(() => super.routes(prefix, filter));
  }

  /**
   * See {@link RibReader.moreSpecifics}: the whole answer is read in one attempt, so it is one
   * version; `limit` bounds it (a scan of many prefixes under heavy churn validates rarely).
   */
  moreSpecificsList(prefix: PrefixInput, filter: RouteFilter = {}, limit = Infinity): PrefixRoutesJson[] {
    return this.consistent(() => take(super.moreSpecifics(prefix, filter), limit));
  }

  /** {@link moreSpecificsList} without a limit, as an iterator. */
  override moreSpecifics(prefix: PrefixInput, filter: RouteFilter = {}): IterableIterator<PrefixRoutesJson> {
    return this.moreSpecificsList(prefix, filter).values();
  }

  /** See {@link RibReader.lessSpecifics}; one consistent version of the RIB. */
  override lessSpecifics(prefix: PrefixInput, filter: RouteFilter = {}): IterableIterator<PrefixRoutesJson> {
    return this.consistent(() => take(super.lessSpecifics(prefix, filter), Infinity)).values();
  }

  override bestRouteV4(): number {
    throw notShared('bestRouteV4 (entry handles are only valid in the writer thread; use lookup)');
  }
  override originatedBy(): OriginPrefixJson[] {
    throw notShared('originatedBy');
  }
  override routers(): RouterStatusJson[] {
    throw notShared('routers');
  }
  override peers(): PeerStatusJson[] | undefined {
    throw notShared('peers');
  }
  override stats(): RibStatsJson {
    throw notShared('stats');
  }
}

function take<T>(items: Iterable<T>, limit: number): T[] {
  const out: T[] = [];
  if (limit <= 0) return out;
  for (const item of items) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

function notShared(what: string): RibstoreError {
  return new RibstoreError('INVALID_ARGUMENT', `${what} is not available in a shared (worker) reader: ask the writer's thread`);
}
