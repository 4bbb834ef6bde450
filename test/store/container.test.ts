/** The snapshot container: round trip, and every single-byte flip and every truncation is reported. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RibstoreError } from '../../src/errors.js';
import { crc32c } from '../../src/store/crc32c.js';
import { decodeContainer, encodeContainer, sectionId } from '../../src/store/container.js';
import { PrefixMap, PrefixTable } from '../../src/table/index.js';

function fileError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RibstoreError, `not a RibstoreError: ${String(error)}`);
    assert.equal(error.code, 'FILE_ERROR');
    assert.match(error.message, pattern);
    return true;
  });
}

test('container: sections round trip, including empty ones', () => {
  const sections = [
    { id: sectionId('AAAA'), payload: Uint8Array.of(1, 2, 3) },
    { id: sectionId('EMPT'), payload: new Uint8Array(0) },
  ];
  const back = decodeContainer(encodeContainer(sections), 'x.snap');
  assert.deepEqual(
    back.map((s) => [s.id, [...s.payload]]),
    sections.map((s) => [s.id, [...s.payload]]),
  );
});

test('container: bad magic, unknown version, trailing bytes are named', () => {
  const good = encodeContainer([{ id: sectionId('DATA'), payload: Uint8Array.of(9) }]);
  const bad = good.slice();
  bad[0] = 0x41;
  fileError(() => decodeContainer(bad, 'f.snap'), /^f\.snap: bad magic/);
  fileError(() => decodeContainer(Uint8Array.of(...good, 0), 'f.snap'), /f\.snap: 1 trailing bytes/);
  // A version bump with a correct header checksum is "unknown version", not a checksum error.
  const v2 = encodeContainer([]);
  v2[5] = 2;
  const view = new DataView(v2.buffer);
  view.setUint32(8, crc32c(v2, 0, 8));
  fileError(() => decodeContainer(v2, 'f.snap'), /unknown format version 2/);
});

function smallMapBytes(): Uint8Array {
  const map = new PrefixMap<string>([
    ['10.0.0.0/8', 'a'],
    ['2001:db8::/32', 'b'],
  ]);
  return map.toBytes();
}

test('container: every single-byte flip of a small PrefixMap file is a FILE_ERROR naming file and place', () => {
  const good = smallMapBytes();
  for (let i = 0; i < good.length; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const bad = good.slice();
      bad[i]! ^= mask;
      fileError(() => PrefixMap.fromBytes(bad, 'small.snap'), /^small\.snap: (bad magic|header checksum|section \d+ of \d+ \((META|ENTS|0x[0-9a-f]+|.{4})\)|\d+ trailing|unknown format)/);
    }
  }
});

test('container: flips inside a section are reported as that section', () => {
  const good = smallMapBytes();
  const bad = good.slice();
  bad[bad.length - 1]! ^= 1; // last payload byte: the ENTS section
  fileError(() => PrefixMap.fromBytes(bad, 'small.snap'), /section 1 of 2 \(ENTS\) at offset \d+: checksum mismatch/);
});

test('container: every truncation of a small PrefixTable file is a FILE_ERROR', () => {
  const table = new PrefixTable();
  table.set('0.0.0.0/0', 1).set('192.0.2.0/24', 2).set('::/0', 3).set('2001:db8::1/128', 4);
  const good = table.toBytes();
  for (let n = 0; n < good.length; n++) {
    fileError(() => PrefixTable.fromBytes(good.subarray(0, n), 'cut.snap'), /^cut\.snap: (truncated header|section \d+ of 2.*truncated)/);
  }
  assert.equal(PrefixTable.fromBytes(good, 'cut.snap').size, 4);
});

test('container: a valid container of the wrong kind or with bad entries is named', () => {
  const table = new PrefixTable();
  table.set('10.0.0.0/8', 1);
  fileError(() => PrefixMap.fromBytes(table.toBytes(), 't.snap'), /t\.snap: section META: holds kind 1/);
  const meta = Uint8Array.of(1, 0, 0, 0, 1);
  const ents = Uint8Array.of(4, 33, 10, 0, 0, 0, 0, 0, 0, 1);
  const bytes = encodeContainer([
    { id: sectionId('META'), payload: meta },
    { id: sectionId('ENTS'), payload: ents },
  ]);
  fileError(() => PrefixTable.fromBytes(bytes, 'e.snap'), /e\.snap: section ENTS at offset 0: prefix length 33 is too long for IPv4/);
});
