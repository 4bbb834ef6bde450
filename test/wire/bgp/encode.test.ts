/** Encoder edge cases: size limits, segment splitting, and values that do not fit their fields. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RibstoreError } from '../../../src/errors.js';
import { Address } from '../../../src/ip/address.js';
import { parsePrefix } from '../../../src/ip/prefix.js';
import {
  FOUR_OCTET_AS_CONTEXT,
  TWO_OCTET_AS_CONTEXT,
  decodePathAttributes,
  encodePathAttributes,
  encodeUpdate,
  encodeOpen,
  encodeNotification,
  type Nlri,
} from '../../../src/wire/bgp/index.js';

const isEncodeError = (e: unknown) => e instanceof RibstoreError && e.code === 'ENCODE_ERROR';

test('an AS_SEQUENCE of 300 ASNs is written as two segments and reads back in order', () => {
  const asns = Array.from({ length: 300 }, (_, i) => 4200000000 + i);
  const bytes = encodePathAttributes({ asPath: [{ type: 2, asns }] }, FOUR_OCTET_AS_CONTEXT);
  assert.equal(bytes[0]! & 0x10, 0x10, 'over 255 bytes: extended length');
  const decoded = decodePathAttributes(bytes, 0, bytes.length, FOUR_OCTET_AS_CONTEXT);
  assert.deepEqual(decoded.attributes.asPath!.map((s) => s.asns.length), [255, 45]);
  assert.deepEqual(decoded.attributes.asPath!.flatMap((s) => s.asns), asns);
});

test('attributes come out in type-code order whatever the input order, with canonical flags', () => {
  const bytes = encodePathAttributes(
    { unknown: [{ flags: 0xe0, type: 40, value: new Uint8Array([1]) }, { flags: 0xc0, type: 12, value: new Uint8Array(0) }], med: 5, origin: 1 },
    FOUR_OCTET_AS_CONTEXT,
  );
  assert.deepEqual([...bytes], [0x40, 1, 1, 1, 0x80, 4, 4, 0, 0, 0, 5, 0xc0, 12, 0, 0xe0, 40, 1, 1]);
});

test('values that do not fit are refused with ENCODE_ERROR', () => {
  const cases: Parameters<typeof encodePathAttributes>[0][] = [
    { med: -1 },
    { med: 2 ** 32 },
    { localPref: 1.5 },
    { communities: [0x1_0000_0000] },
    { asPath: [{ type: 2, asns: [] }] },
    { asPath: [{ type: 7 as 2, asns: [1] }] },
    { nextHop: new Address(6, 1, 2, 3, 4) },
    { unknown: [{ flags: 0xc0, type: 99, value: new Uint8Array(70000) }] },
  ];
  for (const attrs of cases) assert.throws(() => encodePathAttributes(attrs, FOUR_OCTET_AS_CONTEXT), isEncodeError, JSON.stringify(attrs));
});

test('an UPDATE over 4096 bytes is refused unless extended messages are on', () => {
  const announced: Nlri[] = Array.from({ length: 1100 }, (_, i) => ({
    prefix: parsePrefix(`10.${i >> 8}.${i & 255}.0/24`),
    pathId: undefined,
    labels: undefined,
    rd: undefined,
  }));
  const attributes = { origin: 0 as const, asPath: [], nextHop: new Address(4, 1) };
  assert.throws(() => encodeUpdate({ attributes, announced }, FOUR_OCTET_AS_CONTEXT), isEncodeError);
  assert.ok(encodeUpdate({ attributes, announced }, { ...FOUR_OCTET_AS_CONTEXT, extendedMessage: true }).length > 4096);
});

test('NLRI that do not fit their family are refused', () => {
  const v6 = { prefix: parsePrefix('2001:db8::/32'), pathId: undefined, labels: undefined, rd: undefined };
  assert.throws(() => encodeUpdate({ announced: [v6] }, FOUR_OCTET_AS_CONTEXT), isEncodeError);
  const unlabeled = { ...v6, prefix: parsePrefix('10.0.0.0/8') };
  const mpReach = { afi: 1, safi: 4, nextHop: new Address(4, 1), linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: [unlabeled], unknownNlri: undefined };
  assert.throws(() => encodePathAttributes({ mpReach }, FOUR_OCTET_AS_CONTEXT), isEncodeError);
  assert.throws(() => encodePathAttributes({ mpReach: { ...mpReach, safi: 128, nlri: [{ ...unlabeled, labels: [1] }] } }, FOUR_OCTET_AS_CONTEXT), isEncodeError);
});

test('OPEN and NOTIFICATION field checks', () => {
  const open = { version: 4, myAs: 65000, holdTime: 90, bgpId: 1, capabilities: [], otherParameters: [] };
  assert.throws(() => encodeOpen({ ...open, myAs: 70000 }), isEncodeError);
  assert.throws(() => encodeOpen({ ...open, capabilities: [{ kind: 'unknown', code: 99, value: new Uint8Array(300) }] }), isEncodeError);
  assert.throws(() => encodeNotification({ code: 256, subcode: 0, data: new Uint8Array(0) }), isEncodeError);
  assert.throws(() => encodeNotification({ code: 6, subcode: 0, data: new Uint8Array(5000) }), isEncodeError);
});

test('a 2-octet session writes AS_TRANS and carries the real ASNs in AS4_PATH', () => {
  const bytes = encodePathAttributes({ asPath: [{ type: 2, asns: [65001, 4200000000] }] }, TWO_OCTET_AS_CONTEXT);
  assert.deepEqual(
    [...bytes],
    [0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0, 0xc0, 17, 10, 2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00],
  );
});
