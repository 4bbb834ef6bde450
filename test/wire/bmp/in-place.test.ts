/**
 * The ingest hot path's in-place reads agree with the decoder: `BmpFramer.nextMessage` frames
 * what `next` frames, `routeMonitoringUpdateAt` accepts exactly the Route Monitoring messages
 * `decodeBmpMessage` decodes (same UPDATE bytes), also inside a larger buffer and on mutated
 * (hostile) bytes, and `PeerIdentityReader` gives the header `readPeerHeader` gives, bar the
 * timestamp within a run of one peer and view.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../../src/errors.js';
import { BmpFramer, decodeBmpMessage, encodeBmpMessage, readPeerHeader } from '../../../src/wire/bmp/index.js';
import { routeMonitoringUpdateAt } from '../../../src/wire/bmp/decode.js';
import { PeerIdentityReader } from '../../../src/wire/bmp/peer-header.js';
import { arbitraryBmpMessage, arbitraryPeerHeader } from './arbitrary.js';
import { concatBytes } from '../../support/bytes.js';

/** Bytes with some positions overwritten (a hostile sender's version of a valid message). */
const mutatedMessage = fc
  .tuple(arbitraryBmpMessage, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(8), fc.nat(8))
  .map(([message, edits, before, after]) => {
    const bytes = encodeBmpMessage(message);
    for (const [at, value] of edits) bytes[at % bytes.length] = value;
    return { bytes, before, after };
  });

test('routeMonitoringUpdateAt accepts exactly what decodeBmpMessage decodes as Route Monitoring, in place', () => {
  fc.assert(
    fc.property(mutatedMessage, ({ bytes, before, after }) => {
      // The framer has checked version and length: only such messages reach the hot path.
      if (bytes[0] !== 3 || bytes.length < 6) return;
      const length = ((bytes[1]! << 24) | (bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) >>> 0;
      if (length !== bytes.length) return;
      const buffer = concatBytes([new Uint8Array(before).fill(0xee), bytes, new Uint8Array(after).fill(0xee)]);
      const at = routeMonitoringUpdateAt(buffer, before, bytes.length);
      let decoded: ReturnType<typeof decodeBmpMessage> | DecodeError;
      try {
        decoded = decodeBmpMessage(bytes);
      } catch (error) {
        assert.ok(error instanceof DecodeError);
        decoded = error;
      }
      if (decoded instanceof DecodeError || decoded.kind !== 'routeMonitoring') {
        assert.equal(at, -1);
        return;
      }
      assert.equal(at, before + 48);
      const updateLength = (buffer[at + 16]! << 8) | buffer[at + 17]!;
      assert.deepEqual(buffer.subarray(at, at + updateLength), decoded.update);
      assert.deepEqual(decoded.peer, readPeerHeader(buffer, before + 6));
    }),
    { numRuns: 2000 },
  );
});

test('nextMessage frames what nextBytes frames, for any chunking', () => {
  fc.assert(
    fc.property(fc.array(arbitraryBmpMessage, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (messages, positions) => {
      const stream = concatBytes(messages.map((m) => encodeBmpMessage(m)));
      const cuts = [...new Set(positions.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b);
      const framer = new BmpFramer();
      const got: { bytes: Uint8Array; offset: number }[] = [];
      let last = 0;
      for (const c of [...cuts, stream.length]) {
        framer.feed(stream.slice(last, c));
        last = c;
        while (framer.nextMessage()) {
          got.push({ bytes: framer.messageBytes.slice(framer.messageStart, framer.messageStart + framer.messageLength), offset: framer.lastOffset });
        }
      }
      framer.end();
      const expected = new BmpFramer().push(stream);
      assert.deepEqual(got, expected.map((f) => ({ bytes: f.bytes.slice(), offset: f.offset })));
    }),
  );
});

test('PeerIdentityReader: the decoded header, one object per run of one peer and view whatever the timestamps', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(arbitraryPeerHeader, fc.nat(3)), { minLength: 1, maxLength: 12 }), (headers) => {
      const reader = new PeerIdentityReader();
      let previous: { bytes: Uint8Array; header: ReturnType<PeerIdentityReader['read']> } | null = null;
      for (const [peer, seconds] of headers) {
        const bytes = encodeBmpMessage({ kind: 'statisticsReport', peer, stats: [] });
        bytes[6 + 37] ^= seconds; // another timestamp, the same peer and view
        const header = reader.read(bytes, 6);
        const plain = readPeerHeader(bytes, 6);
        const sameIdentity = previous !== null && bytes.subarray(6, 40).every((b, i) => b === previous!.bytes[6 + i]);
        if (sameIdentity) assert.equal(header, previous!.header);
        const { timestampSeconds: _s, timestampMicroseconds: _m, ...identity } = header;
        const { timestampSeconds: _ps, timestampMicroseconds: _pm, ...plainIdentity } = plain;
        assert.deepEqual(identity, plainIdentity);
        if (!sameIdentity) assert.deepEqual(header, plain);
        previous = { bytes, header };
      }
    }),
  );
});
