/**
 * Byte form of a PrefixTable / PrefixMap: the logical content (prefixes in sorted order
 * and their values), never the arena, so saved files survive layout changes; restoring
 * rebuilds the trie from the sorted entries in one pass (bulk-build.ts). Entries are written
 * and read as numeric words, never as prefix text or a Prefix object each.
 *
 * It is one snapshot container (src/store/FORMAT.md) with two sections:
 * ```
 * META: kind u8 (1 = PrefixTable, 2 = PrefixMap) | entry count u32
 * ENTS: per entry: family u8 (4|6) | length u8 | ceil(length/8) packed prefix bytes | value
 *       value = u32 (PrefixTable) or u32 byte count + encoded bytes (PrefixMap)
 * ```
 * The decoder bounds-checks every read, checks family, length and value range, and
 * insists that the entry count matches and no bytes are left over.
 */
import { RibstoreError } from '../errors.js';
import type { Family } from '../ip/address.js';
import { decodeContainer, encodeContainer, requireSection, sectionId } from '../store/container.js';
import { MAX_TABLE_VALUE, topBits } from './layout.js';

/** Which structure a byte form holds. */
export const enum SerialisedKind {
  /** A PrefixTable: u32 values. */
  Table = 1,
  /** A PrefixMap: encoded values. */
  Map = 2,
}

const META = sectionId('META');
const ENTS = sectionId('ENTS');

/** Turns PrefixMap values into bytes and back. The default is JSON in UTF-8. */
export interface ValueCodec<V> {
  /** Bytes for one value. */
  encode(value: V): Uint8Array;
  /** The value from the bytes {@link ValueCodec.encode} made. */
  decode(bytes: Uint8Array): V;
}

/** The default {@link ValueCodec}: `JSON.stringify` / `JSON.parse` in UTF-8. */
export const jsonValueCodec: ValueCodec<unknown> = {
  encode(value) {
    const text = JSON.stringify(value);
    if (text === undefined) throw new RibstoreError('ENCODE_ERROR', `value ${String(value)} has no JSON form; pass a ValueCodec`);
    return new TextEncoder().encode(text);
  },
  decode(bytes) {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  },
};

/** A growable byte buffer for the ENTS section. */
class ByteWriter {
  bytes = new Uint8Array(1024);
  length = 0;
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  u32(value: number): void {
    this.reserve(4);
    const b = this.bytes;
    const at = this.length;
    b[at] = value >>> 24;
    b[at + 1] = value >>> 16;
    b[at + 2] = value >>> 8;
    b[at + 3] = value;
    this.length += 4;
  }
}

/** Receives one entry: family, network words, length, value. */
export type EntrySink<T> = (family: Family, w0: number, w1: number, w2: number, w3: number, length: number, value: T) => void;

/** Calls its argument once per entry, in sorted order (as `entries()` yields them). */
export type EntrySource<T> = (sink: EntrySink<T>) => void;

/**
 * Encode the entries `source` hands over as numbers (no prefix text on the way). `writeValue`
 * appends one value to the writer.
 */
function encodeEntries<T>(kind: SerialisedKind, source: EntrySource<T>, writeValue: (w: ByteWriter, value: T) => void): Uint8Array {
  const w = new ByteWriter();
  let count = 0;
  source((family, w0, w1, w2, w3, length, value) => {
    w.reserve(2 + 16);
    w.bytes[w.length] = family;
    w.bytes[w.length + 1] = length;
    w.length = packNetwork(w.bytes, w.length + 2, w0 & topBits(length), w1 & topBits(length - 32), w2 & topBits(length - 64), w3 & topBits(length - 96), length);
    writeValue(w, value);
    count++;
  });
  const meta = new Uint8Array(5);
  meta[0] = kind;
  new DataView(meta.buffer).setUint32(1, count);
  return encodeContainer([
    { id: META, payload: meta },
    { id: ENTS, payload: w.bytes.subarray(0, w.length) },
  ]);
}


/**
 * Decode entries written by {@link encodeEntries}, calling `sink` for each; returns the
 * entry count the file declares. `readValue` reads a value at `at` and returns
 * `[value, next offset]`, calling `fail` on bad input.
 */
