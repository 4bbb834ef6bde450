/**
 * Writing a RIB snapshot file (layout: snapshot-format.ts) while the RIB keeps changing.
 *
 * ```
 *  rib.freeze() ──read in slices of ≤ sliceMs──► ROUT words ──► 1 MiB section ──► file
 *        │        (yield to the event loop between slices; a section is checksummed in the
 *        │         slice that fills it and written between slices, with any others queued)
 *        └── attribute sets named by the frozen routes ──► ATTR sections ──► SUMM ──► commit
 * ```
 * The file is written by the store's streaming container writer: a temp file beside the
 * target, fsynced and renamed over it only when complete, so a crash at any point leaves the
 * previous snapshot intact. What is written is the RIB as it was when the freeze was taken.
 *
 * Attribute sets get file ids in the order the routes first name them (1, 2, 3, ...), and the
 * ATTR sections list them in that order. A restore interns them in file order, so this RIB's
 * ids follow the routes too: the restore's two lookups per route by attribute id (the file
 * id's map entry, the set's summary when ranking) land near the previous routes' instead of
 * at random in a table of hundreds of thousands (the restore is bound by those accesses).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sectionChecksum } from '../store/container.js';
import { ContainerFileWriter } from '../store/container-writer.js';
import type { Rib } from './rib.js';
import type { FrozenPrefixVisitor, RibFreeze } from './rib-freeze.js';
import { PV_STALE } from './peer-registry.js';
import {
  ATTR,
  ATTR_HEAD_WORDS,
  META,
  ROUT,
  SECTION_TARGET_BYTES,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  routeRecordWords,
  SUMM,
  type SnapshotMeta,
  type SnapshotStreamPosition,
  wordsToLittleEndian,
} from './snapshot-format.js';

/** Words per route in the ROUT records this writer makes (pv, path id, attribute id, receivedAt, changedAt). */
const ROUTE_WORDS = routeRecordWords(SNAPSHOT_VERSION);

/** Options of {@link writeRibSnapshot}. */
export interface SnapshotWriteOptions {
  /** Longest stretch of work between yields to the event loop (ms). Default 5. */
  sliceMs?: number;
  /** Called after each section is written. */
  onProgress?: (progress: { prefixes: number; routes: number; bytes: number }) => void;
  /** A bus replica's stream position, read in the same turn as the RIB is frozen (META `stream`). */
  stream?: () => SnapshotStreamPosition;
}

/** What {@link writeRibSnapshot} wrote. */
export interface SnapshotReport {
  readonly path: string;
  /** When the RIB was frozen (ms since epoch): the instant the file describes. */
  readonly takenAt: number;
  readonly prefixes: number;
  readonly routes: number;
  readonly attributeSets: number;
  readonly sections: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** The longest the writer kept the event loop busy at a stretch (ms). */
  readonly longestSliceMs: number;
}

/**
 * Section buffers: one filling while the others are written. Under load a write costs an
 * event-loop turn and a slice fills ~2 sections; enough buffers that a slice rarely waits
 * for the disk, whose writes take the sections that queued meanwhile together.
 */
const RING_BUFFERS = 8;

/** A reusable buffer of little-endian 32-bit words (and padded byte runs) for one section. */
class SectionBuffer {
  bytes = new Uint8Array(SECTION_TARGET_BYTES + 4096);
  words = new Uint32Array(this.bytes.buffer);
  /** The same bytes, for words that go in little-endian order among byte runs (ATTR heads). */
  view = new DataView(this.bytes.buffer);
  /** Words in use. */
  length = 0;
  /** While the buffer is being written to the file: that write (it must not change until then). */
  pending: Promise<void> | undefined;

  reserve(words: number): void {
    if (this.length + words <= this.words.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, (this.length + words) * 4));
    grown.set(this.bytes.subarray(0, this.length * 4));
    this.bytes = grown;
    this.words = new Uint32Array(grown.buffer);
    this.view = new DataView(grown.buffer);
  }

  /** Append the bytes of frozen attribute set `id`, zero-padded to a whole word. */
  appendAttribute(freeze: RibFreeze, id: number, length: number): void {
    const words = (length + 3) >>> 2;
    this.reserve(words);
    this.words[this.length + words - 1] = 0;
    freeze.copyAttributeBytes(id, this.bytes, this.length * 4);
    this.length += words;
  }

  /** The bytes in use (words still in host order: the writer puts them in file order). */
  payload(): Uint8Array {
    return this.bytes.subarray(0, this.length * 4);
  }
}

