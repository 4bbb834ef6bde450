/**
 * Restoring a RIB from a snapshot file (layout: snapshot-format.ts).
 *
 * Nothing is trusted unchecked: a section's checksum is checked before anything in it is used
 * (all of them first for bytes in memory; section by section, as they are read, for a file),
 * then every record is bounds-checked and every id it names must be
 * declared (peer-views in META, attribute sets in ATTR), prefixes must be well formed and
 * appear once, and SUMM's totals must match what was read. Any failure is a
 * `RibstoreError('FILE_ERROR')` naming the file, the section and the reason, and nothing of
 * the file is kept: the restore builds a fresh {@link Rib} and hands it over only when all
 * of it loaded.
 *
 * Restored routes are stale and flagged `restored`: every router comes back `down`, its
 * routes kept for the keep time from the restore. When the router reconnects, the routes it
 * re-announces replace the restored ones without a gap and End-of-RIB (or the keep time)
 * sweeps the rest — the same path as a router that reconnects after a disconnect. A
 * peer-view and its stale twin in the file (a router that had reconnected when the
 * snapshot was taken) become one peer-view.
 *
 * Routes keep the receivedAt / changedAt the file holds. Files of format version 1 (before
 * route ages) still restore: their routes' ages are unknown (0 in the RIB, null in the route
 * JSON) until the router re-announces them, which keeps them unknown for receivedAt but sets
 * changedAt if the attributes differ. A version this code does not know is a `FILE_ERROR`.
 *
 * Each table is built in one pass from its prefixes in the file's (sorted) order, by the
 * table's bulk build (`Rib.beginSortedLoad`), not one insert per prefix.
 *
 * Reading a file ({@link readRibSnapshot}) is also arranged around what this machine charges
 * for memory: the file is read a section at a time into two reused buffers (a buffer the size
 * of the file cost a page fault per 4 KiB), each peer-view's route list is sized once from
 * META's `viewRoutes`, and the attribute pool and route arrays are committed from SUMM's totals
 * up front, their pages faulted in by a worker thread while this one reads and interns
 * (prefault-pages.ts). Measured in bench/README.md ("Snapshot benchmark").
 */
import { RibstoreError } from '../errors.js';
import { maskBits } from '../ip/prefix.js';
import { ContainerFileReader, type SectionHead } from '../store/container-file-reader.js';
import { decodeContainer, requireSection, sectionName } from '../store/container.js';
import { type AttributeSummary, emptySummary } from './attribute-pool.js';
import { type PeerKey, type PeerRecord, VIEWS } from './peer-registry.js';
import { prefaultPages } from './prefault-pages.js';
import { parseMeta } from './snapshot-meta.js';
import { Rib, type RibOptions } from './rib.js';
import {
  ATTR,
  ATTR_HEAD_WORDS,
  META,
  ROUT,
  SUMM,
  type SnapshotMeta,
  type SnapshotStreamPosition,
  payloadWords,
  routeRecordWords,
} from './snapshot-format.js';

/** A restored RIB and what the file held. */
export interface RestoredRib {
  readonly rib: Rib;
  /** When the snapshot was taken (ms since epoch). */
  readonly takenAt: number;
  readonly routers: number;
  readonly prefixes: number;
  readonly routes: number;
  readonly attributeSets: number;
  /** A bus replica's stream position recorded with the routes (null in other files). */
  readonly stream: SnapshotStreamPosition | null;
}

type Fail = (why: string) => never;

function failer(source: string, where: string): Fail {
  return (why: string): never => {
    throw new RibstoreError('FILE_ERROR', `${source}: ${where}: ${why}`);
  };
}

/** Ids up to this many are mapped through a typed array; a file naming larger ones (no writer does) falls back to a Map. */
const DENSE_IDS = 1 << 22;

/**
 * The file's ids (peer-view, attribute set) → this RIB's, 0 for an id not declared (this
 * RIB's ids are never 0), and how many routes used each. A writer's ids are dense from 1, so
 * a typed array indexed by the file's id serves them: the route loop looks two ids up per
 * route, and a Map lookup there costs more than all the rest of the loop. The use count sits
 * beside the id, in the same cache line: the route loop counts attribute references there and
 * the restore takes them in one sequential pass afterwards, instead of a random refcount
 * access per route (measured: ~0.3 s of a 2.5 s full-table restore).
 */