function decodeEntries<T>(
  bytes: Uint8Array,
  source: string,
  kind: SerialisedKind,
  readValue: (payload: Uint8Array, at: number, fail: (why: string) => never) => [T, number],
  sink: EntrySink<T>,
): number {
  const sections = decodeContainer(bytes, source);
  const meta = requireSection(sections, META, source);
  const failMeta = (why: string): never => {
    throw new RibstoreError('FILE_ERROR', `${source}: section META: ${why}`);
  };
  if (meta.length !== 5) failMeta(`expected 5 bytes, found ${meta.length}`);
  const wanted = kind === SerialisedKind.Table ? 'PrefixTable' : 'PrefixMap';
  if (meta[0] !== kind) failMeta(`holds kind ${meta[0]}, not a ${wanted} (kind ${kind})`);
  const count = new DataView(meta.buffer, meta.byteOffset, 5).getUint32(1);
  const ents = requireSection(sections, ENTS, source);
  let at = 0;
  const fail = (why: string): never => {
    throw new RibstoreError('FILE_ERROR', `${source}: section ENTS at offset ${at}: ${why}`);
  };
  let seen = 0;
  const network = new Int32Array(4);
  while (at < ents.length) {
    if (seen === count) fail(`more entries than the ${count} META declares`);
    if (ents.length - at < 2) fail('truncated entry head');
    const family = ents[at]!;
    const length = ents[at + 1]!;
    if (family !== 4 && family !== 6) fail(`bad address family ${family}`);
    const max = family === 4 ? 32 : 128;
    if (length > max) fail(`prefix length ${length} is too long for IPv${family}`);
    const byteCount = (length + 7) >>> 3;
    if (ents.length - at - 2 < byteCount) fail('truncated prefix bytes');
    unpackNetwork(ents, at + 2, byteCount, network);
    const [value, next] = readValue(ents, at + 2 + byteCount, fail);
    // Host bits in the last byte are dropped (IPv4 reads at most 4 bytes: words 1-3 stay 0).
    sink(
      family as Family,
      (network[0]! & topBits(length)) >>> 0,
      (network[1]! & topBits(length - 32)) >>> 0,
      (network[2]! & topBits(length - 64)) >>> 0,
      (network[3]! & topBits(length - 96)) >>> 0,
      length,
      value,
    );
    at = next;
    seen++;
  }
  if (seen !== count) fail(`found ${seen} entries, META declares ${count}`);
  return count;
}

/**
 * Write the first `ceil(length/8)` bytes of the network w0..w3 (most significant first) at
 * `at`; returns the offset after them. Straight from the words: no Prefix object per entry.
 */
function packNetwork(out: Uint8Array, at: number, w0: number, w1: number, w2: number, w3: number, length: number): number {
  const byteCount = (length + 7) >>> 3;
  for (let i = 0; i < byteCount; i++) {
    const word = i < 4 ? w0 : i < 8 ? w1 : i < 12 ? w2 : w3;
    out[at + i] = word >>> (24 - 8 * (i & 3));
  }
  return at + byteCount;
}

/** Read `byteCount` packed network bytes at `at` into the four words of `network` (zero-filled). */
function unpackNetwork(bytes: Uint8Array, at: number, byteCount: number, network: Int32Array): void {
  network.fill(0);
  for (let i = 0; i < byteCount; i++) network[i >>> 2]! |= bytes[at + i]! << (24 - 8 * (i & 3));
}

function readU32(payload: Uint8Array, at: number): number {
  return ((payload[at]! << 24) | (payload[at + 1]! << 16) | (payload[at + 2]! << 8) | payload[at + 3]!) >>> 0;
}

/** Bytes of a PrefixTable's entries, handed over in sorted order by `entries`. */
export function encodeTableEntries(entries: EntrySource<number>): Uint8Array {
  return encodeEntries(SerialisedKind.Table, entries, (w, value) => w.u32(value));
}

/**
 * Decode PrefixTable bytes into `sink`; returns the declared entry count.
 * @throws RibstoreError `FILE_ERROR` naming `source`, the section and the reason.
 */
export function decodeTableEntries(bytes: Uint8Array, source: string, sink: EntrySink<number>): number {
  return decodeEntries(
    bytes,
    source,
    SerialisedKind.Table,
    (payload, at, fail) => {
      if (payload.length - at < 4) fail('truncated value');
      const value = readU32(payload, at);
      if (value > MAX_TABLE_VALUE) fail(`value ${value} is above the PrefixTable maximum ${MAX_TABLE_VALUE}`);
      return [value, at + 4];
    },
    sink,
  );
}

/** Bytes of a PrefixMap's entries, values through `codec`. */
export function encodeMapEntries<V>(entries: EntrySource<V>, codec: ValueCodec<V>): Uint8Array {
  return encodeEntries(SerialisedKind.Map, entries, (w, value) => {
    const encoded = codec.encode(value);
    w.u32(encoded.length);
    w.reserve(encoded.length);
    w.bytes.set(encoded, w.length);
    w.length += encoded.length;
  });
}

/**
 * Decode PrefixMap bytes into `sink`, values through `codec`; returns the declared count.
 * @throws RibstoreError `FILE_ERROR` naming `source`, the section and the reason (a codec
 *   error is wrapped likewise).
 */
export function decodeMapEntries<V>(bytes: Uint8Array, source: string, codec: ValueCodec<V>, sink: EntrySink<V>): number {
  return decodeEntries(
    bytes,
    source,
    SerialisedKind.Map,
    (payload, at, fail) => {
      if (payload.length - at < 4) fail('truncated value length');
      const size = readU32(payload, at);
      if (payload.length - at - 4 < size) fail(`truncated value: ${size} bytes declared, ${payload.length - at - 4} remain`);
      let value: V;
      try {
        value = codec.decode(payload.subarray(at + 4, at + 4 + size));
      } catch (error) {
        return fail(`value cannot be decoded: ${error instanceof Error ? error.message : String(error)}`);
      }
      return [value, at + 4 + size];
    },
    sink,
  );
}
