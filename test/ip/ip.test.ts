import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  Address,
  Prefix,
  RibstoreError,
  comparePrefixes,
  formatIPv6,
  parseAddress,
  parseIPv4,
  parsePrefix,
} from '../../src/index.js';
import { parseIPv6 } from '../../src/ip/address.js';
import { prefixFromBytes, prefixToBytes } from '../../src/ip/prefix.js';

function throwsCode(fn: () => unknown, code: string, mentions: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RibstoreError, 'a RibstoreError');
    assert.equal(error.code, code);
    assert.ok(error.message.includes(mentions), `message ${JSON.stringify(error.message)} names ${mentions}`);
    return true;
  });
}

test('IPv4 parse and format', () => {
  assert.equal(parseIPv4('0.0.0.0'), 0);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('192.0.2.1'), 0xc0000201);
  assert.equal(parseAddress('10.1.2.3').toString(), '10.1.2.3');
});

test('IPv4 rejects bad text with INVALID_ADDRESS', () => {
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', '', '1..2.3', 'a.b.c.d', '-1.2.3.4']) {
    throwsCode(() => parseAddress(bad), 'INVALID_ADDRESS', JSON.stringify(bad));
  }
});

test('IPv6 parses every RFC 4291 form and prints RFC 5952', () => {
  const cases: Array<[string, string]> = [
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:DB8:0:0:8:800:200C:417A', '2001:db8::8:800:200c:417a'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::192.0.2.1', '::192.0.2.1'],
    ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['fe80::', 'fe80::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
  ];
  for (const [input, canonical] of cases) assert.equal(parseAddress(input).toString(), canonical, input);
  const a = parseAddress('2001:db8::1');
  assert.deepEqual([a.family, a.w0, a.w1, a.w2, a.w3], [6, 0x20010db8, 0, 0, 1]);
});

test('IPv6 parses any eight groups written with any run of zero groups as ::, in any case (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
      fc.nat(8),
      fc.nat(8),
      fc.boolean(),
      (g, a, b, upper) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        if (to - from >= 1) for (let k = from; k < to; k++) g[k] = 0;
        const hex = (k: number): string => (upper ? g[k]!.toString(16).toUpperCase() : g[k]!.toString(16));
        const text =
          to - from >= 1
            ? `${g.slice(0, from).map((_, k) => hex(k)).join(':')}::${g.slice(to).map((_, k) => hex(to + k)).join(':')}`
            : g.map((_, k) => hex(k)).join(':');
        const words = parseIPv6(text, new Uint32Array(4));
        assert.deepEqual([...words], [0, 2, 4, 6].map((k) => ((g[k]! << 16) | g[k + 1]!) >>> 0), text);
      },
    ),
    { numRuns: 2000 },
  );
});

test('IPv6 rejects bad text with INVALID_ADDRESS', () => {
  const bad = ['::g', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':1::', '1::2:', '1:2:3:4:5:6:7', 'fe80::1%eth0', '::1.2.3', '1:2:3:4:5:6:7:1.2.3.4', '::ffff:256.0.0.1'];
  for (const text of bad) throwsCode(() => parseAddress(text), 'INVALID_ADDRESS', JSON.stringify(text));
});

test('IPv6 formatting agrees with the WHATWG URL serialiser (which never writes an IPv4 tail)', () => {
  const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
  fc.assert(
    fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (g) => {
      const w = [0, 1, 2, 3].map((k) => ((g[2 * k]! << 16) | g[2 * k + 1]!) >>> 0) as [number, number, number, number];
      const ours = formatIPv6(...w);
      const embedded = g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || (g[5] === 0 && g[6] !== 0));
      fc.pre(!embedded);
      const url = new URL(`http://[${g.map((x) => x.toString(16)).join(':')}]/`).hostname.slice(1, -1);
      assert.equal(ours, url);
      assert.equal(parseAddress(ours).toString(), ours);
    }),
    { numRuns: 2000 },
  );
});

test('prefixes mask host bits and print canonically', () => {
  assert.equal(parsePrefix('10.1.2.3/8').toString(), '10.0.0.0/8');
  assert.equal(parsePrefix('2001:db8:ffff::1/33').toString(), '2001:db8:8000::/33');
  assert.equal(parsePrefix('0.0.0.0/0').toString(), '0.0.0.0/0');
  assert.equal(parsePrefix('::/0').toString(), '::/0');
  assert.equal(parsePrefix('192.0.2.7').toString(), '192.0.2.7/32');
  assert.equal(parsePrefix('2001:db8::1/128').toString(), '2001:db8::1/128');
});

test('bad prefixes throw INVALID_PREFIX naming the input', () => {
  for (const bad of ['1.2.3.4/33', '1.2.3/24', '::g/64', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/08', '10.0.0.0/8/8', '2001:db8::/1.5']) {
    throwsCode(() => parsePrefix(bad), 'INVALID_PREFIX', JSON.stringify(bad));
  }
  throwsCode(() => new Prefix(4, 0, 0, 0, 0, 33), 'INVALID_PREFIX', '33');
});

test('prefix order: IPv4 first, then network, then shorter first', () => {
  const sorted = ['10.0.0.0/8', '10.0.0.0/16', '10.1.0.0/16', '192.0.2.0/24', '::/0', '2001:db8::/32', '2001:db8::/48'];
  const shuffled = [...sorted].reverse().map(parsePrefix);
  assert.deepEqual(shuffled.sort(comparePrefixes).map(String), sorted);
});

test('contains', () => {
  const p = parsePrefix('10.0.0.0/8');
  assert.ok(p.contains(parsePrefix('10.1.0.0/16')));
  assert.ok(p.contains(p));
  assert.ok(!p.contains(parsePrefix('0.0.0.0/0')));
  assert.ok(p.contains(parseAddress('10.255.255.255')));
  assert.ok(!p.contains(parseAddress('11.0.0.0')));
  assert.ok(!p.contains(parseAddress('::a00:0')));
  assert.ok(parsePrefix('::/0').contains(parseAddress('2001:db8::1')));
});

test('NLRI byte form round-trips for every length (property)', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }), fc.nat(128), (v6, w, len) => {
      const p = v6 ? new Prefix(6, w[0]!, w[1]!, w[2]!, w[3]!, len) : new Prefix(4, w[0]!, 0, 0, 0, len % 33);
      const bytes = new Uint8Array(17);
      const end = prefixToBytes(p, bytes, 1);
      assert.equal(end, 1 + ((p.length + 7) >>> 3));
      assert.ok(prefixFromBytes(p.family, bytes, 1, p.length).equals(p));
      assert.ok(parsePrefix(p.toString()).equals(p));
    }),
    { numRuns: 2000 },
  );
});

test('Address equality and numeric construction', () => {
  assert.ok(new Address(4, 0xc0000201).equals(parseAddress('192.0.2.1')));
  assert.equal(new Address(4, -1).toString(), '255.255.255.255');
});
