/**
 * The snapshot container: a small versioned file format made of checksummed sections.
 * Every ribstore snapshot file (PrefixMap/PrefixTable bytes today, RIB snapshots later)
 * is one container; see FORMAT.md for the design note.
 *
 * ```
 * header (12 bytes)            section (12-byte head + payload), repeated `count` times
 * +------+-----+-----+-----+   +----+--------+-------+----------------------+
 * |"RBSC"| ver |count| crc |   | id | length |  crc  | payload (length B)   |
 * |  4   |  2  |  2  |  4  |   |  4 |    4   |   4   |                      |
 * +------+-----+-----+-----+   +----+--------+-------+----------------------+
 * ```
 * All integers big-endian. The header crc is CRC-32C of its first 8 bytes; a section crc
 * is CRC-32C of its id, its length and its payload, so a damaged id or length is caught
 * as surely as a damaged payload. The file ends exactly after the last section.
 *
 * Invariant of the reader: no length field is trusted; every read is bounds-checked
 * against the buffer, and every failure is a `RibstoreError('FILE_ERROR')` whose
 * message names the file, the section (index and id) and the reason.
 */
import { RibstoreError } from '../errors.js';
import { crc32c } from './crc32c.js';

/** The 4 magic bytes "RBSC" (ribstore snapshot container) as a big-endian integer. */
export const CONTAINER_MAGIC = 0x52425343;
/** The container format version this code writes and reads. */
export const CONTAINER_VERSION = 1;
/** Bytes in the file header. */
export const HEADER_BYTES = 12;
/** Bytes in a section head (id, length, crc). */
export const SECTION_HEAD_BYTES = 12;
/** Most sections one container may hold (the count is a 16-bit field). */
export const MAX_SECTIONS = 0xffff;

/** One section: a 32-bit id (usually four ASCII letters, see {@link sectionId}) and its payload. */
export interface Section {
  /** Section id; {@link sectionId} turns "ENTS" into the number. */
  readonly id: number;
  /** The section's bytes. */
  readonly payload: Uint8Array;
}

/** The number for a four-letter ASCII section id such as "META". */
export function sectionId(name: string): number {
  if (!/^[\x20-\x7e]{4}$/.test(name)) {
    throw new RibstoreError('INVALID_ARGUMENT', `section id "${name}" must be exactly four printable ASCII characters`);
  }
  return ((name.charCodeAt(0) << 24) | (name.charCodeAt(1) << 16) | (name.charCodeAt(2) << 8) | name.charCodeAt(3)) >>> 0;
}

/** The display name of a section id: four letters when printable, else hex. */
export function sectionName(id: number): string {
  const chars = [id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff];
  return chars.every((c) => c >= 0x20 && c <= 0x7e) ? String.fromCharCode(...chars) : `0x${id.toString(16).padStart(8, '0')}`;
}

/**
 * The 12-byte container header for `count` sections (magic, version, count, header crc).
 * Shared by {@link encodeContainer} and `ContainerFileWriter`, which writes it last.
 */
export function encodeHeader(count: number): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTAINER_MAGIC);
  view.setUint16(4, CONTAINER_VERSION);
  view.setUint16(6, count);
  view.setUint32(8, crc32c(out, 0, 8));
  return out;
}

