/**
 * RFC 7606 error handling: each malformed attribute gets the action the RFC assigns, the
 * UPDATE still decodes, and the faults that leave the stream unparseable throw a
 * session-reset BgpDecodeError with the offset of the fault.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BgpDecodeError,
  FOUR_OCTET_AS_CONTEXT,
  TWO_OCTET_AS_CONTEXT,
  createDecodeContext,
  decodePathAttributes,
  decodeUpdate,
  walkUpdate,
  type BgpUpdate,
} from '../../../src/wire/bgp/index.js';
import { MARKER, hex } from './hex.js';

/** An UPDATE with the given attribute bytes and one IPv4 prefix 192.0.2.0/24. */
function updateWith(attributes: string, nlri = '18 c00002'): Uint8Array {
  const attrs = hex(attributes);
  const routes = hex(nlri);
  const length = 19 + 4 + attrs.length + routes.length;
  const out = new Uint8Array(length);
  out.set(hex(MARKER));
  out.set([length >> 8, length & 255, 2, 0, 0, attrs.length >> 8, attrs.length & 255], 16);
  out.set(attrs, 23);
  out.set(routes, 23 + attrs.length);
  return out;
}

const ORIGIN = '40 01 01 00';
const AS_PATH = '40 02 06 02 01 0000fde9';
const NEXT_HOP = '40 03 04 c0000201';
const MANDATORY = `${ORIGIN} ${AS_PATH} ${NEXT_HOP}`;

function decode(bytes: Uint8Array, ctx = FOUR_OCTET_AS_CONTEXT): BgpUpdate {
  return decodeUpdate(bytes, 0, ctx);
}

function only(u: BgpUpdate): BgpDecodeError {
  assert.equal(u.errors.length, 1, u.errors.map((e) => e.message).join('; '));
  return u.errors[0]!;
}

function sessionReset(bytes: Uint8Array, offset: number, ctx = FOUR_OCTET_AS_CONTEXT): void {
  assert.throws(
    () => decodeUpdate(bytes, 0, ctx),
    (e: unknown) => e instanceof BgpDecodeError && e.action === 'session-reset' && e.offset === offset && e.code === 'DECODE_ERROR',
  );
}

test('a well-formed UPDATE has no errors', () => {
  const u = decode(updateWith(MANDATORY));
  assert.deepEqual(u.errors, []);
  assert.equal(u.treatAsWithdraw, false);
});

test('bad ORIGIN value -> treat-as-withdraw, at the attribute offset (7.1)', () => {
  const u = decode(updateWith(`40 01 01 03 ${AS_PATH} ${NEXT_HOP}`));
  const e = only(u);
  assert.equal(e.action, 'treat-as-withdraw');
  assert.equal(e.attributeType, 1);
  assert.equal(e.offset, 23);
  assert.equal(u.treatAsWithdraw, true);
  assert.equal(u.attributes.origin, undefined);
  assert.deepEqual(u.announced.map((n) => n.prefix.toString()), ['192.0.2.0/24']);
});

test('ORIGIN of length 2 -> treat-as-withdraw (7.1)', () => {
  assert.equal(only(decode(updateWith(`40 01 02 00 00 ${AS_PATH} ${NEXT_HOP}`))).action, 'treat-as-withdraw');
});

test('bad ATOMIC_AGGREGATE length -> attribute discard (7.6)', () => {
  const u = decode(updateWith(`${MANDATORY} 40 06 01 00`));
  const e = only(u);
  assert.equal(e.action, 'attribute-discard');
  assert.equal(e.attributeType, 6);
  assert.equal(u.treatAsWithdraw, false);
  assert.equal(u.attributes.atomicAggregate, undefined);
});

test('bad AGGREGATOR length -> attribute discard (7.7)', () => {
  const u = decode(updateWith(`${MANDATORY} c0 07 06 fde9 c0000201`));
  assert.equal(only(u).action, 'attribute-discard');
  assert.equal(u.attributes.aggregator, undefined);
  // The same 6 bytes are right on a 2-octet session.
  assert.deepEqual(decode(updateWith(`40 01 01 00 40 02 04 02 01 fde9 ${NEXT_HOP} c0 07 06 fde9 c0000201`), TWO_OCTET_AS_CONTEXT).errors, []);
});

