/**
 * The IP text code of src/ip against the code it replaced (bench/support/ip-text-reference.ts,
 * the parser and formatter of `d41192f`, kept verbatim): on random valid text in every form,
 * on valid text with random damage, and on random junk, both accept the same strings and read
 * the same words; where they reject, the new code throws RibstoreError INVALID_ADDRESS naming
 * the input. The formatters print the same text for random words (zero runs and IPv4 tails
 * included). Every entry point (parseAddressInto, parseAddress, parseIPv4, parseIPv6) is checked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RibstoreError } from '../../src/errors.js';
import { formatIPv4, formatIPv6, parseAddress, parseAddressInto, parseIPv4, parseIPv6 } from '../../src/ip/address.js';
import { Prefix, parsePrefix } from '../../src/ip/prefix.js';
import { referenceFormatIPv4, referenceFormatIPv6, referenceParseAddressInto, referenceParsePrefix } from '../../bench/support/ip-text-reference.js';

function isInvalidAddress(text: unknown): (error: unknown) => boolean {
  return (error: unknown) =>
    error instanceof RibstoreError && error.code === 'INVALID_ADDRESS' && (typeof text !== 'string' || error.message.includes(JSON.stringify(text)));
}

/** Check every entry point on `text` against the reference. */
function agree(text: string): void {
  const expected = new Uint32Array(4);
  const family = referenceParseAddressInto(text, expected);
  const got = new Uint32Array(4).fill(0xdeadbeef);
  if (family === 0) {
    assert.throws(() => parseAddressInto(text, got), isInvalidAddress(text), JSON.stringify(text));
    assert.throws(() => parseAddress(text), isInvalidAddress(text), JSON.stringify(text));
    assert.throws(() => parseIPv4(text), isInvalidAddress(text), JSON.stringify(text));
    assert.throws(() => parseIPv6(text, got), isInvalidAddress(text), JSON.stringify(text));
    return;
  }
  assert.equal(parseAddressInto(text, got), family, JSON.stringify(text));
  assert.deepEqual([...got], [...expected], JSON.stringify(text));
  const a = parseAddress(text);
  assert.deepEqual([a.family, a.w0, a.w1, a.w2, a.w3], [family, ...expected], JSON.stringify(text));
  if (family === 4) {
    assert.equal(parseIPv4(text), expected[0], JSON.stringify(text));
    assert.throws(() => parseIPv6(text, got), isInvalidAddress(text));
  } else {
    assert.deepEqual(parseIPv6(text, [0, 0, 0, 0], 0), [...expected], JSON.stringify(text));
    assert.throws(() => parseIPv4(text), isInvalidAddress(text));
  }
}

const octet = fc.oneof(fc.nat(255).map(String), fc.constantFrom('0', '00', '01', '255', '256', '999', '1000', ''));
const ipv4 = fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join('.'));
const group = fc.oneof(
  fc.nat(0xffff).map((x) => x.toString(16)),
  fc.nat(0xffff).map((x) => x.toString(16).toUpperCase().padStart(4, '0')),
  fc.constantFrom('0', '0000', '00000', '12345', 'fffff', 'g', ''),
);
const ipv6 = fc
  .tuple(fc.array(group, { minLength: 0, maxLength: 9 }), fc.nat(9), fc.nat(3), fc.option(ipv4))
  .map(([groups, at, gaps, tail]) => {
    let s = groups.join(':');
    if (gaps > 0) s = `${groups.slice(0, at).join(':')}${'::'.repeat(Math.min(gaps, 2))}${groups.slice(at).join(':')}`;
    if (tail !== null) s += (s === '' || s.endsWith(':') ? '' : ':') + tail;
    return s;
  });
const alphabet = fc.constantFrom(...'0123456789abcdefABCDEFgGxX:.%/ -+'.split(''), '\u00e9', '\u0130', '\u2024', '\uff1a', '\ud83d\ude00', '::', '\t');
const damaged = fc
  .tuple(fc.oneof(ipv4, ipv6), fc.array(fc.tuple(fc.nat(50), fc.nat(2), alphabet), { maxLength: 3 }))
  .map(([s, edits]) => {
    for (const [at, kind, ch] of edits) {
      const k = at % (s.length + 1);
      s = kind === 0 ? s.slice(0, k) + ch + s.slice(k) : kind === 1 ? s.slice(0, k) + s.slice(k + 1) : s.slice(0, k) + ch + s.slice(k + 1);
    }
    return s;
  });
const junk = fc.oneof(fc.array(alphabet, { maxLength: 50 }).map((a) => a.join('')), fc.string({ maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 20 }));

test('the parser accepts and reads exactly what the previous one did: valid text in every form (property)', () => {
  fc.assert(fc.property(fc.oneof(ipv4, ipv6), agree), { numRuns: 20000 });
});

test('the parser accepts and reads exactly what the previous one did: damaged text and junk (property)', () => {
  fc.assert(fc.property(fc.oneof(damaged, junk), agree), { numRuns: 20000 });
});