function metaOf(freeze: RibFreeze, stream: SnapshotStreamPosition | undefined): Uint8Array {
  const peerViews: SnapshotMeta['peerViews'] = [];
  const viewRoutes: number[] = [];
  for (let pv = 1; pv < freeze.pvState.length; pv++) {
    const state = freeze.pvState[pv]!;
    if (state === 0) continue;
    peerViews.push([pv, freeze.pvPeer[pv]!, freeze.pvView[pv]!, freeze.pvAfi[pv]!, freeze.pvSafi[pv]!, state === PV_STALE ? 1 : 0]);
    viewRoutes.push(freeze.pvCount[pv]!);
  }
  const meta: SnapshotMeta = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    takenAt: freeze.takenAt,
    tables: [...freeze.tables],
    routers: freeze.routers.map((r) => ({ name: r.name, state: r.state, downSince: r.downSince ?? null, flushAt: r.flushAt ?? null })),
    peers: freeze.peers.map((p) => ({ ...p })),
    peerViews,
    viewRoutes,
    ...(stream ? { stream } : {}),
  };
  const text = new TextEncoder().encode(JSON.stringify(meta));
  const padded = new Uint8Array((text.length + 3) & ~3).fill(0x20);
  padded.set(text);
  return padded;
}

/**
 * Write a snapshot of `rib` to `path`, replacing it atomically (see the module doc). The RIB
 * may be read and written while this runs; the file holds the routes of the moment it began.
 * @throws RibstoreError `FILE_ERROR` naming the file when it cannot be written; the previous
 *   file at `path` is then untouched.
 */
