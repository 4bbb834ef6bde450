import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, RibstoreError } from '../../../src/errors.js';
import { BmpFramer, decodeBmpMessage, encodeBmpMessage, type BmpFrame } from '../../../src/wire/bmp/index.js';
import { arbitraryBmpMessage } from './arbitrary.js';
import { concatBytes } from '../../support/bytes.js';


/** Cut `bytes` at the given (sorted, deduplicated) positions. */
function cut(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const cuts = [...new Set(positions.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const c of [...cuts, bytes.length]) {
    // copy each chunk into its own buffer, as a socket would deliver it
    chunks.push(bytes.slice(last, c));
    last = c;
  }
  return chunks;
}

test('any chunking of a stream yields the same messages at the same offsets', () => {
  fc.assert(
    fc.property(fc.array(arbitraryBmpMessage, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (messages, positions) => {
      const encoded = messages.map((m) => encodeBmpMessage(m));
      const stream = concatBytes(encoded);
      const framer = new BmpFramer();
      const frames: BmpFrame[] = [];
      for (const chunk of cut(stream, positions)) frames.push(...framer.push(chunk));
      framer.end();
      assert.equal(frames.length, messages.length);
      let offset = 0;
      frames.forEach((frame, i) => {
        assert.equal(frame.offset, offset);
        assert.deepStrictEqual(frame.bytes, encoded[i]);
        assert.deepStrictEqual(decodeBmpMessage(frame.bytes, frame.offset), messages[i]);
        offset += encoded[i]!.length;
      });
      assert.equal(framer.bytesPending, 0);
      assert.equal(framer.bytesPushed, stream.length);
    }),
    { numRuns: 500 },
  );
});

test('nextBytes and lastOffset yield what next() yields, for any chunking', () => {
  fc.assert(
    fc.property(fc.array(arbitraryBmpMessage, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (messages, positions) => {
      const stream = concatBytes(messages.map((m) => encodeBmpMessage(m)));
      const framed = new BmpFramer();
      const expected: BmpFrame[] = [];
      for (const chunk of cut(stream, positions)) expected.push(...framed.push(chunk));
      const framer = new BmpFramer();
      const got: BmpFrame[] = [];
      for (const chunk of cut(stream, positions)) {
        framer.feed(chunk);
        for (let bytes = framer.nextBytes(); bytes !== null; bytes = framer.nextBytes()) got.push({ bytes, offset: framer.lastOffset });
      }
      framer.end();
      assert.deepStrictEqual(got, expected);
    }),
    { numRuns: 200 },
  );
});

test('a message inside one chunk is a zero-copy view; one spanning chunks is assembled', () => {
  const a = encodeBmpMessage({ kind: 'initiation', information: [{ type: 2, value: new Uint8Array([65, 66]) }] });
  const b = encodeBmpMessage({ kind: 'termination', information: [] });
  const first = concatBytes([a, b.subarray(0, 3)]);
  const framer = new BmpFramer();
  const got = framer.push(first);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.bytes.buffer, first.buffer, 'a view of the chunk');
  assert.equal(framer.bytesPending, 3);
  assert.deepStrictEqual(framer.push(b.subarray(3, 4)), []);
  const rest = framer.push(b.subarray(4));
  assert.equal(rest.length, 1);
  assert.deepStrictEqual(rest[0]!.bytes, b);
  assert.equal(rest[0]!.offset, a.length);
});

test('a partial message waits; end() inside a message is a DecodeError with its offset', () => {
  const a = encodeBmpMessage({ kind: 'initiation', information: [] });
  const b = encodeBmpMessage({ kind: 'termination', information: [{ type: 0, value: new Uint8Array(10) }] });
  const framer = new BmpFramer();
  assert.equal(framer.push(concatBytes([a, b.subarray(0, 8)])).length, 1);
  assert.throws(
    () => framer.end(),
    (e: unknown) => e instanceof DecodeError && e.offset === a.length && e.messageType === 'BMP Termination' && /stream ends inside a message/.test(e.message),
  );
});

test('bad version, impossible and oversized lengths are DecodeErrors; the framer stays failed', () => {
  const good = encodeBmpMessage({ kind: 'initiation', information: [] });
  const check = (bytes: Uint8Array, max: number | undefined, offset: number, pattern: RegExp) => {
    const framer = new BmpFramer(max === undefined ? {} : { maxMessageLength: max });
    let error: unknown;
    try {
      framer.push(concatBytes([good, bytes]));
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof DecodeError, String(error));
    assert.equal(error.offset, offset);
    assert.match(error.message, pattern);
    assert.throws(() => framer.next(), (e: unknown) => e === error, 'rethrows the same error');
    assert.throws(() => framer.push(good), (e: unknown) => e === error);
  };
  check(new Uint8Array([2, 0, 0, 0, 6, 4]), undefined, 6, /version 2/);
  check(new Uint8Array([3, 0, 0, 0, 5, 4]), undefined, 7, /length 5 is shorter/);
  check(new Uint8Array([3, 0xff, 0xff, 0xff, 0xff, 0]), undefined, 7, /exceeds the limit/);
  check(new Uint8Array([3, 0, 0, 1, 0, 4]), 255, 7, /length 256 exceeds the limit of 255/);
  // also when the bad header arrives split over chunks
  const framer = new BmpFramer({ maxMessageLength: 100 });
  framer.push(new Uint8Array([3, 0, 0]));
  assert.throws(() => framer.push(new Uint8Array([0, 101, 0])), (e: unknown) => e instanceof DecodeError && e.offset === 1 && e.messageType === 'BMP Route Monitoring');
});

test('feeding before draining is refused, not silently lossy; bad options are refused', () => {
  const a = encodeBmpMessage({ kind: 'initiation', information: [] });
  const framer = new BmpFramer();
  framer.feed(concatBytes([a, a]));
  assert.ok(framer.next());
  assert.throws(() => framer.feed(a), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT');
  assert.throws(() => new BmpFramer({ maxMessageLength: 3 }), /maxMessageLength 3/);
  // undrained bytes that are only part of a message are kept
  const partial = new BmpFramer();
  partial.feed(a.subarray(0, 4));
  partial.feed(a.subarray(4));
  assert.deepStrictEqual(partial.next()?.bytes, a);
});
