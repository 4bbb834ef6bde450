/**
 * `GET /api/v1/watch`: server-sent events of a prefix's routes, fed by a router this test
 * streams itself over BMP (the synthetic stream, its session kept open, then a withdrawal).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { createApiServer } from '../../src/api/server.js';
import { Rib } from '../../src/rib/rib.js';
import type { Service } from '../../src/service/service.js';
import { getJson, startTestService, waitFor } from '../e2e/support-service.js';
import { PEER_A, syntheticStream, withdrawal } from './synthetic-router.js';

const ROUTER = '127.0.0.61';
const PREFIX = '10.1.2.0/24';
let service: Service;
let router: Socket;

before(async () => {
  service = await startTestService({ keepMs: 3_600_000, maxWatchers: 2 });
  router = connect({ port: service.bmpPort, host: '127.0.0.1', localAddress: ROUTER });
  router.resume();
  await new Promise((resolve) => router.once('connect', resolve));
  router.write(syntheticStream());
  await waitFor('the synthetic routes', async () => (await getJson(service, `/api/v1/routes?prefix=${PREFIX}`)).body.prefixes?.[0]?.routes.length === 2);
});

after(async () => {
  router.destroy();
  await service.close();
});

interface SseEvent {
  event: string;
  data: any;
}

/** An open watch stream: its events as they arrive, and a way to close it from the client. */
async function watch(prefix: string, base = service.httpUrl): Promise<{ status: number; type: string | null; next: () => Promise<SseEvent | undefined>; close: () => void; comments: string[] }> {
  const abort = new AbortController();
  const response = await fetch(`${base}/api/v1/watch?prefix=${encodeURIComponent(prefix)}`, { signal: abort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const comments: string[] = [];
  const next = async (): Promise<SseEvent | undefined> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        if (lines.every((l) => l.startsWith(':'))) {
          comments.push(...lines);
          continue;
        }
        const field = (name: string): string => lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2)).join('\n');
        return { event: field('event'), data: JSON.parse(field('data')) };
      }
      const { done, value } = await reader.read();
      if (done) return undefined;
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return { status: response.status, type: response.headers.get('content-type'), next, close: () => abort.abort(), comments };
}

test('the first event holds the routes /api/v1/routes answers; a withdrawal sends the changed routes', async () => {
  const stream = await watch(PREFIX);
  assert.equal(stream.status, 200);
  assert.match(stream.type ?? '', /^text\/event-stream/);
  const first = await stream.next();
  const routes = await getJson(service, `/api/v1/routes?prefix=${PREFIX}`);
  assert.deepEqual(first, { event: 'routes', data: routes.body });
  assert.equal(first!.data.prefixes[0].routes.length, 2);
  assert.ok('communityNames' in first!.data.prefixes[0].routes[0], 'routes are named as in /api/v1/routes');

  router.write(withdrawal(PEER_A, false, [PREFIX]));
  const second = await stream.next();
  assert.equal(second?.event, 'routes');
  assert.equal(second!.data.prefixes[0].routes.length, 1);
  assert.equal(second!.data.prefixes[0].routes[0].view, 'adj-rib-in-post');
  assert.deepEqual(second!.data, (await getJson(service, `/api/v1/routes?prefix=${PREFIX}`)).body);

  router.write(withdrawal(PEER_A, true, [PREFIX]));
  const third = await stream.next();
  assert.deepEqual(third?.data, { prefixes: [], nextCursor: null });
  stream.close();
});

test('a bad prefix is refused with the usual error before any stream starts', async () => {
  for (const bad of ['10.1.2.0/33', 'nonsense', '']) {
    const { status, body } = await getJson(service, `/api/v1/watch?prefix=${encodeURIComponent(bad)}`);
    assert.equal(status, 400, bad);
    assert.equal(typeof body.error.code, 'string');
    assert.equal(typeof body.error.message, 'string');
  }
  assert.equal((await getJson(service, '/api/v1/watch')).status, 400);
});

test('past --max-watchers a stream is refused (503); a closed stream frees its place', async () => {
  const a = await watch('10.0.0.0/8');
  const b = await watch('10.0.0.0/8');
  assert.equal((await a.next())?.event, 'routes');
  assert.equal((await b.next())?.event, 'routes');
  const refused = await getJson(service, '/api/v1/watch?prefix=10.0.0.0/8');
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'LIMIT_EXCEEDED');
  a.close();
  const c = await waitFor('a freed place', async () => {
    const s = await watch('203.0.113.0/24');
    if (s.status === 200) return s;
    return undefined;
  });
  const first = await c.next();
  assert.equal(first?.data.prefixes[0].prefix, '203.0.113.0/24');
  b.close();
  c.close();
});

test('closing the server ends open streams cleanly', async () => {
  const own = await startTestService({ keepMs: 3_600_000 });
  const saved = service;
  service = own;
  try {
    const s = await watch('192.0.2.0/24');
    assert.deepEqual((await s.next())?.data, { prefixes: [], nextCursor: null });
    await own.close();
    assert.equal(await s.next(), undefined, 'the stream ends when the server closes');
  } finally {
    service = saved;
  }
});

test('a burst of changes is one event; an event is only sent when the routes differ', async () => {
  const stream = await watch('10.1.0.0/16');
  assert.equal((await stream.next())!.data.prefixes[0].routes.length, 2);
  // Both withdrawals in one write: they are applied within the coalescing time, so one event.
  const burst = Buffer.concat([withdrawal(PEER_A, false, ['10.1.0.0/16']), withdrawal(PEER_A, true, ['10.1.0.0/16'])]);
  router.write(burst);
  assert.deepEqual((await stream.next())?.data, { prefixes: [], nextCursor: null });
  // A withdrawal of a prefix that is gone changes nothing: no event.
  router.write(withdrawal(PEER_A, false, ['10.1.0.0/16']));
  const quiet = await Promise.race([stream.next(), new Promise((resolve) => setTimeout(() => resolve('none'), 600))]);
  assert.equal(quiet, 'none');
  stream.close();
});

test('heartbeat comment lines keep an idle stream open', async () => {
  const app = await createApiServer({ rib: new Rib(), watch: { heartbeatMs: 50 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const stream = await watch('192.0.2.0/24', base);
    assert.deepEqual((await stream.next())?.data, { prefixes: [], nextCursor: null });
    const nothing = await Promise.race([stream.next(), new Promise((resolve) => setTimeout(() => resolve('none'), 300))]);
    assert.equal(nothing, 'none', 'no event without a change');
    assert.ok(stream.comments.filter((c) => c === ': heartbeat').length >= 2, `heartbeats: ${stream.comments.length}`);
    stream.close();
  } finally {
    await app.close();
  }
});
