/**
 * The API's error paths that good requests never reach: a fault inside a handler (500: the
 * code is kept, the message and stack go to the log only), Fastify's own errors (bad URL
 * encoding, failed validation) and Node's HTTP parser errors (malformed request, oversized
 * header block, request timeout): every one answers `{ error: { code, message } }`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createApiServer } from '../../src/api/server.js';
import { RibstoreError } from '../../src/errors.js';
import { Rib } from '../../src/rib/rib.js';

const SECRET = 'secret-internal-detail /srv/ribstore/private';
const logLines: string[] = [];
let app: FastifyInstance;
let url = '';
let port = 0;

before(async () => {
  const rib = new Rib();
  // Planted faults: an unexpected exception, and a RibstoreError whose status is a 500.
  rib.routers = () => {
    throw new TypeError(SECRET);
  };
  rib.peers = () => {
    throw new RibstoreError('FILE_ERROR', SECRET);
  };
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  app = await createApiServer({ rib, logger: pino({ level: 'error' }, logStream), requestTimeoutMs: 300 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
  url = `http://127.0.0.1:${port}`;
});
after(() => app?.close());

async function get(path: string): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${url}${path}`);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

function assertShape(body: any, code: string): void {
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
}

/** Send raw bytes and return everything the server answers before it closes the connection. */
function raw(request: string): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    const giveUp = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ text, ms: Date.now() - started });
    });
  });
}

function rawBody(text: string): any {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

test('an unexpected exception in a handler: 500 INTERNAL_ERROR, no message or stack for the client, logged', async () => {
  const { status, body, text } = await get('/api/v1/routers');
  assert.equal(status, 500);
  assertShape(body, 'INTERNAL_ERROR');
  assert.ok(!text.includes('secret') && !text.includes('TypeError') && !text.includes(' at '), text);
  assert.ok(logLines.some((line) => line.includes(SECRET)), 'the server log has what went wrong');
});

test('a RibstoreError with a 5xx status keeps its code but hides its message', async () => {
  const { status, body, text } = await get('/api/v1/routers/r1/peers');
  assert.equal(status, 500);
  assertShape(body, 'FILE_ERROR');
  assert.ok(!text.includes('secret') && !text.includes('/srv'), text);
});

test("Fastify's own 4xx errors keep their status in the API's shape", async () => {
  const badUrl = await get('/api/v1/routers/%zz/peers');
  assert.equal(badUrl.status, 400);
  assertShape(badUrl.body, 'INVALID_ARGUMENT');
  assert.match(badUrl.body.error.message, /not a valid url/);
  const invalid = await get('/api/v1/lookup');
  assert.equal(invalid.status, 400);
  assertShape(invalid.body, 'INVALID_ARGUMENT');
  assert.match(invalid.body.error.message, /address/);
});

test("Node's HTTP parser errors: malformed request 400, oversized header 431, slow request 408", async () => {
  const malformed = await raw('NOT HTTP AT ALL\r\n\r\n');
  assert.match(malformed.text, /^HTTP\/1\.1 400 /);
  assertShape(rawBody(malformed.text), 'INVALID_ARGUMENT');
  const big = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(big.text, /^HTTP\/1\.1 431 /);
  assertShape(rawBody(big.text), 'LIMIT_EXCEEDED');
  // Headers never finished: answered once the 300 ms request timeout has passed.
  const slow = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  assert.match(slow.text, /^HTTP\/1\.1 408 /);
  assertShape(rawBody(slow.text), 'REQUEST_TIMEOUT');
  assert.ok(slow.ms >= 250, `answered after ${slow.ms} ms`);
});
