/**
 * The publish sender's own per-message pieces: the `Nats-Msg-Id` header block must be byte for
 * byte what the NATS client encodes for the same header, and the PubAck reader must give what
 * `JSON.parse` of the answer says, for JetStream's answers (stored, duplicate, with a domain,
 * errors) and for bodies that are no PubAck.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { headers } from 'nats';
import { MsgIdHeader, readPubAck } from '../../src/bus/jetstream-wire.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test('jetstream wire: the Nats-Msg-Id header block is the client encoding of the same header', () => {
  const id = fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), fc.ipV4(), fc.nat(), fc.nat()).map(([collector, router, start, n]) => `${collector}/${router}/${start}/${n}`);
  fc.assert(
    fc.property(fc.oneof(id, fc.constant('bench/::ffff:127.0.0.1/1764892800000/0'), fc.constant('rc1/2001:db8::1/1/42')), (text) => {
      const expected = headers();
      expected.set('Nats-Msg-Id', text);
      // The client encodes headers with `encode()` (not in its typings: MsgHdrsImpl).
      assert.deepEqual(Uint8Array.from(new MsgIdHeader(text).encode()), Uint8Array.from((expected as unknown as { encode(): Uint8Array }).encode()));
    }),
  );
});

test('jetstream wire: PubAcks are read as JSON.parse reads them', () => {
  assert.deepEqual(readPubAck(bytes('{"stream":"RIBSTORE_BMP","seq":17}')), { ok: true, duplicate: false });
  assert.deepEqual(readPubAck(bytes('{"stream":"RIBSTORE_BMP","seq":17,"duplicate":true}')), { ok: true, duplicate: true });
  assert.deepEqual(readPubAck(bytes('{"stream":"RIBSTORE_BMP","domain":"hub","seq":3}')), { ok: true, duplicate: false });
  assert.deepEqual(readPubAck(bytes('{"stream":"X","seq":1,"duplicate":false}')), { ok: true, duplicate: false });
  // Not in the fast path's shape: JSON.parse decides.
  assert.deepEqual(readPubAck(bytes('{"seq":1,"stream":"X","duplicate":true}')), { ok: true, duplicate: true });
  assert.deepEqual(readPubAck(bytes(' {"stream":"X","seq":1}')), { ok: true, duplicate: false });
  // Errors, wherever the key is.
  assert.deepEqual(readPubAck(bytes('{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"X","seq":0}')), { ok: false, reason: 'maximum messages exceeded' });
  assert.deepEqual(readPubAck(bytes('{"stream":"X","error":{"code":400,"description":"expected stream does not match"}}')), { ok: false, reason: 'expected stream does not match' });
  assert.deepEqual(readPubAck(bytes('{"stream":"X","error":{"code":500}}')), { ok: false, reason: 'JetStream error' });
  // No PubAck at all: an empty body (a 503 no-responders status), garbage, or JSON that is no object.
  for (const body of ['', '{"stream":"X"', 'nope', '[]', 'null', '42']) {
    const read = readPubAck(bytes(body));
    if (body === '[]') assert.deepEqual(read, { ok: true, duplicate: false }, 'an array is an object to the old check too');
    else assert.deepEqual(read, { ok: false, reason: null }, body);
  }
});

test('jetstream wire: any JSON object body gets the same answer from the fast path and from JSON.parse', () => {
  const ack = fc.record(
    { stream: fc.string({ maxLength: 12 }), seq: fc.nat(), domain: fc.string({ maxLength: 8 }), duplicate: fc.boolean(), error: fc.record({ code: fc.nat(600), description: fc.string({ maxLength: 20 }) }) },
    { requiredKeys: ['stream'] },
  );
  fc.assert(
    fc.property(ack, (value) => {
      const text = JSON.stringify(value);
      const parsed = JSON.parse(text) as { duplicate?: boolean; error?: { description: string } };
      const expected = parsed.error ? { ok: false, reason: parsed.error.description } : { ok: true, duplicate: parsed.duplicate === true };
      assert.deepEqual(readPubAck(bytes(text)), expected);
    }),
  );
});