export async function writeRibSnapshot(rib: Rib, path: string, options: SnapshotWriteOptions = {}): Promise<SnapshotReport> {
  const sliceMs = options.sliceMs ?? 5;
  const began = performance.now();
  let longestSliceMs = 0;
  // The first stretch includes taking the freeze (copying the registry, holding the attribute pool).
  let sliceStart = began;
  const freeze = rib.freeze();
  // In the same synchronous turn as the freeze: the stream position matches the routes exactly.
  const stream = options.stream?.();
  const endSlice = (): void => {
    longestSliceMs = Math.max(longestSliceMs, performance.now() - sliceStart);
  };
  let file: ContainerFileWriter | undefined;
  // Sections are written from a ring of buffers: a full one goes to the file while the next
  // fills, so the walk never waits for the disk unless every buffer is still being written.
  const ring = Array.from({ length: RING_BUFFERS }, () => new SectionBuffer());
  let ringAt = 0;
  let buf = ring[0]!;
  try {
    const meta = metaOf(freeze, stream);
    endSlice();
    file = await ContainerFileWriter.open(path);
    let prefixes = 0;
    let routes = 0;
    let bytes = 0;
    const sections = { rout: 0, attr: 0 };
    /** Start writing `buf` as section `id` and move on to the next buffer of the ring. */
    const emit = (id: number): void => {
      const b = buf;
      const payload = b.payload();
      if (id !== ATTR) wordsToLittleEndian(payload);
      // Checksummed here, inside the slice that filled the buffer: the work stays within the
      // writer's time slices instead of running as a separate turn of the event loop.
      const crc = sectionChecksum(id, payload);
      bytes += payload.length + 12;
      const progress = { prefixes, routes, bytes };
      b.pending = file!.section(id, payload, crc).then(() => {
        b.pending = undefined;
        b.length = 0;
        options.onProgress?.(progress);
      });
      // Rejections are taken up where the buffer is next needed (or at the end).
      b.pending.catch(() => undefined);
      ringAt = (ringAt + 1) % ring.length;
      buf = ring[ringAt]!;
    };
    await file.section(META, meta);
    bytes += 12 + 12 + meta.length;

    // File attribute ids in order of first use by the routes (see the module doc): fileId[id]
    // is the RIB set's file id (0: not used yet), byFileId[f] the RIB id of file id f.
    const fileId = new Uint32Array(rib.attributes.idBound);
    const byFileId = new Uint32Array(rib.attributes.idBound + 1);
    let fileIds = 0;
    const visit: FrozenPrefixVisitor = (table, family, w0, w1, w2, w3, length, r, count, ages) => {
      buf.reserve(6 + count * ROUTE_WORDS);
      const w = buf.words;
      let at = buf.length;
      w[at++] = (table << 9) | (family === 6 ? 256 : 0) | length;
      w[at++] = w0;
      if (family === 6) {
        w[at++] = w1;
        w[at++] = w2;
        w[at++] = w3;
      }
      w[at++] = count;
      // Copied word by word: a subarray per prefix would be a million short-lived objects.
      for (let i = 0; i < count; i++) {
        const o = at + i * ROUTE_WORDS;
        const attr = r[i * 3 + 2]!;
        let f = fileId[attr]!;
        if (f === 0) {
          f = fileId[attr] = ++fileIds;
          byFileId[f] = attr;
        }
        w[o] = r[i * 3]!;
        w[o + 1] = r[i * 3 + 1]!;
        w[o + 2] = f;
        w[o + 3] = ages[i * 2]!;
        w[o + 4] = ages[i * 2 + 1]!;
      }
      buf.length = at + count * ROUTE_WORDS;
      prefixes++;
      routes += count;
    };
    let more = true;
    while (more) {
      sliceStart = performance.now();
      while (more && buf.pending === undefined && performance.now() - sliceStart < sliceMs) {
        more = freeze.read(1024, visit);
        if (buf.length * 4 >= SECTION_TARGET_BYTES || (!more && buf.length > 0)) {
          emit(ROUT);
          sections.rout++;
        }
      }
      endSlice();
      // The next buffer still being written: wait for it (the loop runs meanwhile), else just yield.
      if (more) await (buf.pending ?? yieldToLoop());
    }

    const pool = freeze.attributes;
    let attributeSets = 0;
    let f = 1;
    while (f <= fileIds) {
      if (buf.pending !== undefined) await buf.pending;
      sliceStart = performance.now();
      // The clock every 64 sets, not every set: each read allocates a number.
      for (; f <= fileIds && buf.length * 4 < SECTION_TARGET_BYTES && ((f & 63) !== 0 || performance.now() - sliceStart < sliceMs); f++) {
        const id = byFileId[f]!;
        const length = freeze.attributeLength(id);
        buf.reserve(ATTR_HEAD_WORDS);
        const v = buf.view;
        const o = buf.length * 4;
        v.setUint32(o, f, true);
        v.setUint32(o + 4, length, true);
        v.setUint32(o + 8, pool.originAs(id), true);
        v.setUint32(o + 12, pool.localPref(id), true);
        v.setUint32(o + 16, pool.med(id), true);
        v.setUint32(o + 20, ((pool.asPathLength(id) << 16) | (pool.origin(id) << 8) | pool.flags(id)) >>> 0, true);
        buf.length += ATTR_HEAD_WORDS;
        buf.appendAttribute(freeze, id, length);
        attributeSets++;
      }
      if (buf.length * 4 >= SECTION_TARGET_BYTES || (f > fileIds && buf.length > 0)) {
        emit(ATTR);
        sections.attr++;
      }
      endSlice();
      if (f <= fileIds && buf.pending === undefined) await yieldToLoop();
    }

    if (buf.pending !== undefined) await buf.pending;
    buf.reserve(5);
    buf.words.set([prefixes, routes, attributeSets, sections.rout, sections.attr], 0);
    buf.length = 5;
    emit(SUMM);
    for (const b of ring) await b.pending;
    await file.commit();
    return {
      path,
      takenAt: freeze.takenAt,
      prefixes,
      routes,
      attributeSets,
      sections: 2 + sections.rout + sections.attr,
      bytes,
      elapsedMs: performance.now() - began,
      longestSliceMs,
    };
  } catch (error) {
    // Let writes in flight settle before the temp file goes (abort waits for them too).
    await Promise.allSettled(ring.map((b) => b.pending));
    await file?.abort();
    throw error;
  } finally {
    freeze.release();
  }
}
