/** PrefixMap and PrefixTable by example: the public API, its errors and its edge cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  PrefixMap,
  PrefixTable,
  RibstoreError,
  parseAddress,
  parseIPv4,
  parsePrefix,
} from '../../src/index.js';

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => error instanceof RibstoreError && error.code === code);
}

test('Map-like basics over both families', () => {
  const map = new PrefixMap<string>([
    ['10.0.0.0/8', 'ten'],
    ['10.1.0.0/16', 'ten-one'],
  ]);
  map.set('2001:db8::/32', 'doc').set(parsePrefix('0.0.0.0/0'), 'default');
  assert.equal(map.size, 4);
  assert.equal(map.get('10.1.0.0/16'), 'ten-one');
  assert.equal(map.get('10.1.2.3/16'), 'ten-one', 'host bits are masked on the way in');
  assert.equal(map.has('10.2.0.0/16'), false);
  assert.equal(map.get('2001:DB8:0::/32'), 'doc', 'IPv6 text is canonicalised');
  map.set('10.1.0.0/16', 'replaced');
  assert.equal(map.size, 4);
  assert.equal(map.get('10.1.0.0/16'), 'replaced');
  assert.equal(map.delete('10.1.0.0/16'), true);
  assert.equal(map.delete('10.1.0.0/16'), false);
  assert.equal(map.size, 3);
  map.clear();
  assert.equal(map.size, 0);
  assert.equal(map.lookup('10.1.2.3'), undefined);
});

test('longest-prefix match, entries, supernets, subnets, overlaps', () => {
  const map = new PrefixMap<number>();
  const routes = ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '10.1.2.128/25', '::/0', '2001:db8::/32', '2001:db8::1/128'];
  routes.forEach((r, i) => map.set(r, i));
  assert.equal(map.lookup('10.1.2.3'), 4);
  assert.equal(map.lookup('10.1.2.200'), 5);
  assert.equal(map.lookup('10.1.2.4'), 3);
  assert.equal(map.lookup('10.9.9.9'), 1);
  assert.equal(map.lookup('11.0.0.1'), 0);
  assert.equal(map.lookup('2001:db8::1'), 8);
  assert.equal(map.lookup('2001:db8::2'), 7);
  assert.equal(map.lookup('2002::'), 6);
  assert.deepEqual(map.lookupEntry('10.1.2.200'), ['10.1.2.128/25', 5]);
  assert.deepEqual(map.lookupEntry(parseAddress('2001:db8::5')), ['2001:db8::/32', 7]);
  assert.deepEqual(map.lookupPrefix('10.1.2.0/23'), ['10.1.0.0/16', 2]);
  assert.deepEqual(map.lookupPrefix('10.1.2.0/24'), ['10.1.2.0/24', 3]);
  assert.deepEqual(
    [...map.supernets('10.1.2.3/32')].map(([k]) => k),
    ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32'],
  );
  assert.deepEqual(
    [...map.subnets('10.1.0.0/16')].map(([k]) => k),
    ['10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '10.1.2.128/25'],
  );
  assert.deepEqual([...map.subnets('192.168.0.0/16')], []);
  assert.equal(map.overlaps('10.1.2.0/30'), true);
  assert.equal(map.overlaps('2001:db8::/16'), true);
  map.delete('0.0.0.0/0');
  assert.equal(map.overlaps('192.168.0.0/16'), false);
  assert.deepEqual([...map.keys()], [
    '10.0.0.0/8',
    '10.1.0.0/16',
    '10.1.2.0/24',
    '10.1.2.3/32',
    '10.1.2.128/25',
    '::/0',
    '2001:db8::/32',
    '2001:db8::1/128',
  ]);
  assert.deepEqual([...map.values()], [1, 2, 3, 4, 5, 6, 7, 8]);
  const seen: string[] = [];
  map.forEach((value, key) => seen.push(`${key}=${value}`));
  assert.equal(seen[0], '10.0.0.0/8=1');
  assert.deepEqual([...map].length, 8);
});

test('numeric fast paths and batch lookups with value handles', () => {
  const map = new PrefixMap<{ name: string }>();
  const a = { name: 'a' };
  const b = { name: 'b' };
  map.set('192.0.2.0/24', a).set('2001:db8::/32', b);
  assert.equal(map.lookupV4(parseIPv4('192.0.2.77')), a);
  assert.equal(map.lookupV4(parseIPv4('192.0.3.1')), undefined);
  assert.equal(map.lookupV6(0x20010db8, 0, 0, 1), b);
  assert.equal(map.lookupV6(0x20010db9, 0, 0, 1), undefined);
  const out = map.lookupBatchV4(Uint32Array.of(parseIPv4('192.0.2.1'), parseIPv4('8.8.8.8'), 0xc00002ff), new Int32Array(3));
  assert.equal(out[1], -1);
  assert.equal(map.valueOf(out[0]!), a);
  assert.equal(map.valueOf(out[2]!), a);
  assert.equal(map.valueOf(-1), undefined);
  const out6 = map.lookupBatchV6(Uint32Array.of(0x20010db8, 1, 2, 3, 0x20020000, 0, 0, 0), new Int32Array(2));
  assert.equal(map.valueOf(out6[0]!), b);
  assert.equal(out6[1], -1);
  throwsCode(() => map.lookupBatchV4(new Uint32Array(4), new Int32Array(3)), 'INVALID_ARGUMENT');
  throwsCode(() => map.lookupBatchV6(new Uint32Array(5), new Int32Array(3)), 'INVALID_ARGUMENT');
});

test('bad input throws typed errors', () => {
  const map = new PrefixMap<number>();
  throwsCode(() => map.set('10.0.0.0/33', 1), 'INVALID_PREFIX');
  throwsCode(() => map.get('nonsense'), 'INVALID_PREFIX');
  throwsCode(() => map.lookup('1.2.3'), 'INVALID_ADDRESS');
  throwsCode(() => map.setWords(4, 0, 0, 0, 0, 40, 1), 'INVALID_PREFIX');
  assert.equal(map.size, 0, 'a failed set leaves nothing behind');
  assert.equal(map.stats().freeValueSlots, map.stats().valueSlots);
  const table = new PrefixTable();
  throwsCode(() => table.set('10.0.0.0/8', -1), 'INVALID_ARGUMENT');
  throwsCode(() => table.set('10.0.0.0/8', 2 ** 31), 'INVALID_ARGUMENT');
  throwsCode(() => table.set('10.0.0.0/8', 1.5), 'INVALID_ARGUMENT');
  throwsCode(() => table.snapshot().share(), 'INVALID_ARGUMENT');
});

test('PrefixTable: integer values, numeric words, exchange and delete results', () => {
  const table = new PrefixTable();
  table.set('10.0.0.0/8', 7);
  assert.equal(table.exchangeWords(4, 0x0a000000, 0, 0, 0, 8, 9), 7);
  assert.equal(table.exchangeWords(6, 0x20010db8, 0, 0, 0, 32, 3), -1);
  assert.equal(table.getWords(6, 0x20010db8, 0xffff, 0, 0, 32), 3, 'host bits masked');
  assert.equal(table.get('10.0.0.0/8'), 9);
  assert.equal(table.lookupV4(0x0a0b0c0d), 9);
  assert.equal(table.lookup('2001:db8::1'), 3);
  assert.equal(table.deleteWords(4, 0x0a000000, 0, 0, 0, 8), 9);
  assert.equal(table.deleteWords(4, 0x0a000000, 0, 0, 0, 8), -1);
  assert.equal(table.lookupV4(0x0a0b0c0d), -1);
  assert.equal(table.size, 1);
});

test('snapshots: isolated, released explicitly or by using, and reading after release throws', () => {
  const map = new PrefixMap<string>();
  map.set('10.0.0.0/8', 'v1');
  const snap = map.snapshot();
  map.set('10.0.0.0/8', 'v2').set('10.1.0.0/16', 'new');
  assert.equal(snap.get('10.0.0.0/8'), 'v1');
  assert.equal(snap.lookup('10.1.1.1'), 'v1');
  assert.equal(snap.size, 1);
  assert.equal(map.lookup('10.1.1.1'), 'new');
  assert.ok(map.stats().retiredBlocks > 0, 'the write copied what the snapshot sees');
  snap.release();
  snap.release();
  assert.equal(map.stats().retiredBlocks, 0);
  assert.equal(map.stats().liveSnapshots, 0);
  assert.throws(() => snap.lookup('10.1.1.1'), /released/);
  {
    using scoped = map.snapshot();
    assert.equal(scoped.get('10.1.0.0/16'), 'new');
    assert.equal(map.stats().liveSnapshots, 1);
  }
  assert.equal(map.stats().liveSnapshots, 0);
});

test('a forgotten snapshot is released by the FinalizationRegistry', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const table = new PrefixTable();
  table.set('10.0.0.0/8', 1);
  (() => {
    table.snapshot();
  })();
  table.set('10.0.0.0/8', 2);
  assert.equal(table.stats().liveSnapshots, 1);
  for (let i = 0; i < 50 && table.stats().liveSnapshots !== 0; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(table.stats().liveSnapshots, 0);
  assert.equal(table.stats().retiredBlocks, 0);
});
