/**
 * The IPv6 text parser against an independent one: the WHATWG URL host parser (Node's URL),
 * whose canonical hostname is expanded back to words by a few lines of splitting here. On
 * text made from valid pieces with random damage (digits, case, '::', IPv4 tails, stray
 * characters), both accept the same strings and agree on the words; parseAddressInto (the
 * string-lookup path) agrees with parseAddress.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RibstoreError, parseAddress } from '../../src/index.js';
import { parseAddressInto } from '../../src/ip/address.js';

/** Words of the address as the URL parser reads it, or null if it refuses the text. */
function viaUrl(text: string): number[] | null {
  if (/[^0-9a-fA-F:.]/.test(text)) return null; // URL would percent-decode or take a zone; we refuse both
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
  const before = head === '' ? [] : head!.split(':');
  const after = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - before.length - after.length).fill('0');
  const g = [...before, ...zeros, ...after].map((x) => parseInt(x, 16));
  assert.equal(g.length, 8, host);
  return [0, 2, 4, 6].map((k) => ((g[k]! << 16) | g[k + 1]!) >>> 0);
}

function viaUs(text: string): number[] | null {
  try {
    const a = parseAddress(text);
    if (a.family !== 6) return null;
    const w = new Uint32Array(4);
    assert.equal(parseAddressInto(text, w), 6);
    assert.deepEqual([...w], [a.w0, a.w1, a.w2, a.w3]);
    return [a.w0, a.w1, a.w2, a.w3];
  } catch (error) {
    assert.ok(error instanceof RibstoreError && error.code === 'INVALID_ADDRESS', String(error));
    assert.throws(() => parseAddressInto(text, new Uint32Array(4)), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ADDRESS');
    return null;
  }
}

const hexGroup = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((x) => x.toString(16)),
  fc.integer({ min: 0, max: 0xffff }).map((x) => x.toString(16).toUpperCase().padStart(4, '0')),
  fc.constantFrom('0', '00000', '12345', 'g', ''),
);
const v4Tail = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
  fc.constantFrom('1.2.3', '01.2.3.4', '256.1.1.1', '1.2.3.4.5', '1..2.3'),
);
const text = fc
  .tuple(fc.array(hexGroup, { minLength: 0, maxLength: 9 }), fc.nat(9), fc.boolean(), fc.option(v4Tail), fc.option(fc.tuple(fc.nat(45), fc.constantFrom(':', '.', 'x', '%', ' ', '::'))))
  .map(([groups, at, compress, tail, damage]) => {
    const parts = groups.slice();
    let s = compress ? `${parts.slice(0, at).join(':')}::${parts.slice(at).join(':')}` : parts.join(':');
    if (tail !== null) s += (s === '' || s.endsWith(':') ? '' : ':') + tail;
    if (damage !== null) s = s.slice(0, damage[0]) + damage[1] + s.slice(damage[0]);
    return s;
  });

test('parseIPv6 accepts what the WHATWG URL parser accepts and reads the same words (property)', () => {
  fc.assert(
    fc.property(text, (s) => {
      fc.pre(s.includes(':'));
      assert.deepEqual(viaUs(s), viaUrl(s), JSON.stringify(s));
    }),
    { numRuns: 5000 },
  );
});

test('parseAddressInto reads IPv4 too and names bad text', () => {
  const w = new Uint32Array(4).fill(7);
  assert.equal(parseAddressInto('192.0.2.1', w), 4);
  assert.deepEqual([...w], [0xc0000201, 0, 0, 0]);
  for (const bad of ['', '1.2.3', '::g', '1:2', 'fe80::1%eth0']) {
    assert.throws(
      () => parseAddressInto(bad, w),
      (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ADDRESS' && e.message.includes(JSON.stringify(bad)),
    );
  }
  assert.throws(() => parseAddressInto(42 as unknown as string, w), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ADDRESS');
});
