/**
 * Hand-checked byte vectors, written out field by field from the RFC layouts, decoded and
 * re-encoded byte for byte.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddress } from '../../../src/ip/address.js';
import {
  type BgpUpdate,
  FOUR_OCTET_AS_CONTEXT,
  TWO_OCTET_AS_CONTEXT,
  createDecodeContext,
  decodeBgpMessage,
  decodeUpdate,
  encodeBgpMessage,
  formatRouteDistinguisher,
  labelValue,
  walkUpdate,
} from '../../../src/wire/bgp/index.js';
import { MARKER, hex, toHex } from './hex.js';

function update(bytes: Uint8Array, ctx = FOUR_OCTET_AS_CONTEXT): BgpUpdate {
  const m = decodeBgpMessage(bytes, 0, ctx);
  assert.equal(m.type, 'update');
  return m as BgpUpdate;
}

test('KEEPALIVE is the 19-byte header alone (RFC 4271 4.4)', () => {
  const bytes = hex(`${MARKER} 0013 04`);
  assert.deepEqual(decodeBgpMessage(bytes, 0, FOUR_OCTET_AS_CONTEXT), { type: 'keepalive' });
  assert.equal(toHex(encodeBgpMessage({ type: 'keepalive' })), toHex(bytes));
});

test('NOTIFICATION Cease / Administrative Shutdown with data (RFC 4271 4.5, RFC 8203)', () => {
  const bytes = hex(`${MARKER} 001a 03  06 02  04 62 79 65 21`);
  const m = decodeBgpMessage(bytes, 0, FOUR_OCTET_AS_CONTEXT);
  assert.deepEqual(m, { type: 'notification', code: 6, subcode: 2, data: hex('0462796521') });
  assert.equal(toHex(encodeBgpMessage(m)), toHex(bytes));
});

test('ROUTE-REFRESH for IPv6 unicast (RFC 2918)', () => {
  const bytes = hex(`${MARKER} 0017 05  0002 00 01`);
  const m = decodeBgpMessage(bytes, 0, FOUR_OCTET_AS_CONTEXT);
  assert.deepEqual(m, { type: 'route-refresh', afi: 2, safi: 1, subtype: 0 });
  assert.equal(toHex(encodeBgpMessage(m)), toHex(bytes));
});

test('OPEN with multiprotocol, route refresh and 4-octet AS capabilities (RFC 4271 4.2, RFC 5492, RFC 6793)', () => {
  const bytes = hex(`${MARKER} 0031 01
    04 5ba0 00b4 c0000201   # version 4, My AS 23456 (AS_TRANS), hold 180, id 192.0.2.1
    14                      # 20 bytes of optional parameters
    02 06 01 04 0001 00 01  # capability: multiprotocol IPv4 unicast
    02 02 02 00             # capability: route refresh
    02 06 41 04 fa56ea00    # capability: 4-octet AS 4200000000`);
  const m = decodeBgpMessage(bytes, 0, TWO_OCTET_AS_CONTEXT);
  assert.deepEqual(m, {
    type: 'open',
    version: 4,
    myAs: 23456,
    asn: 4200000000,
    holdTime: 180,
    bgpId: 0xc0000201,
    capabilities: [
      { kind: 'multiprotocol', code: 1, afi: 1, safi: 1 },
      { kind: 'route-refresh', code: 2 },
      { kind: 'four-octet-as', code: 65, asn: 4200000000 },
    ],
    otherParameters: [],
  });
  assert.equal(toHex(encodeBgpMessage(m)), toHex(bytes));
});

test('IPv4 UPDATE: ORIGIN, AS_PATH, NEXT_HOP, MED, COMMUNITIES and two prefixes (RFC 4271 4.3)', () => {
  const bytes = hex(`${MARKER} 0052 02
    0004 18 0a0000          # withdrawn: 4 bytes, 10.0.0.0/24
    002e                    # 46 bytes of attributes
    40 01 01 00             # ORIGIN IGP
    40 02 0e 02 03 0000fde9 fa56ea00 0000fdeb   # AS_PATH: AS_SEQUENCE 65001 4200000000 65003
    40 03 04 c0000201       # NEXT_HOP 192.0.2.1
    80 04 04 00000064       # MED 100
    c0 08 08 fde80001 ffffff01   # COMMUNITIES 65000:1, NO_EXPORT
    18 cb0071  19 c6336480  # NLRI 203.0.113.0/24, 198.51.100.128/25`);
  const u = update(bytes);
  assert.deepEqual(u.withdrawn.map((n) => n.prefix.toString()), ['10.0.0.0/24']);
  assert.deepEqual(u.announced.map((n) => n.prefix.toString()), ['203.0.113.0/24', '198.51.100.128/25']);
  assert.deepEqual(u.attributes, {
    origin: 0,
    asPath: [{ type: 2, asns: [65001, 4200000000, 65003] }],
    nextHop: parseAddress('192.0.2.1'),
    med: 100,
    communities: [0xfde80001, 0xffffff01],
  });
  assert.deepEqual(u.errors, []);
  assert.equal(toHex(encodeBgpMessage(u, FOUR_OCTET_AS_CONTEXT)), toHex(bytes));
});

test('2-octet session: AS4_PATH and AS4_AGGREGATOR merge into the real path (RFC 6793 4.2.3)', () => {
  const bytes = hex(`${MARKER} 0058 02 0000
    003d
    40 01 01 00
    40 02 0a 02 04 fde9 5ba0 5ba0 fdeb          # AS_PATH: 65001 AS_TRANS AS_TRANS 65003
    40 03 04 c0000201
    c0 07 06 5ba0 c0000202                      # AGGREGATOR AS_TRANS 192.0.2.2
    c0 11 0e 02 03 fa56ea00 fa56ea01 0000fdeb   # AS4_PATH: 4200000000 4200000001 65003
    c0 12 08 fa56ea02 c0000202                  # AS4_AGGREGATOR 4200000002
    18 cb0071`);
  const u = update(bytes, TWO_OCTET_AS_CONTEXT);
  assert.deepEqual(u.attributes.asPath, [
    { type: 2, asns: [65001] },
    { type: 2, asns: [4200000000, 4200000001, 65003] },
  ]);
  assert.deepEqual(u.attributes.aggregator, { asn: 4200000002, address: 0xc0000202 });
  assert.deepEqual(u.errors, []);
  // Re-encoded for a 2-octet session, the AS4 attributes come back and decode to the same path.
  const again = update(encodeBgpMessage(u, TWO_OCTET_AS_CONTEXT), TWO_OCTET_AS_CONTEXT);
  assert.deepEqual(again.attributes.aggregator, u.attributes.aggregator);
  assert.deepEqual(again.attributes.asPath!.flatMap((s) => s.asns), [65001, 4200000000, 4200000001, 65003]);
});

test('AS4_PATH is ignored when the 2-octet AGGREGATOR is not AS_TRANS (RFC 6793 4.2.3)', () => {
  const bytes = hex(`${MARKER} 0034 02 0000
    001d
    40 01 01 00
    40 02 04 02 01 5ba0
    c0 07 06 fde8 c0000202
    c0 11 06 02 01 fa56ea00`);
  const u = update(bytes, TWO_OCTET_AS_CONTEXT);
  assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [23456] }]);
  assert.deepEqual(u.attributes.aggregator, { asn: 65000, address: 0xc0000202 });
});

test('IPv6 MP_REACH with global and link-local next hop, MP_UNREACH (RFC 4760, RFC 2545)', () => {
  const bytes = hex(`${MARKER} 005f 02 0000
    0048
    40 01 01 00
    40 02 06 02 01 0000fde9
    80 0e 2c 0002 01 20
       20010db8000000000000000000000001   # global 2001:db8::1
       fe800000000000000000000000000001   # link-local fe80::1
       00                                # reserved
       30 20010db80001                     # 2001:db8:1::/48
    80 0f 09 0002 01 20 20010db8 00      # withdrawn 2001:db8::/32 and ::/0`);
  const u = update(bytes);
  const reach = u.attributes.mpReach!;
  assert.equal(reach.nextHop!.toString(), '2001:db8::1');
  assert.equal(reach.linkLocalNextHop!.toString(), 'fe80::1');
  assert.deepEqual(reach.nlri.map((n) => n.prefix.toString()), ['2001:db8:1::/48']);
  assert.deepEqual(u.attributes.mpUnreach!.nlri.map((n) => n.prefix.toString()), ['2001:db8::/32', '::/0']);
  assert.equal(toHex(encodeBgpMessage(u)), toHex(bytes));
});

test('IPv4 NLRI with an IPv6 next hop (RFC 8950 / RFC 5549)', () => {
  const bytes = hex(`${MARKER} 003a 02 0000
    0023
    40 01 01 00
    40 02 00
    80 0e 19 0001 01 10 20010db8000000000000000000000002 00 18 c00002`);
  const u = update(bytes);
  assert.equal(u.attributes.mpReach!.nextHop!.toString(), '2001:db8::2');
  assert.deepEqual(u.attributes.mpReach!.nlri.map((n) => n.prefix.toString()), ['192.0.2.0/24']);
  assert.deepEqual(u.attributes.asPath, []);
});

test('labeled unicast with a two-entry label stack (RFC 8277 2.2)', () => {
  const bytes = hex(`${MARKER} 0034 02 0000
    001d
    40 01 01 00
    40 02 00
    80 0e 13 0001 04 04 c0000201 00
       48 000640 000c81 c63364    # 72 bits: label 100, label 200 (bottom of stack), 198.51.100.0/24`);
  const u = update(bytes);
  const [n] = u.attributes.mpReach!.nlri;
  assert.equal(n!.prefix.toString(), '198.51.100.0/24');
  assert.deepEqual(n!.labels!.map(labelValue), [100, 200]);
  assert.equal(n!.labels![1]! & 1, 1);
  assert.equal(toHex(encodeBgpMessage(u)), toHex(bytes));
});

test('VPNv4 route: label, RD type 0, RD-prefixed next hop (RFC 4364 4.3.4, RFC 8277)', () => {
  const bytes = hex(`${MARKER} 0040 02 0000
    0029
    40 01 01 00
    40 02 00
    80 0e 1f 0001 80 0c 0000000000000000 c0000201 00
       68 003e81 0000fde800000064 0a01    # 104 bits: label 1000 (BoS), RD 0:65000:100, 10.1.0.0/16
    `);
  const u = update(bytes);
  const reach = u.attributes.mpReach!;
  assert.equal(reach.nextHop!.toString(), '192.0.2.1');
  assert.deepEqual(reach.nextHopRd, { type: 0, admin: 0, assigned: 0 });
  const [n] = reach.nlri;
  assert.equal(n!.prefix.toString(), '10.1.0.0/16');
  assert.equal(formatRouteDistinguisher(n!.rd!), '0:65000:100');
  assert.deepEqual(n!.labels!.map(labelValue), [1000]);
  assert.equal(toHex(encodeBgpMessage(u)), toHex(bytes));
});

test('ADD-PATH path identifiers in front of each prefix (RFC 7911 3)', () => {
  const ctx = createDecodeContext({ fourOctetAs: true, addPath: [{ afi: 1, safi: 1 }] });
  const bytes = hex(`${MARKER} 0035 02
    0008 00000009 18 0a0000
    000e 40 01 01 00 40 02 00 40 03 04 c0000201
    00000001 18 c00002`);
  const u = update(bytes, ctx);
  assert.deepEqual(u.withdrawn.map((n) => [n.prefix.toString(), n.pathId]), [['10.0.0.0/24', 9]]);
  assert.deepEqual(u.announced.map((n) => [n.prefix.toString(), n.pathId]), [['192.0.2.0/24', 1]]);
  assert.equal(toHex(encodeBgpMessage(u, ctx)), toHex(bytes));
  // Without the ADD-PATH context the same bytes do not parse as NLRI.
  assert.throws(() => decodeUpdate(bytes, 0, FOUR_OCTET_AS_CONTEXT), { name: 'BgpDecodeError' });
});

test('an unknown AFI/SAFI is kept raw and counted, not fatal', () => {
  const bytes = hex(`${MARKER} 0030 02 0000
    0019
    40 01 01 00
    40 02 00
    80 0e 0f 0019 46 04 c0000201 00 0205 01020304   # L2VPN EVPN
    `);
  const u = update(bytes);
  assert.equal(u.unknownFamilies, 1);
  assert.deepEqual(u.attributes.mpReach!.nlri, []);
  assert.equal(toHex(u.attributes.mpReach!.unknownNlri!), '020501020304');
  assert.equal(toHex(u.attributes.mpReach!.nextHopBytes), 'c0000201');
  assert.equal(toHex(encodeBgpMessage(u)), toHex(bytes));
});

test('an extended-length attribute decodes, and re-encodes with the short form', () => {
  const bytes = hex(`${MARKER} 001f 02 0000 0008 5002 0004 0201 fde9  `);
  const u = update(bytes, TWO_OCTET_AS_CONTEXT);
  assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [65001] }]);
  assert.equal(toHex(encodeBgpMessage(u, TWO_OCTET_AS_CONTEXT)), toHex(hex(`${MARKER} 001e 02 0000 0007 4002 04 0201 fde9`)));
});

test('bits past the prefix length are cleared, in decoded prefixes and in the walk cursor (RFC 4271 4.3)', () => {
  const bytes = hex(`${MARKER} 0020 02 0000 0000 17 c00003  1f ffffffff`); // 192.0.3.0/23 with a stray bit, 255.255.255.255/31
  const u = update(bytes);
  assert.deepEqual(u.announced.map((n) => n.prefix.toString()), ['192.0.2.0/23', '255.255.255.254/31']);
  const words: number[] = [];
  walkUpdate(bytes, 0, createDecodeContext({ fourOctetAs: true, requireMandatoryAttributes: false }), {
    attributes() {},
    announce: (r) => void words.push(r.w0),
    withdraw() {},
  });
  assert.deepEqual(words, [0xc0000200, 0xfffffffe]);
});
