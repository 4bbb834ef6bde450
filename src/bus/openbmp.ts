/**
 * The OpenBMP v1.7 binary header ("OBMP" raw framing): how OpenBMP, RouteViews and GoBMP put one
 * raw BMP message on a message bus (`openbmp.bmp_raw` Kafka topics, GoBMP's `gobmp.raw`), and how
 * ribstore frames the BMP messages it publishes to NATS JetStream.
 *
 * ```
 *  0      4     5     6        8          12    13    14        18         22
 *  | OBMP | 1   | 7   | hdrLen | msgLen   | flg | 12  | tsSec   | tsUsec   | collector hash (16)
 *  | adminIdLen (2) | adminId | router hash (16) | router IP (16) | groupLen (2) | group | rows (4)
 *  | BMP message (msgLen bytes)
 * ```
 *
 * All integers are big-endian. Flags: 0x80 = router message (always set for raw BMP), 0x40 = the
 * router address is IPv6 (an IPv4 router sits in the first 4 of the 16 address bytes, the rest
 * zero). Object type 12 is BMP_RAW; its row count is always 1. A decoder skips to `hdrLen` after
 * the fields it knows, so a longer header from a later minor version still frames correctly.
 *
 * Hashes follow GoBMP (pkg/message/raw.go): the collector hash is MD5 of the admin id, the router
 * hash is MD5 of the router address in text form. Consumers treat both as opaque keys.
 */
import { createHash } from 'node:crypto';
import { DecodeError, RibstoreError } from '../errors.js';
import { type Address, addressFromBytes } from '../ip/address.js';

/** The magic number "OBMP". */
export const OPENBMP_MAGIC = 0x4f424d50;
/** Major and minor version this codec reads and writes. */
export const OPENBMP_VERSION_MAJOR = 1;
export const OPENBMP_VERSION_MINOR = 7;
/** Object type of a raw BMP message (the only one a `bmp_raw` topic carries). */
export const OPENBMP_OBJECT_BMP_RAW = 12;
/** Header length without the admin id and router group text. */
export const OPENBMP_FIXED_HEADER_LENGTH = 78;
/** Bytes needed to know a record's total length (magic, versions, header and message lengths). */
export const OPENBMP_PREFIX_LENGTH = 12;

const FLAG_ROUTER_MESSAGE = 0x80;
const FLAG_ROUTER_IPV6 = 0x40;
const MESSAGE_TYPE = 'OpenBMP header';

/** The fields of an OpenBMP header that a producer chooses. */
export interface OpenBmpHeaderFields {
  /** Collector admin id (UTF-8, at most 65535 bytes), e.g. `--collector-name`. */
  readonly collectorAdminId: string;
  /** 16-byte collector hash; default {@link openBmpCollectorHash} of the admin id. */
  readonly collectorHash?: Uint8Array;
  /** The router (BMP speaker) address. */
  readonly routerAddress: Address;
  /** 16-byte router hash; default {@link openBmpRouterHash} of the address. */
  readonly routerHash?: Uint8Array;
  /** Router group (UTF-8, may be empty). */
  readonly routerGroup?: string;
  /** Collection time: whole seconds since the epoch, and microseconds (0..999999). */
  readonly timestampSeconds: number;
  readonly timestampMicroseconds: number;
}

/** A decoded OpenBMP header. */
export interface OpenBmpHeader {
  readonly collectorAdminId: string;
  readonly collectorHash: Uint8Array;
  readonly routerAddress: Address;
  readonly routerHash: Uint8Array;
  readonly routerGroup: string;
  readonly timestampSeconds: number;
  readonly timestampMicroseconds: number;
  /** Header length as written (at least the fields above; more from a later minor version). */
  readonly headerLength: number;
}

/** One OpenBMP record: its header and the BMP message it carries. */
export interface OpenBmpRecord {
  readonly header: OpenBmpHeader;
  /** The BMP message (a view into the decoded bytes). */
  readonly bmp: Uint8Array;
  /** Total record length in bytes (header plus message). */
  readonly length: number;
}

/** MD5 of the admin id: the collector hash GoBMP writes. */
export function openBmpCollectorHash(adminId: string): Uint8Array {
  return new Uint8Array(createHash('md5').update(adminId, 'utf8').digest());
}

/** MD5 of the router address's text form: the router hash GoBMP writes. */
export function openBmpRouterHash(address: Address): Uint8Array {
  return new Uint8Array(createHash('md5').update(address.toString(), 'utf8').digest());
}

function checkHash(hash: Uint8Array, what: string): Uint8Array {
  if (hash.length !== 16) throw new RibstoreError('ENCODE_ERROR', `OpenBMP ${what} hash must be 16 bytes, got ${hash.length}`);
  return hash;
}