test('the parser agrees with the previous one on edge cases of both families', () => {
  const cases = [
    '', ':', '::', ':::', '::0', '0::', '::1', '1::', '1::1', ':1', '1:', '::1:', ':1::', '1::2::3',
    '0.0.0.0', '255.255.255.255', '256.0.0.0', '1.2.3', '1.2.3.4.', '.1.2.3.4', '1.2.3.04', '1.2.3.0', '00.1.2.3', '1.2.3.4 ',
    '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4', '::ffff:1.2.3.4', '::ffff:01.2.3.4', '1.2.3.4::', '::1.2.3.4:1',
    '::ffff:1.2.3', 'ffff::1.2.3.4', '12345::', '1234:5678:9abc:def0:1234:5678:9abc:def0', 'ABCD:EF01::', 'fe80::1%eth0',
    '0000:0000:0000:0000:0000:0000:0000:0000', '0:0:0:0:0:0:0:0:0', '::0000:1.2.3.4', '1:2:3:4:5:6:7:8'.padEnd(46, '0'),
  ];
  for (const text of cases) agree(text);
});

test('non-string input is INVALID_ADDRESS from every parser', () => {
  for (const input of [42, null, undefined, {}, ['1.2.3.4']] as unknown as string[]) {
    assert.throws(() => parseAddressInto(input, new Uint32Array(4)), isInvalidAddress(input));
    assert.throws(() => parseAddress(input), isInvalidAddress(input));
    assert.throws(() => parseIPv4(input), isInvalidAddress(input));
    assert.throws(() => parseIPv6(input, [0, 0, 0, 0]), isInvalidAddress(input));
  }
});

test('the error names where the scan stopped', () => {
  assert.throws(() => parseAddress('192.0.2.x'), (e: unknown) => e instanceof RibstoreError && /character 8\b/.test(e.message));
  assert.throws(() => parseAddress('2001:db8::g'), (e: unknown) => e instanceof RibstoreError && /character 10\b/.test(e.message));
});

/** parsePrefix against the previous one on `text`: same prefix, or INVALID_PREFIX naming the text. */
function agreePrefix(text: string): void {
  const expected = referenceParsePrefix(text);
  if (expected === null) {
    assert.throws(
      () => parsePrefix(text),
      (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_PREFIX' && e.message.includes(JSON.stringify(text)),
      JSON.stringify(text),
    );
    return;
  }
  const got = parsePrefix(text);
  assert.ok(got.equals(expected), `${JSON.stringify(text)}: ${got} vs ${expected}`);
}

const lengthText = fc.oneof(fc.nat(140).map(String), fc.constantFrom('', '00', '01', '024', '1000', '-1', '+8', ' 8', '8 ', '1e1', '0x10', '/8'));
const prefixText = fc.oneof(
  fc.tuple(fc.oneof(ipv4, ipv6), lengthText).map(([a, l]) => `${a}/${l}`),
  fc.oneof(ipv4, ipv6),
  fc.tuple(fc.oneof(ipv4, ipv6), lengthText, fc.array(fc.tuple(fc.nat(50), fc.nat(2), alphabet), { maxLength: 2 })).map(([a, l, edits]) => {
    let s = `${a}/${l}`;
    for (const [at, kind, ch] of edits) {
      const k = at % (s.length + 1);
      s = kind === 0 ? s.slice(0, k) + ch + s.slice(k) : kind === 1 ? s.slice(0, k) + s.slice(k + 1) : s.slice(0, k) + ch + s.slice(k + 1);
    }
    return s;
  }),
  junk,
);

test('parsePrefix accepts and reads exactly what the previous one did (property)', () => {
  fc.assert(fc.property(prefixText, agreePrefix), { numRuns: 30000 });
  for (const text of ['', '/', '/8', '1.2.3.4/', '1.2.3.4//8', '1.2.3.4/8/8', '::/0', '::/128', '::/129', '1.2.3.4/33', '1.2.3.4/32', '10.1.2.3/8', '2001:db8::1/32', ':/8', 'x/999', 'x:/999', '1.2.3.4/08']) {
    agreePrefix(text);
  }
});

const word = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.constant(0xffff0000), fc.nat(0xffff), fc.integer({ min: 0, max: 0xffffffff }));

test('the formatters print what the previous ones did (property)', () => {
  fc.assert(
    fc.property(word, word, word, word, (w0, w1, w2, w3) => {
      assert.equal(formatIPv4(w0), referenceFormatIPv4(w0));
      const text = formatIPv6(w0, w1, w2, w3);
      assert.equal(text, referenceFormatIPv6(w0, w1, w2, w3));
      assert.deepEqual([...parseIPv6(text, new Uint32Array(4))], [w0, w1, w2, w3]);
    }),
    { numRuns: 20000 },
  );
});

test('Prefix.toString prints what the previous code did, and parses back (property)', () => {
  fc.assert(
    fc.property(word, word, word, word, fc.nat(128), (w0, w1, w2, w3, length) => {
      const v6 = new Prefix(6, w0, w1, w2, w3, length);
      assert.equal(v6.toString(), `${referenceFormatIPv6(v6.w0, v6.w1, v6.w2, v6.w3)}/${length}`);
      assert.ok(parsePrefix(v6.toString()).equals(v6));
      const v4 = new Prefix(4, w0, 0, 0, 0, length % 33);
      assert.equal(v4.toString(), `${referenceFormatIPv4(v4.w0)}/${length % 33}`);
      assert.ok(parsePrefix(v4.toString()).equals(v4));
    }),
    { numRuns: 20000 },
  );
});
