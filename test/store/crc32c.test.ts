/** CRC-32C against published check values (RFC 3720 appendix B.4 and the "123456789" check). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '../../src/store/crc32c.js';

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