function putWord(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

/**
 * Frame one BMP message as an OpenBMP v1.7 raw record (header followed by the message bytes).
 * @throws RibstoreError `ENCODE_ERROR` for an admin id or group over 65535 bytes, a hash that is
 * not 16 bytes or a timestamp out of range.
 */
export function encodeOpenBmpRecord(fields: OpenBmpHeaderFields, bmp: Uint8Array): Uint8Array {
  const adminId = Buffer.from(fields.collectorAdminId, 'utf8');
  const group = Buffer.from(fields.routerGroup ?? '', 'utf8');
  if (adminId.length > 0xffff || group.length > 0xffff) {
    throw new RibstoreError('ENCODE_ERROR', 'OpenBMP collector admin id and router group must be at most 65535 bytes');
  }
  const { timestampSeconds: seconds, timestampMicroseconds: micros } = fields;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff || !Number.isInteger(micros) || micros < 0 || micros > 999999) {
    throw new RibstoreError('ENCODE_ERROR', `OpenBMP timestamp ${seconds}.${micros} out of range`);
  }
  const headerLength = OPENBMP_FIXED_HEADER_LENGTH + adminId.length + group.length;
  if (headerLength > 0xffff) throw new RibstoreError('ENCODE_ERROR', `OpenBMP header of ${headerLength} bytes exceeds 65535`);
  const collectorHash = checkHash(fields.collectorHash ?? openBmpCollectorHash(fields.collectorAdminId), 'collector');
  const routerHash = checkHash(fields.routerHash ?? openBmpRouterHash(fields.routerAddress), 'router');
  const router = fields.routerAddress;

  const out = new Uint8Array(headerLength + bmp.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, OPENBMP_MAGIC);
  out[4] = OPENBMP_VERSION_MAJOR;
  out[5] = OPENBMP_VERSION_MINOR;
  view.setUint16(6, headerLength);
  view.setUint32(8, bmp.length);
  out[12] = FLAG_ROUTER_MESSAGE | (router.family === 6 ? FLAG_ROUTER_IPV6 : 0);
  out[13] = OPENBMP_OBJECT_BMP_RAW;
  view.setUint32(14, seconds);
  view.setUint32(18, micros);
  out.set(collectorHash, 22);
  view.setUint16(38, adminId.length);
  out.set(adminId, 40);
  let at = 40 + adminId.length;
  out.set(routerHash, at);
  at += 16;
  putWord(out, at, router.w0);
  if (router.family === 6) {
    putWord(out, at + 4, router.w1);
    putWord(out, at + 8, router.w2);
    putWord(out, at + 12, router.w3);
  }
  at += 16;
  view.setUint16(at, group.length);
  out.set(group, at + 2);
  at += 2 + group.length;
  view.setUint32(at, 1);
  out.set(bmp, headerLength);
  return out;
}

/**
 * The header of a router's records, encoded once (e.g. per router) for {@link stampOpenBmpRecord}.
 * @throws RibstoreError `ENCODE_ERROR` as {@link encodeOpenBmpRecord}.
 */
export function openBmpHeaderTemplate(fields: Omit<OpenBmpHeaderFields, 'timestampSeconds' | 'timestampMicroseconds'>): Uint8Array {
  return encodeOpenBmpRecord({ ...fields, timestampSeconds: 0, timestampMicroseconds: 0 }, new Uint8Array(0));
}

/**
 * Frame one BMP message with a header from {@link openBmpHeaderTemplate}: the same bytes as
 * {@link encodeOpenBmpRecord} with those fields, only the message length and time written per
 * message (no hashing or text encoding per message: the publisher's hot path).
 * @throws RibstoreError `ENCODE_ERROR` for a timestamp out of range or a message over 4 GiB.
 */
export function stampOpenBmpRecord(template: Uint8Array, seconds: number, micros: number, bmp: Uint8Array): Uint8Array {
  const out = new Uint8Array(template.length + bmp.length);
  stampOpenBmpHeader(out, template, seconds, micros, bmp.length);
  out.set(bmp, template.length);
  return out;
}

/**
 * Write the header of {@link stampOpenBmpRecord} into the first `template.length` bytes of `out`,
 * for a BMP message of `bmpLength` bytes that is (or will be) right after it: the record without
 * copying the message (the publish worker reads messages straight into place behind the header).
 * @throws RibstoreError `ENCODE_ERROR` for a timestamp out of range or a message over 4 GiB.
 */
export function stampOpenBmpHeader(out: Uint8Array, template: Uint8Array, seconds: number, micros: number, bmpLength: number): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff || !Number.isInteger(micros) || micros < 0 || micros > 999999) {
    throw new RibstoreError('ENCODE_ERROR', `OpenBMP timestamp ${seconds}.${micros} out of range`);
  }
  if (bmpLength > 0xffffffff) throw new RibstoreError('ENCODE_ERROR', `BMP message of ${bmpLength} bytes is too long for OpenBMP`);
  out.set(template, 0);
  putWord(out, 8, bmpLength);
  putWord(out, 14, seconds);
  putWord(out, 18, micros);
}

/** Whether `bytes` at `offset` start with the OpenBMP magic (a cheap format sniff). */
export function startsWithOpenBmpMagic(bytes: Uint8Array, offset = 0): boolean {
  return bytes.length - offset >= 4 && bytes[offset] === 0x4f && bytes[offset + 1] === 0x42 && bytes[offset + 2] === 0x4d && bytes[offset + 3] === 0x50;
}

