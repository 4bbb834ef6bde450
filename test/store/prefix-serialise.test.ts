/** PrefixMap / PrefixTable toBytes → fromBytes gives back exactly the same entries. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Prefix } from '../../src/ip/prefix.js';
import { PrefixMap, PrefixTable } from '../../src/table/index.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const prefixArb = fc.oneof(
  fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([w, l]) => new Prefix(4, w, 0, 0, 0, l)),
  fc.tuple(u32, u32, u32, u32, fc.integer({ min: 0, max: 128 })).map(([a, b, c, d, l]) => new Prefix(6, a, b, c, d, l)),
  fc.constantFrom(new Prefix(4, 0, 0, 0, 0, 0), new Prefix(6, 0, 0, 0, 0, 0), new Prefix(4, 0xffffffff, 0, 0, 0, 32), new Prefix(6, 1, 2, 3, 0xffffffff, 128)),
);

test('PrefixTable: random tables round trip (IPv4/IPv6, /0, /32, /128, empty)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(prefixArb, fc.integer({ min: 0, max: 0x7fffffff })), { maxLength: 200 }), (pairs) => {
      const table = new PrefixTable();
      for (const [p, v] of pairs) table.set(p, v);
      const back = PrefixTable.fromBytes(table.toBytes(), 'rt.snap');
      assert.deepEqual([...back.entries()], [...table.entries()]);
    }),
    { numRuns: 150 },
  );
});

test('PrefixMap: random maps round trip with the JSON default and with a custom codec', () => {
  const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.record({ asPath: fc.array(fc.nat()), note: fc.string() }));
  fc.assert(
    fc.property(fc.array(fc.tuple(prefixArb, value), { maxLength: 150 }), (pairs) => {
      const map = new PrefixMap<unknown>();
      for (const [p, v] of pairs) map.set(p, v);
      const back = PrefixMap.fromBytes<unknown>(map.toBytes(), 'rt.snap');
      // fast-check records have a null prototype; JSON.parse gives plain objects: compare the JSON.
      assert.equal(JSON.stringify([...back.entries()]), JSON.stringify([...map.entries()]));
    }),
    { numRuns: 100 },
  );
  const codec = { encode: (v: number) => Uint8Array.of(v), decode: (b: Uint8Array) => b[0]! };
  const map = new PrefixMap<number>([
    ['10.0.0.0/8', 7],
    ['::/0', 255],
  ]);
  const back = PrefixMap.fromBytes(map.toBytes(codec), 'c.snap', codec);
  assert.deepEqual([...back.entries()], [...map.entries()]);
  assert.equal(back.lookup('10.1.2.3'), 7);
});

test('empty map and table round trip to empty', () => {
  assert.equal(PrefixMap.fromBytes(new PrefixMap().toBytes()).size, 0);
  assert.equal(PrefixTable.fromBytes(new PrefixTable().toBytes()).size, 0);
});