/** Serialise sections into one container. */
export function encodeContainer(sections: readonly Section[]): Uint8Array {
  if (sections.length > MAX_SECTIONS) {
    throw new RibstoreError('ENCODE_ERROR', `a container holds at most ${MAX_SECTIONS} sections, got ${sections.length}`);
  }
  let total = HEADER_BYTES;
  for (const s of sections) {
    if (s.payload.length > 0xffffffff) throw new RibstoreError('ENCODE_ERROR', `section ${sectionName(s.id)} is larger than 4 GiB`);
    total += SECTION_HEAD_BYTES + s.payload.length;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(encodeHeader(sections.length));
  let at = HEADER_BYTES;
  for (const s of sections) {
    view.setUint32(at, s.id >>> 0);
    view.setUint32(at + 4, s.payload.length);
    out.set(s.payload, at + SECTION_HEAD_BYTES);
    view.setUint32(at + 8, sectionChecksum(s.id, s.payload));
    at += SECTION_HEAD_BYTES + s.payload.length;
  }
  return out;
}

/**
 * Read and validate a container. `source` names the file in error messages.
 * Payloads are views into `bytes` (no copy).
 * @throws RibstoreError `FILE_ERROR` on bad magic, unknown version, bad header checksum,
 *   truncation, a section checksum mismatch or trailing bytes.
 */
export function decodeContainer(bytes: Uint8Array, source = '<bytes>'): Section[] {
  const fail = (why: string): never => {
    throw new RibstoreError('FILE_ERROR', `${source}: ${why}`);
  };
  const count = checkHeader(bytes, fail);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections: Section[] = [];
  let at = HEADER_BYTES;
  for (let index = 0; index < count; index++) {
    if (bytes.length - at < SECTION_HEAD_BYTES) fail(truncatedHead(index, count, at));
    const id = view.getUint32(at);
    const length = view.getUint32(at + 4);
    const where = sectionWhere(index, count, id, at);
    const start = at + SECTION_HEAD_BYTES;
    if (length > bytes.length - start) fail(truncatedSection(where, length, bytes.length - start));
    const crc = crc32c(bytes, start, start + length, crc32c(bytes, at, at + 8));
    if (crc !== view.getUint32(at + 8)) fail(`${where}: checksum mismatch`);
    sections.push({ id, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  if (at !== bytes.length) fail(trailingBytes(bytes.length - at, at));
  return sections;
}

/**
 * Check the 12-byte header at the start of `bytes` (magic, header checksum, version) and
 * return the section count; `fail` throws. Shared with the file reader (container-file-reader.ts)
 * so both report damage in the same words.
 */
export function checkHeader(bytes: Uint8Array, fail: (why: string) => never): number {
  if (bytes.length < HEADER_BYTES) fail(`truncated header: ${bytes.length} bytes, need ${HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== CONTAINER_MAGIC) fail(`bad magic 0x${magic.toString(16).padStart(8, '0')}: not a ribstore snapshot file`);
  if (crc32c(bytes, 0, 8) !== view.getUint32(8)) fail('header checksum mismatch');
  const version = view.getUint16(4);
  if (version !== CONTAINER_VERSION) fail(`unknown format version ${version} (this ribstore reads version ${CONTAINER_VERSION})`);
  return view.getUint16(6);
}

/**
 * The checksum a section's head records: CRC-32C of its id, its length (both big-endian u32)
 * and its payload. Shared by {@link encodeContainer} and the streaming writer's callers that
 * checksum a payload in their own time (container-writer.ts).
 */
export function sectionChecksum(id: number, payload: Uint8Array): number {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  view.setUint32(0, id >>> 0);
  view.setUint32(4, payload.length);
  return crc32c(payload, 0, payload.length, crc32c(head, 0, 8));
}

/** How an error names section `index` of `count`, with id `id`, whose head is at byte `at`. */
export function sectionWhere(index: number, count: number, id: number, at: number): string {
  return `section ${index} of ${count} (${sectionName(id)}) at offset ${at}`;
}

/** The failure of a section head cut short at byte `at`. */
export function truncatedHead(index: number, count: number, at: number): string {
  return `section ${index} of ${count}: truncated section head at offset ${at}`;
}

/** The failure of a section whose length field runs past the end. */
export function truncatedSection(where: string, length: number, remaining: number): string {
  return `${where}: truncated: length field says ${length} bytes, only ${remaining} remain`;
}

/** The failure of bytes after the last section. */
export function trailingBytes(extra: number, at: number): string {
  return `${extra} trailing bytes after the last section (offset ${at})`;
}

/**
 * The payload of the one section with id `id`.
 * @throws RibstoreError `FILE_ERROR` naming the file if it is missing or repeated.
 */
export function requireSection(sections: readonly Section[], id: number, source = '<bytes>'): Uint8Array {
  return onlyOne(sections.filter((s) => s.id === id), id, source).payload;
}

/**
 * The one element of `found` (the sections with id `id`), or `FILE_ERROR` naming the file.
 * Shared with the file reader (container-file-reader.ts).
 */
export function onlyOne<T>(found: readonly T[], id: number, source: string): T {
  if (found.length !== 1) {
    throw new RibstoreError('FILE_ERROR', `${source}: expected exactly one ${sectionName(id)} section, found ${found.length}`);
  }
  return found[0]!;
}
