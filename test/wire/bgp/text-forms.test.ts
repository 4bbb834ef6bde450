/** Text forms (communities, RDs, AS paths) and the decode context negotiated from two OPENs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BgpOpen,
  familyKey,
  formatAsPath,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
  formatOrigin,
  formatRouteDistinguisher,
  negotiateDecodeContext,
  parseCommunity,
  parseLargeCommunity,
  parseRouteDistinguisher,
  bgpMessageLength,
  encodeKeepalive,
} from '../../../src/wire/bgp/index.js';
import { RibstoreError } from '../../../src/errors.js';

test('communities print as asn:value and parse back', () => {
  assert.equal(formatCommunity(0xfde80001), '65000:1');
  assert.equal(formatCommunity(0xffffff01), '65535:65281');
  assert.equal(parseCommunity('65000:1'), 0xfde80001);
  for (const bad of ['65536:1', '1:65536', '1', 'a:b', '1:2:3']) assert.throws(() => parseCommunity(bad), RibstoreError, bad);
});

test('large communities print as g:l1:l2 and parse back', () => {
  assert.equal(formatLargeCommunity([4200000000, 1, 2]), '4200000000:1:2');
  assert.deepEqual(parseLargeCommunity('65000:1:2'), [65000, 1, 2]);
  assert.throws(() => parseLargeCommunity('4294967296:1:2'), RibstoreError);
});

test('extended communities: route targets and origins by type, the rest as hex', () => {
  assert.equal(formatExtendedCommunity([0x0002fde8, 100]), 'rt 65000:100');
  assert.equal(formatExtendedCommunity([0x0003fde8, 7]), 'soo 65000:7');
  assert.equal(formatExtendedCommunity([0x0102c000, 0x02010007]), 'rt 192.0.2.1:7');
  assert.equal(formatExtendedCommunity([0x0202fa56, 0xea000005]), 'rt 4200000000:5');
  assert.equal(formatExtendedCommunity([0x80060000, 0]), '0x8006000000000000');
});

test('route distinguishers: type:admin:assigned for the three types', () => {
  assert.equal(formatRouteDistinguisher({ type: 0, admin: 65000, assigned: 100 }), '0:65000:100');
  assert.equal(formatRouteDistinguisher({ type: 1, admin: 0xc0000201, assigned: 7 }), '1:192.0.2.1:7');
  assert.equal(formatRouteDistinguisher({ type: 2, admin: 4200000000, assigned: 7 }), '2:4200000000:7');
  for (const text of ['0:65000:100', '1:192.0.2.1:7', '2:4200000000:7']) {
    assert.equal(formatRouteDistinguisher(parseRouteDistinguisher(text)), text);
  }
  for (const bad of ['0:65536:1', '1:300.0.0.1:1', '2:1:65536', 'x', '0:1']) assert.throws(() => parseRouteDistinguisher(bad), RibstoreError, bad);
});

test('AS paths and origins as text', () => {
  assert.equal(
    formatAsPath([
      { type: 3, asns: [65010, 65011] },
      { type: 2, asns: [65000, 65001] },
      { type: 1, asns: [65002, 65003] },
      { type: 4, asns: [65020] },
    ]),
    '(65010 65011) 65000 65001 {65002,65003} [65020]',
  );
  assert.equal(formatAsPath([]), '');
  assert.deepEqual([0, 1, 2].map(formatOrigin), ['IGP', 'EGP', 'INCOMPLETE']);
});

function open(capabilities: BgpOpen['capabilities']): BgpOpen {
  return { type: 'open', version: 4, myAs: 65000, asn: 65000, holdTime: 90, bgpId: 1, capabilities, otherParameters: [] };
}

test('negotiateDecodeContext: 4-octet AS and extended messages need both, ADD-PATH needs send and receive', () => {
  const a = open([
    { kind: 'four-octet-as', code: 65, asn: 65000 },
    { kind: 'extended-message', code: 6 },
    { kind: 'add-path', code: 69, families: [{ afi: 1, safi: 1, sendReceive: 2 }, { afi: 2, safi: 1, sendReceive: 1 }, { afi: 1, safi: 128, sendReceive: 3 }] },
  ]);
  const b = open([
    { kind: 'four-octet-as', code: 65, asn: 65001 },
    { kind: 'add-path', code: 69, families: [{ afi: 1, safi: 1, sendReceive: 1 }, { afi: 2, safi: 1, sendReceive: 2 }, { afi: 1, safi: 128, sendReceive: 2 }] },
  ]);
  const aToB = negotiateDecodeContext(a, b);
  assert.equal(aToB.fourOctetAs, true);
  assert.equal(aToB.extendedMessage, false);
  assert.deepEqual([...aToB.addPath].sort(), [familyKey(1, 1)]);
  const bToA = negotiateDecodeContext(b, a);
  assert.deepEqual([...bToA.addPath].sort((x, y) => x - y), [familyKey(2, 1), familyKey(1, 128)].sort((x, y) => x - y));
  assert.equal(negotiateDecodeContext(a, open([])).fourOctetAs, false);
  // A known capability with a malformed value is kept raw and does not count.
  assert.equal(negotiateDecodeContext(open([{ kind: 'unknown', code: 65, value: new Uint8Array(2) }]), b).fourOctetAs, false);
});

test('bgpMessageLength frames a stream: -1 until the header is complete', () => {
  const keepalive = encodeKeepalive();
  assert.equal(bgpMessageLength(keepalive.subarray(0, 18), 0), -1);
  assert.equal(bgpMessageLength(keepalive, 0), 19);
  const two = new Uint8Array(38);
  two.set(keepalive);
  two.set(keepalive, 19);
  assert.equal(bgpMessageLength(two, 19), 19);
});