/**
 * The total length of the record at `offset`, read from its first {@link OPENBMP_PREFIX_LENGTH}
 * bytes, or `null` when fewer are present. Checks magic and version.
 * @param streamOffset added to offsets in errors (the record's position in its stream).
 * @throws DecodeError for a bad magic, version or header length.
 */
export function openBmpRecordLength(bytes: Uint8Array, offset = 0, streamOffset = offset): number | null {
  if (bytes.length - offset < OPENBMP_PREFIX_LENGTH) return null;
  if (!startsWithOpenBmpMagic(bytes, offset)) throw new DecodeError(MESSAGE_TYPE, streamOffset, 'bad magic (expected "OBMP")');
  const major = bytes[offset + 4]!;
  const minor = bytes[offset + 5]!;
  if (major !== OPENBMP_VERSION_MAJOR || minor !== OPENBMP_VERSION_MINOR) {
    throw new DecodeError(MESSAGE_TYPE, streamOffset + 4, `unsupported version ${major}.${minor} (expected 1.7)`);
  }
  const headerLength = (bytes[offset + 6]! << 8) | bytes[offset + 7]!;
  if (headerLength < OPENBMP_FIXED_HEADER_LENGTH) {
    throw new DecodeError(MESSAGE_TYPE, streamOffset + 6, `header length ${headerLength} is below the minimum ${OPENBMP_FIXED_HEADER_LENGTH}`);
  }
  const messageLength = ((bytes[offset + 8]! << 24) | (bytes[offset + 9]! << 16) | (bytes[offset + 10]! << 8) | bytes[offset + 11]!) >>> 0;
  return headerLength + messageLength;
}

/**
 * Decode the OpenBMP raw record at `offset`; `bytes` must hold all of it (see
 * {@link openBmpRecordLength}). Every length is checked against the bytes present.
 * @param streamOffset added to offsets in errors (the record's position in its stream).
 * @throws DecodeError for a truncated or malformed record, or one that is not a raw BMP message.
 */
export function decodeOpenBmpRecord(bytes: Uint8Array, offset = 0, streamOffset = offset): OpenBmpRecord {
  const fail = (at: number, why: string): DecodeError => new DecodeError(MESSAGE_TYPE, streamOffset + (at - offset), why);
  const length = openBmpRecordLength(bytes, offset, streamOffset);
  if (length === null) throw fail(bytes.length, `truncated: ${bytes.length - offset} bytes, need at least ${OPENBMP_PREFIX_LENGTH}`);
  if (bytes.length - offset < length) throw fail(bytes.length, `truncated: record of ${length} bytes, ${bytes.length - offset} present`);
  const headerLength = (bytes[offset + 6]! << 8) | bytes[offset + 7]!;
  const headerEnd = offset + headerLength;
  const flags = bytes[offset + 12]!;
  if ((flags & FLAG_ROUTER_MESSAGE) === 0) throw fail(offset + 12, `flags 0x${flags.toString(16)}: not a router message`);
  const objectType = bytes[offset + 13]!;
  if (objectType !== OPENBMP_OBJECT_BMP_RAW) throw fail(offset + 13, `object type ${objectType} is not BMP_RAW (12)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const timestampSeconds = view.getUint32(offset + 14);
  const timestampMicroseconds = view.getUint32(offset + 18);
  const collectorHash = bytes.slice(offset + 22, offset + 38);
  const adminIdLength = view.getUint16(offset + 38);
  let at = offset + 40;
  // The fixed fields after the admin id need 38 more bytes (hash, address, group length, rows).
  if (at + adminIdLength + 38 > headerEnd) throw fail(offset + 38, `admin id length ${adminIdLength} overruns the ${headerLength}-byte header`);
  const collectorAdminId = Buffer.from(bytes.buffer, bytes.byteOffset + at, adminIdLength).toString('utf8');
  at += adminIdLength;
  const routerHash = bytes.slice(at, at + 16);
  at += 16;
  const routerAddress = addressFromBytes(flags & FLAG_ROUTER_IPV6 ? 6 : 4, bytes, at);
  at += 16;
  const groupLength = view.getUint16(at);
  at += 2;
  if (at + groupLength + 4 > headerEnd) throw fail(at - 2, `router group length ${groupLength} overruns the ${headerLength}-byte header`);
  const routerGroup = Buffer.from(bytes.buffer, bytes.byteOffset + at, groupLength).toString('utf8');
  at += groupLength;
  const rows = view.getUint32(at);
  if (rows !== 1) throw fail(at, `row count ${rows}: a BMP_RAW record carries exactly 1 message`);
  return {
    header: { collectorAdminId, collectorHash, routerAddress, routerHash, routerGroup, timestampSeconds, timestampMicroseconds, headerLength },
    bmp: bytes.subarray(headerEnd, offset + length),
    length,
  };
}