class IdTable {
  /** Per file id: this RIB's id, then its use count. */
  private dense = new Uint32Array(2048);
  private sparse: Map<number, [number, number]> | undefined;

  get(id: number): number {
    if (id * 2 < this.dense.length) return this.dense[id * 2]!;
    return id < DENSE_IDS ? 0 : (this.sparse?.get(id)?.[0] ?? 0);
  }

  /** {@link get}, counting one use of a declared id. */
  use(id: number): number {
    if (id * 2 < this.dense.length) {
      const value = this.dense[id * 2]!;
      if (value !== 0) this.dense[id * 2 + 1]!++;
      return value;
    }
    const entry = id < DENSE_IDS ? undefined : this.sparse?.get(id);
    if (entry === undefined) return 0;
    entry[1]++;
    return entry[0];
  }

  /** `value` must not be 0. */
  set(id: number, value: number): void {
    if (id < DENSE_IDS) {
      if (id * 2 >= this.dense.length) {
        const grown = new Uint32Array(Math.min(DENSE_IDS * 2, Math.max(this.dense.length * 2, (id + 1) * 2)));
        grown.set(this.dense);
        this.dense = grown;
      }
      this.dense[id * 2] = value;
    } else {
      (this.sparse ??= new Map()).set(id, [value, 0]);
    }
  }

  /** Call `visit` with each declared file id's value (this RIB's id) and use count. */
  forEach(visit: (value: number, uses: number) => void): void {
    const d = this.dense;
    for (let i = 0; i < d.length; i += 2) if (d[i] !== 0) visit(d[i]!, d[i + 1]!);
    for (const [value, uses] of this.sparse?.values() ?? []) visit(value, uses);
  }
}

/** Throw the failure of the route record at word `at` (`why` follows the record's name). */
function recordFail(fail: Fail, at: number, why: string): never {
  return fail(`route record at byte ${at * 4}${why}`);
}

/** How errors name the `n`th section with id `id`, at position `index` of the file. */
function sectionLabel(index: number, id: number, n: number): string {
  return `section ${index} (${sectionName(id)} #${n})`;
}

/**
 * One restore in progress: a fresh RIB that {@link attributes} and {@link routes} fill section
 * by section (every ATTR section before any ROUT section) and {@link finish} hands over.
 * {@link release} must follow, whatever happened. Both sources, bytes in memory
 * ({@link restoreRibSnapshot}) and a file read section by section ({@link readRibSnapshot}),
 * drive it the same way.
 */
class SnapshotRestore {
  private readonly rib: Rib;
  private readonly meta: SnapshotMeta;
  private readonly totals: Uint32Array;
  private readonly source: string;
  private readonly peers: { router: string; key: PeerKey; record: PeerRecord }[];
  private readonly pvMap = new IdTable();
  /** Attribute sets: the file's id → this RIB's id; the restore holds one reference to each. */
  private readonly attrMap = new IdTable();
  private readonly set: AttributeSummary = emptySummary();
  private readonly rw: number;
  /** The most routes the ROUT sections' bytes can hold: what a size hint or SUMM may ask room for. */
  private readonly maxRoutes: number;
  private attributeSets = 0;
  private prefixes = 0;
  private routeCount = 0;
  private scratch = new Uint32Array(3 * 64);
  private ages = new Uint32Array(2 * 64);

