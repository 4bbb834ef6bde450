/**
 * The RIB snapshot file: one snapshot container (src/store/FORMAT.md) whose sections hold
 * the RIB's logical content — routers, peers, peer-views, prefixes, routes and the attribute
 * sets they name — never its memory layout, so files survive changes to the arenas.
 *
 * ```
 * META  1    JSON (UTF-8, space-padded to 4 bytes): format, version, takenAt, tables,
 *            routers, peers, peerViews [[id, peer, view rank, afi, safi, stale 0|1], ...],
 *            viewRoutes (routes per peer-view, a sizing hint; absent in older files),
 *            and on a bus replica `stream` (absent elsewhere and in older files)
 * ROUT  n    route records, u32 little-endian words, records never split across sections:
 *              meta (table << 9 | IPv6 << 8 | length) | key (1 word IPv4, 4 words IPv6) |
 *              count | count x (peer-view id, path id, attribute id, receivedAt, changedAt)
 *              (the times in seconds since the epoch, 0 unknown; version 1 files have no
 *              times: count x (peer-view id, path id, attribute id), restored as unknown)
 * ATTR  m    attribute records, little-endian: id u32 | length u32 | originAs | localPref |
 *            med | pathLength << 16 | origin << 8 | flags | canonical bytes, zero-padded to 4
 * SUMM  1    u32 LE: prefixes, routes, attribute sets, ROUT sections, ATTR sections
 * ```
 * Peer-view ids are the writing RIB's; attribute ids are the file's own, 1, 2, 3, ... in the
 * order the ROUT records first name them, and ATTR lists the sets in that order (snapshot-write.ts
 * says why). A restore maps both to its own ids and takes any numbering (older files used the
 * writing RIB's attribute ids), so this is no format change. Payloads
 * are multiples of 4 bytes, so every payload starts 4-aligned in the file and route words
 * are read through a Uint32Array view without copying. Sections are about
 * {@link SECTION_TARGET_BYTES} so the writer checksums and writes one while the event loop
 * keeps running, and a reader names the damaged part. SUMM comes last and cross-checks the
 * rest: a file whose sections do not add up is rejected.
 */
import { sectionId } from '../store/container.js';

/** The `format` field of META. */
export const SNAPSHOT_FORMAT = 'ribstore-rib';
/** The `version` field of META this code writes. */
export const SNAPSHOT_VERSION = 2;
/** The oldest `version` this code reads (version 1: routes without receivedAt / changedAt). */
export const SNAPSHOT_OLDEST_VERSION = 1;

/** Words per route in a ROUT record of format `version`. */
export function routeRecordWords(version: number): number {
  return version >= 2 ? 5 : 3;
}

/** Section ids. */
export const META = sectionId('META');
export const ROUT = sectionId('ROUT');
export const ATTR = sectionId('ATTR');
export const SUMM = sectionId('SUMM');

/** Size at which the writer closes a ROUT or ATTR section. */
export const SECTION_TARGET_BYTES = 1 << 20;

/** Words of an ATTR record before its bytes. */
export const ATTR_HEAD_WORDS = 6;

/** Routers, peers and peer-views as META holds them. */
export interface SnapshotMeta {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** When the snapshot was taken (ms since epoch). */
  takenAt: number;
  /** Route distinguisher per table index; index 0 (the global table) is null. */
  tables: (string | null)[];
  routers: { name: string; state: 'up' | 'down'; downSince: number | null; flushAt: number | null }[];
  /** `router` indexes `routers`. */
  peers: { router: number; type: number; distinguisher: string; address: string; asn: number; bgpId: number; state: 'up' | 'down' }[];
  /** [peer-view id, peer index, view rank, afi, safi, stale (0|1)]. */
  peerViews: [number, number, number, number, number, number][];
  /**
   * Routes of each `peerViews` entry, in the same order (written since 2026-12-05): a hint the
   * restore sizes its per-peer-view route lists by, so they are not grown copy by copy. Files
   * without it restore the same, a little slower.
   */
  viewRoutes?: number[];
  /** A bus replica's place in the stream it follows, taken with the same freeze as the routes. */
  stream?: SnapshotStreamPosition;
}

/**
 * What a replica needs to go on after this snapshot: per stream the last sequence whose effect
 * the snapshot holds, and for each router session live at that point the BMP messages that set
 * up its decoding (its Initiation, then the Peer Up of each peer up), base64.
 */
export interface SnapshotStreamPosition {
  positions: Record<string, number>;
  sessions: { router: string; messages: string[] }[];
}

/** True on little-endian hosts (all Node platforms but s390x). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Put 32-bit words held in host order into the file's little-endian order, in place
 * (nothing to do on little-endian hosts). The same call converts back.
 */
export function wordsToLittleEndian(bytes: Uint8Array): void {
  if (LITTLE_ENDIAN) return;
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}

/**
 * The host-order words of a little-endian payload: a view when the host is little-endian
 * and the payload 4-aligned, else a converted copy.
 */
export function payloadWords(payload: Uint8Array): Uint32Array {
  if (LITTLE_ENDIAN && payload.byteOffset % 4 === 0) return new Uint32Array(payload.buffer, payload.byteOffset, payload.byteLength >>> 2);
  const copy = payload.slice(0, payload.byteLength & ~3);
  wordsToLittleEndian(copy);
  return new Uint32Array(copy.buffer, 0, copy.byteLength >>> 2);
}