test('length errors of NEXT_HOP, MED, LOCAL_PREF, ORIGINATOR_ID, OTC -> treat-as-withdraw', () => {
  for (const attr of ['40 03 03 c00002', '80 04 05 0000000001', '40 05 02 0001', '80 09 00', 'c0 23 02 fde9']) {
    const extra = attr.startsWith('40 03') ? `${ORIGIN} ${AS_PATH} ${attr}` : `${MANDATORY} ${attr}`;
    const e = only(decode(updateWith(extra)));
    assert.equal(e.action, 'treat-as-withdraw', attr);
  }
});

test('list lengths not a multiple of the item -> treat-as-withdraw (7.8, 7.10, 7.14, RFC 8092)', () => {
  for (const attr of ['c0 08 03 fde900', '80 0a 05 0000000001', 'c0 10 07 00020000000000', 'c0 20 0b 0000000000000000000000', 'c0 20 00']) {
    const e = only(decode(updateWith(`${MANDATORY} ${attr}`)));
    assert.equal(e.action, 'treat-as-withdraw', attr);
  }
});

test('malformed AS_PATH -> treat-as-withdraw (7.2): bad segment type, zero count, overrun', () => {
  for (const path of ['40 02 06 05 01 0000fde9', '40 02 02 02 00', '40 02 06 02 02 0000fde9']) {
    const e = only(decode(updateWith(`${ORIGIN} ${path} ${NEXT_HOP}`)));
    assert.equal(e.action, 'treat-as-withdraw', path);
    assert.equal(e.attributeType, 2);
  }
});

test('malformed AS4_PATH on a 2-octet session -> attribute discard, AS_PATH kept (RFC 6793 6)', () => {
  const u = decode(updateWith(`40 01 01 00 40 02 04 02 01 5ba0 ${NEXT_HOP} c0 11 03 02 01 00`), TWO_OCTET_AS_CONTEXT);
  assert.equal(only(u).action, 'attribute-discard');
  assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [23456] }]);
});

test('wrong optional/transitive flags on a known attribute -> treat-as-withdraw (3(c))', () => {
  const e = only(decode(updateWith(`${MANDATORY} 40 04 04 00000001`))); // MED marked well-known
  assert.equal(e.action, 'treat-as-withdraw');
  assert.equal(e.attributeType, 4);
});

test('a repeated attribute: the first is kept, the rest discarded (3(g))', () => {
  const u = decode(updateWith(`${MANDATORY} 80 04 04 00000001 80 04 04 00000002`));
  assert.equal(only(u).action, 'attribute-discard');
  assert.equal(u.attributes.med, 1);
});

test('missing mandatory attributes with NLRI -> treat-as-withdraw (3(d)); fine without NLRI', () => {
  const u = decode(updateWith(ORIGIN));
  const e = only(u);
  assert.equal(e.action, 'treat-as-withdraw');
  assert.match(e.message, /AS_PATH, NEXT_HOP/);
  assert.deepEqual(decode(updateWith(ORIGIN, '')).errors, []);
  // A monitoring feed can turn the check off.
  const lenient = createDecodeContext({ fourOctetAs: true, requireMandatoryAttributes: false });
  assert.deepEqual(decode(updateWith(ORIGIN), lenient).errors, []);
});

test('an attribute overrunning the attribute list -> treat-as-withdraw, parsing stops there (4)', () => {
  const bytes = updateWith(`${MANDATORY} c0 08 08 fde90001`, '');
  const u = decode(bytes);
  const e = only(u);
  assert.equal(e.action, 'treat-as-withdraw');
  assert.equal(e.offset, 23 + 4 + 9 + 7);
  assert.equal(u.attributes.communities, undefined);
  assert.equal(u.attributes.origin, 0);
});

test('NLRI length overrunning the message -> session reset at the entry (5.3)', () => {
  sessionReset(updateWith(MANDATORY, '18 c000'), 23 + 4 + 9 + 7);
});

test('prefix length over 32 -> session reset (5.3)', () => {
  sessionReset(updateWith(MANDATORY, '21 c0000201 00'), 23 + 4 + 9 + 7);
});

test('withdrawn routes length or total attribute length overrunning the message -> session reset (4)', () => {
  const bytes = updateWith(MANDATORY);
  bytes[19] = 0x01; // withdrawn length 256
  sessionReset(bytes, 19);
  const bytes2 = updateWith(MANDATORY);
  bytes2[22] = 0xff; // attribute length 255
  sessionReset(bytes2, 21);
});