  /** `routeBytes`: the bytes of all ROUT sections (bounds the routes the file can hold). */
  constructor(metaBytes: Uint8Array, summary: Uint8Array, routeBytes: number, source: string, options: RibOptions) {
    const meta = parseMeta(metaBytes, failer(source, 'section META'));
    const failSumm = failer(source, 'section SUMM');
    if (summary.length !== 20) failSumm(`${summary.length} bytes, expected 20`);
    this.meta = meta;
    this.totals = payloadWords(summary).slice();
    this.source = source;
    this.rw = routeRecordWords(meta.version);
    const rib = new Rib(options);
    this.rib = rib;
    meta.tables.forEach((rd, i) => {
      if (i > 0 && rib.table(rd) !== i) failer(source, 'section META')(`table ${i} is out of order`);
    });
    for (const r of meta.routers) rib.registry.router(r.name);
    this.peers = meta.peers.map((p) => {
      const router = rib.registry.router(meta.routers[p.router]!.name);
      const key = { type: p.type, distinguisher: p.distinguisher, address: p.address, asn: p.asn, bgpId: p.bgpId };
      return { router: router.name, key, record: rib.registry.peer(router, key) };
    });
    for (const [pv, peer, view, afi, safi] of meta.peerViews) {
      if (this.pvMap.get(pv) !== 0) failer(source, 'section META')(`peer-view ${pv} is listed twice`);
      const p = this.peers[peer]!;
      this.pvMap.set(pv, rib.peerView({ router: p.router, peer: p.key, view: VIEWS[view]!, afi, safi }));
    }
    this.maxRoutes = Math.floor(routeBytes / (this.rw * 4));
    this.reservePeerRoutes();
    // Collect each table's prefixes and build each table in one pass at the end, sorting what
    // came out of order (a writer emits slot order); a repeated prefix is found there at the latest.
    rib.beginSortedLoad();
  }

  /**
   * Size each peer-view's route list (peer-routes.ts) by META's `viewRoutes` hint, unless the
   * hint claims more routes than the ROUT sections can hold (a damaged or hostile file must not
   * make the restore allocate at will). Measured: see the commit that added it.
   */
  private reservePeerRoutes(): void {
    const hint = this.meta.viewRoutes;
    if (hint === undefined) return;
    // A stale twin and its live peer-view (one in this RIB) add up.
    const wanted = new Map<number, number>();
    let total = 0;
    this.meta.peerViews.forEach(([pv], i) => {
      const mine = this.pvMap.get(pv);
      wanted.set(mine, (wanted.get(mine) ?? 0) + hint[i]!);
      total += hint[i]!;
    });
    if (total > this.maxRoutes) return;
    wanted.forEach((routes, pv) => this.rib.peerRoutes.reserve(pv, routes));
  }

  /**
   * Commit the attribute pool for SUMM's sets (`attributeBytes`: the ATTR sections' bytes) and
   * the route arrays for its prefixes and routes, and fault their pages in on another core
   * (prefault-pages.ts), in the order this thread fills them, while it reads and interns;
   * resolves when done. What SUMM claims beyond what the sections can hold is not reserved.
   */
  prefault(attributeBytes: number): Promise<void> {
    const [prefixes, routes, sets] = [this.totals[0]!, this.totals[1]!, this.totals[2]!];
    const ranges = sets <= attributeBytes / (ATTR_HEAD_WORDS * 4) ? this.rib.attributes.reserve(sets, attributeBytes) : [];
    if (routes <= this.maxRoutes && prefixes <= routes) ranges.push(...this.rib.sets.reserve(prefixes, routes));
    return prefaultPages(ranges);
  }

  /** Intern the attribute sets of one ATTR section; `label` names it in errors. */
  attributes(payload: Uint8Array, label: string): void {
    const fail = failer(this.source, label);
    const { rib, attrMap, set } = this;
    // Words and byte runs mixed: read the words little-endian one by one.
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const word = (i: number): number => view.getUint32(i * 4, true);
    const words = payload.length >>> 2;
    let at = 0;
    while (at < words) {
      if (words - at < ATTR_HEAD_WORDS) fail(`attribute record at byte ${at * 4} is truncated`);
      const id = word(at);
      const length = word(at + 1);
      // Math.ceil, not (length + 3) >>> 2: near 2^32 that wraps to a tiny length.
      const end = at + ATTR_HEAD_WORDS + Math.ceil(length / 4);
      if (end > words) fail(`attribute set ${id} at byte ${at * 4}: length ${length} runs past the section`);
      if (id === 0 || attrMap.get(id) !== 0) fail(`attribute set id ${id} at byte ${at * 4} is ${id === 0 ? 'reserved' : 'listed twice'}`);
      set.originAs = word(at + 2);
      set.localPref = word(at + 3);
      set.med = word(at + 4);
      set.asPathLength = word(at + 5) >>> 16;
      set.origin = (word(at + 5) >>> 8) & 255;
      set.flags = word(at + 5) & 255;
      const start = (at + ATTR_HEAD_WORDS) * 4;
      attrMap.set(id, rib.internAttributes(payload, start, start + length, set));
      this.attributeSets++;
      at = end;
    }
  }

