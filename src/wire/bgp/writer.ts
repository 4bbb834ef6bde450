/**
 * What the wire encoders (BGP here, and MRT) write with: a growable big-endian byte writer, the
 * range check a value passes before it goes into a fixed-width field, and a copy that never
 * aliases input.
 */
import { RibstoreError } from '../../errors.js';

/**
 * A growable big-endian byte writer.
 *
 * Invariant: `bytes[0, length)` holds what was written; the backing buffer doubles when
 * full, so writing n bytes costs O(n) amortised. Length fields that precede their content
 * are written as placeholders and patched with {@link ByteWriter.patchU8} /
 * {@link ByteWriter.patchU16} once the content is known.
 */
export class ByteWriter {
  private buffer: Uint8Array;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** Append one byte (the low 8 bits of `value`). */
  u8(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }

  /** Append a big-endian 16-bit value. */
  u16(value: number): void {
    this.ensure(2);
    this.buffer[this.length++] = value >>> 8;
    this.buffer[this.length++] = value;
  }

  /** Append a big-endian 24-bit value. */
  u24(value: number): void {
    this.ensure(3);
    this.buffer[this.length++] = value >>> 16;
    this.buffer[this.length++] = value >>> 8;
    this.buffer[this.length++] = value;
  }

  /** Append a big-endian 32-bit value. */
  u32(value: number): void {
    this.ensure(4);
    this.buffer[this.length++] = value >>> 24;
    this.buffer[this.length++] = value >>> 16;
    this.buffer[this.length++] = value >>> 8;
    this.buffer[this.length++] = value;
  }

  /** Append bytes. */
  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** Overwrite one byte at `offset` (already written). */
  patchU8(offset: number, value: number): void {
    this.buffer[offset] = value;
  }

  /** Overwrite a big-endian 16-bit value at `offset` (already written). */
  patchU16(offset: number, value: number): void {
    this.buffer[offset] = value >>> 8;
    this.buffer[offset + 1] = value;
  }

  /** Overwrite a big-endian 32-bit value at `offset` (already written). */
  patchU32(offset: number, value: number): void {
    this.buffer[offset] = value >>> 24;
    this.buffer[offset + 1] = value >>> 16;
    this.buffer[offset + 2] = value >>> 8;
    this.buffer[offset + 3] = value;
  }

  /** Remove `count` bytes at `offset`, moving the tail down (to shrink a length field). */
  remove(offset: number, count: number): void {
    this.buffer.copyWithin(offset, offset + count, this.length);
    this.length -= count;
  }

  /** A copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/**
 * A fresh `Uint8Array` copy of `bytes[start, end)`. Not `bytes.slice()`: on a Node.js
 * `Buffer` that returns a view sharing memory, and decoded data must not pin or alias the
 * caller's input buffer.
 */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

/**
 * `value` itself when it is an integer from 0 to `max` (the range of the field it is written
 * to). Encoders call it so that a value that does not fit fails loudly instead of being cut.
 * @throws RibstoreError `ENCODE_ERROR` naming `what`.
 */
export function checkUint(what: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RibstoreError('ENCODE_ERROR', `${what} ${value} is not an integer from 0 to ${max}`);
  }
  return value;
}
