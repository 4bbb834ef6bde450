/**
 * CRC-32C against published check values (RFC 3720 appendix B.4 and the "123456789" check),
 * and the slicing-by-8 implementation against the byte-at-a-time definition.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc32c, CRC32C_POLYNOMIAL, makeTable } from '../../src/store/crc32c.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

test('crc32c: check value of "123456789" is 0xE3069283', () => {
  assert.equal(crc32c(ascii('123456789')), 0xe3069283);
});

test('crc32c: RFC 3720 B.4 vectors (32 zero bytes, 32 0xFF bytes, 0..31)', () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
});

test('crc32c: empty input is 0 and pieces chain to the whole', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
  const data = ascii('123456789');
  assert.equal(crc32c(data, 4, 9, crc32c(data, 0, 4)), 0xe3069283);
});

/** The definition: one table lookup per byte, no slicing. */
const BYTE_TABLE = makeTable(CRC32C_POLYNOMIAL);
function bytewise(bytes: Uint8Array, start: number, end: number, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = BYTE_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

test('crc32c: equals the byte-at-a-time definition for random buffers, offsets and split points', () => {
  // Lengths drawn uniformly up to 1500 (fast-check's own arrays stay short) so both the short
  // (byte-assembled) and the long (word view) paths run; random starts hit every misalignment.
  const input = fc
    .integer({ min: 0, max: 1500 })
    .chain((length) => fc.tuple(fc.uint8Array({ minLength: length, maxLength: length }), fc.nat(), fc.nat(), fc.nat()))
    .map(([bytes, a, b, c]) => {
      const [start, split, end] = [a % (bytes.length + 1), b % (bytes.length + 1), c % (bytes.length + 1)].sort((x, y) => x - y) as [number, number, number];
      return { bytes, start, split, end };
    });
  fc.assert(
    fc.property(input, fc.nat({ max: 7 }), ({ bytes, start, split, end }, shift) => {
      // Copy into a buffer at `shift` so byteOffset varies too, as with pooled node Buffers.
      const backing = new Uint8Array(bytes.length + shift);
      backing.set(bytes, shift);
      const view = backing.subarray(shift);
      const whole = bytewise(view, start, end);
      assert.equal(crc32c(view, start, end), whole);
      assert.equal(crc32c(view, split, end, crc32c(view, start, split)), whole);
    }),
    { numRuns: 500 },
  );
});