  /** Load the route records of one ROUT section; `label` names it in errors. */
  routes(payload: Uint8Array, label: string): void {
    const fail = failer(this.source, label);
    const { rib, pvMap, attrMap, rw } = this;
    const words = payloadWords(payload);
    let at = 0;
    while (at < words.length) {
      const head = words[at]!;
      const table = head >>> 9;
      const v6 = (head & 256) !== 0;
      const length = head & 255;
      const keyWords = v6 ? 4 : 1;
      if (table >= rib.tableCount) recordFail(fail, at, `: table ${table} is not in META`);
      if (length > (v6 ? 128 : 32)) recordFail(fail, at, `: prefix length ${length} is too long`);
      if (words.length - at < 2 + keyWords) recordFail(fail, at, ' is truncated');
      const w0 = words[at + 1]!;
      const w1 = v6 ? words[at + 2]! : 0;
      const w2 = v6 ? words[at + 3]! : 0;
      const w3 = v6 ? words[at + 4]! : 0;
      if ((w0 & ~maskBits(length)) | (w1 & ~maskBits(length - 32)) | (w2 & ~maskBits(length - 64)) | (w3 & ~maskBits(length - 96))) {
        recordFail(fail, at, ': host bits are set');
      }
      const count = words[at + 1 + keyWords]!;
      const first = at + 2 + keyWords;
      if (count === 0) recordFail(fail, at, ': no routes');
      if (count > (words.length - first) / rw) recordFail(fail, at, `: ${count} routes run past the section`);
      if (this.scratch.length < count * 3) {
        this.scratch = new Uint32Array(count * 3);
        this.ages = new Uint32Array(count * 2);
      }
      const { scratch, ages } = this;
      for (let i = 0; i < count; i++) {
        const r = first + i * rw;
        const pv = pvMap.get(words[r]!);
        if (pv === 0) recordFail(fail, at, `: peer-view ${words[r]} is not in META`);
        const attr = attrMap.use(words[r + 2]!);
        if (attr === 0) recordFail(fail, at, `: attribute set ${words[r + 2]} is not in any ATTR section`);
        scratch[i * 3] = pv;
        scratch[i * 3 + 1] = words[r + 1]!;
        scratch[i * 3 + 2] = attr;
        // Version 1 kept no ages: 0, unknown.
        ages[i * 2] = rw === 5 ? words[r + 3]! : 0;
        ages[i * 2 + 1] = rw === 5 ? words[r + 4]! : 0;
      }
      try {
        rib.loadPrefix(table, v6 ? 6 : 4, w0, w1, w2, w3, length, scratch, count, false, ages);
      } catch (error) {
        recordFail(fail, at, `: ${(error as Error).message}`);
      }
      this.prefixes++;
      this.routeCount += count;
      at = first + count * rw;
    }
  }

  /** Build the tables, check the totals against SUMM and hand the RIB over. */
  finish(routSections: number, attrSections: number): RestoredRib {
    const { rib, meta, source } = this;
    try {
      rib.endSortedLoad();
    } catch (error) {
      failer(source, 'sections ROUT')((error as Error).message);
    }

    // The routes' references to their attribute sets, counted per set in the route loop.
    this.attrMap.forEach((id, uses) => {
      if (uses > 0) rib.attributes.retain(id, uses);
    });

    const expected = [this.prefixes, this.routeCount, this.attributeSets, routSections, attrSections];
    const names = ['prefixes', 'routes', 'attribute sets', 'ROUT sections', 'ATTR sections'];
    expected.forEach((n, i) => {
      if (this.totals[i] !== n) failer(source, 'section SUMM')(`the file holds ${n} ${names[i]}, SUMM says ${this.totals[i]}: sections are missing or extra`);
    });

    // Every router is down: its routes stale, kept for the keep time from now, flagged restored.
    for (const r of meta.routers) rib.routerDown(r.name);
    const registry = rib.registry;
    this.pvMap.forEach((pv) => {
      registry.setRestored(pv, true);
    });
    this.peers.forEach((p, i) => {
      p.record.state = meta.peers[i]!.state;
    });
    return { rib, takenAt: meta.takenAt, routers: meta.routers.length, prefixes: this.prefixes, routes: this.routeCount, attributeSets: this.attributeSets, stream: meta.stream ?? null };
  }

