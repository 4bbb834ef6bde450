/**
 * The byte form stays the same since entries are written and read as words (no prefix text,
 * no Prefix object each): files written before (fixtures made by the encoder of 2026-12-04,
 * before the bulk build) load, and the same table still writes exactly those bytes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PrefixMap, PrefixTable, RibstoreError } from '../../src/index.js';

const ENTRIES: [string, number][] = [
  ['0.0.0.0/0', 0],
  ['10.0.0.0/8', 1],
  ['10.1.0.0/16', 2],
  ['10.1.2.0/23', 3],
  ['10.1.2.3/32', 2147483647],
  ['255.255.255.255/32', 5],
  ['::/0', 6],
  ['2001:db8::/32', 7],
  ['2001:db8:1::/48', 8],
  ['2001:db8:1:2::/63', 12],
  ['2001:db8:1:2:3:4:5:6/127', 9],
  ['8000::/1', 11],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 10],
];

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../../test/table/fixtures/${name}`, import.meta.url)));
}

test('a PrefixTable file written before loads, and the same table writes the same bytes', () => {
  const old = fixture('table-before-bulk-build.snap');
  const table = PrefixTable.fromBytes(old, 'table-before-bulk-build.snap');
  assert.deepEqual([...table.entries()], ENTRIES);
  assert.deepEqual(table.toBytes(), old);
  const fresh = new PrefixTable();
  for (const [p, v] of ENTRIES.slice().reverse()) fresh.set(p, v);
  assert.deepEqual(fresh.toBytes(), old);
  assert.equal(table.lookup('10.1.3.200'), 3);
  assert.equal(table.lookup('2001:db8:1:2:3:4:5:7'), 9);
});

test('a PrefixMap file written before loads with its JSON values', () => {
  const old = fixture('map-before-bulk-build.snap');
  const map = PrefixMap.fromBytes<{ v: number; p: string }>(old, 'map-before-bulk-build.snap');
  assert.deepEqual(
    [...map.entries()],
    ENTRIES.map(([p, v]) => [p, { v, p }]),
  );
  assert.deepEqual(map.toBytes(), old);
});

test('a damaged old file fails with a typed error naming it', () => {
  const old = fixture('table-before-bulk-build.snap');
  const damaged = old.slice();
  damaged[damaged.length - 3]! ^= 0x40;
  assert.throws(
    () => PrefixTable.fromBytes(damaged, 'damaged.snap'),
    (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && e.message.includes('damaged.snap'),
  );
  assert.throws(
    () => PrefixMap.fromBytes(old, 'kind.snap'),
    (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && /not a PrefixMap/.test(e.message),
  );
});