test('MP_REACH_NLRI twice -> session reset (3(g))', () => {
  const reach = '80 0e 0a 0002 01 00 00 20 20010db8';
  sessionReset(updateWith(`${ORIGIN} ${AS_PATH} ${reach} ${reach}`, ''), 23 + 4 + 9 + 13);
});

test('MP_REACH_NLRI next hop length fitting no form -> session reset (7.11)', () => {
  sessionReset(updateWith(`${ORIGIN} ${AS_PATH} 80 0e 0a 0002 01 05 0000000000 00`, ''), 23 + 4 + 9);
});

test('MP_REACH_NLRI with an NLRI overrun -> session reset (7.11)', () => {
  sessionReset(updateWith(`${ORIGIN} ${AS_PATH} 80 0e 0b 0001 01 04 c0000201 00 20 c0`, ''), 23 + 4 + 9 + 12);
});

test('MP_UNREACH_NLRI shorter than AFI + SAFI -> session reset (7.12)', () => {
  sessionReset(updateWith(`80 0f 02 0001`, ''), 23);
});

test('walkUpdate throws before visiting anything, and delivers announcements as withdrawals under treat-as-withdraw', () => {
  const visited: string[] = [];
  const visitor = {
    attributes: () => void visited.push('attributes'),
    announce: () => void visited.push('announce'),
    withdraw: () => void visited.push('withdraw'),
  };
  assert.throws(() => walkUpdate(updateWith(MANDATORY, '18 c00002 18 c000'), 0, FOUR_OCTET_AS_CONTEXT, visitor), BgpDecodeError);
  assert.deepEqual(visited, []);
  const result = walkUpdate(updateWith(`40 01 01 07 ${AS_PATH} ${NEXT_HOP}`), 0, FOUR_OCTET_AS_CONTEXT, visitor);
  assert.deepEqual(visited, ['attributes', 'withdraw']);
  assert.equal(result.withdrawn, 1);
  assert.equal(result.announced, 0);
});

test('header checks: marker, length bounds, type, extended message (RFC 4271 6.1, RFC 8654)', () => {
  const good = updateWith(MANDATORY);
  const badMarker = good.slice();
  badMarker[3] = 0;
  assert.throws(() => decodeUpdate(badMarker, 0, FOUR_OCTET_AS_CONTEXT), (e: BgpDecodeError) => e.offset === 3 && e.notificationSubcode === 1);
  const badType = good.slice();
  badType[18] = 9;
  assert.throws(() => decodeUpdate(badType, 0, FOUR_OCTET_AS_CONTEXT), (e: BgpDecodeError) => e.offset === 18 && e.notificationSubcode === 3);
  const short = good.slice();
  short[16] = 0;
  short[17] = 20;
  assert.throws(() => decodeUpdate(short, 0, FOUR_OCTET_AS_CONTEXT), (e: BgpDecodeError) => e.offset === 16 && e.notificationSubcode === 2);
  // A 5000-byte UPDATE: too long without the extended message capability, fine with it.
  const padded = updateWith(`${MANDATORY} d0 63 1300 ${'00'.repeat(0x1300)}`);
  assert.ok(padded.length > 4096);
  assert.throws(() => decodeUpdate(padded, 0, FOUR_OCTET_AS_CONTEXT), (e: BgpDecodeError) => e.offset === 16);
  const extended = createDecodeContext({ fourOctetAs: true, extendedMessage: true });
  assert.equal(decodeUpdate(padded, 0, extended).attributes.unknown![0]!.value.length, 0x1300);
});

test('a bare attribute block outside its buffer is refused, not read', () => {
  assert.throws(() => decodePathAttributes(new Uint8Array(4), 0, 9, FOUR_OCTET_AS_CONTEXT), BgpDecodeError);
});

test('MRT RIB-entry MP_REACH_NLRI with the next hop only (RFC 6396 4.3.4)', () => {
  const ctx = createDecodeContext({ fourOctetAs: true, mrtRibEntry: { afi: 2, safi: 1 } });
  const block = hex(`40 01 01 00 80 0e 11 10 20010db8000000000000000000000001`);
  const d = decodePathAttributes(block, 0, block.length, ctx);
  assert.deepEqual(d.errors, []);
  assert.equal(d.attributes.mpReach!.afi, 2);
  assert.equal(d.attributes.mpReach!.nextHop!.toString(), '2001:db8::1');
  assert.deepEqual(d.attributes.mpReach!.nlri, []);
});