  /** Give back the interning references, one per file id (after {@link finish} or a failure). */
  release(): void {
    this.attrMap.forEach((id) => this.rib.releaseAttributes(id));
  }
}

/**
 * Rebuild a RIB from snapshot bytes. `source` names the file in errors; `options` are the
 * new RIB's (its keep time applies to the restored routes, counted from now).
 * @throws RibstoreError `FILE_ERROR` naming the file, the section and the reason.
 */
export function restoreRibSnapshot(bytes: Uint8Array, source: string, options: RibOptions = {}): RestoredRib {
  const sections = decodeContainer(bytes, source);
  const routeBytes = sections.reduce((n, s) => n + (s.id === ROUT ? s.payload.length : 0), 0);
  const restore = new SnapshotRestore(requireSection(sections, META, source), requireSection(sections, SUMM, source), routeBytes, source, options);
  try {
    const labelled = (id: number): { payload: Uint8Array; label: string }[] => {
      const out: { payload: Uint8Array; label: string }[] = [];
      sections.forEach((s, index) => {
        if (s.id === id) out.push({ payload: s.payload, label: sectionLabel(index, id, out.length) });
      });
      return out;
    };
    const attrSections = labelled(ATTR);
    for (const { payload, label } of attrSections) restore.attributes(payload, label);
    const routSections = labelled(ROUT);
    for (const { payload, label } of routSections) restore.routes(payload, label);
    return restore.finish(routSections.length, attrSections.length);
  } finally {
    restore.release();
  }
}

/**
 * Read and restore the snapshot file at `path` (see {@link restoreRibSnapshot}), section by
 * section: the file is never held in memory whole (container-file-reader.ts says why), and
 * the next section is read while this one loads. Each section's checksum is checked before
 * anything in it is used.
 * @throws RibstoreError `FILE_ERROR` naming the file when it cannot be read or is not a valid snapshot.
 */
export async function readRibSnapshot(path: string, options: RibOptions = {}): Promise<RestoredRib> {
  const file = await ContainerFileReader.open(path);
  try {
    const only = (id: number): Promise<Uint8Array> => file.read(file.requireSection(id));
    const routSections = file.sectionsWithId(ROUT);
    const routeBytes = routSections.reduce((n, s) => n + s.length, 0);
    const restore = new SnapshotRestore(await only(META), await only(SUMM), routeBytes, path, options);
    const attrSections = file.sectionsWithId(ATTR);
    const prefaulted = restore.prefault(attrSections.reduce((n, s) => n + s.length, 0));
    try {
      await readEach(file, attrSections, (payload, head, n) => restore.attributes(payload, sectionLabel(head.index, ATTR, n)));
      await readEach(file, routSections, (payload, head, n) => restore.routes(payload, sectionLabel(head.index, ROUT, n)));
      return restore.finish(routSections.length, attrSections.length);
    } finally {
      restore.release();
      await prefaulted;
    }
  } finally {
    await file.close();
  }
}

/**
 * Read `heads` in order and give each payload to `use`, reading the next one meanwhile: two
 * buffers the size of the largest section take turns, so the reads allocate nothing per section.
 * `use` must not keep the payload (its buffer is read into again).
 */
async function readEach(file: ContainerFileReader, heads: readonly SectionHead[], use: (payload: Uint8Array, head: SectionHead, n: number) => void): Promise<void> {
  const largest = heads.reduce((m, h) => Math.max(m, h.length), 0);
  const buffers = [new Uint8Array(largest), new Uint8Array(largest)];
  let next = heads.length > 0 ? file.read(heads[0]!, buffers[0]) : undefined;
  try {
    for (let i = 0; i < heads.length; i++) {
      const payload = await next!;
      next = i + 1 < heads.length ? file.read(heads[i + 1]!, buffers[(i + 1) & 1]) : undefined;
      use(payload, heads[i]!, i);
    }
  } catch (error) {
    // Let a read still in flight settle before the caller closes the file.
    await next?.catch(() => undefined);
    throw error;
  }
}
