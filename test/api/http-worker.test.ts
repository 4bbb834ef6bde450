/**
 * `serve --api-thread worker`: the HTTP worker owns the listening socket, answers lookups and
 * routes queries from shared memory and proxies the rest to the main thread's app. Checked
 * against a `--api-thread main` service fed the same synthetic router, one kind of proxied
 * answer at a time (status JSON, metrics text, server-sent events, the MRT export stream,
 * error shapes), then a killed worker and a main thread that does not answer.
 * The whole API suite runs through the worker (the default) in `npm test`, and on the main
 * thread with `npm run test:api-main`.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { HttpThread } from '../../src/api/http-thread.js';
import { CommunityNames } from '../../src/rib/community-names.js';
import { Rib } from '../../src/rib/rib.js';
import { parseServeArgs } from '../../src/cli/commands/serve.js';
import { RibstoreError } from '../../src/errors.js';
import { DEFAULT_API_THREAD, type Service } from '../../src/service/service.js';
import { getJson, startTestService, waitFor } from '../e2e/support-service.js';
import { EXPECTED } from './synthetic-router.js';
import { startSyntheticService } from './synthetic-service.js';

const ROUTER = '127.0.5.21';
let main: Service;
let worker: Service;

before(async () => {
  [main, worker] = await Promise.all([startSyntheticService(ROUTER, { apiThread: 'main' }), startSyntheticService(ROUTER, { apiThread: 'worker', maxWatchers: 1 })]);
});
after(async () => {
  await main?.close();
  await worker?.close();
});

/** An answer with its per-service times (when each service received the routes, uptimes) blanked. */
function timeless(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === 'uptimeSeconds' || (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(v)) ? 'T' : v));
}

test('route queries, their misses and bad input answer as on the main thread; the worker answers them itself', async () => {
  const paths: string[] = [];
  for (const prefix of [...EXPECTED.peerA, ...EXPECTED.peerB, '0.0.0.0/0', '::/0']) {
    const p = encodeURIComponent(prefix);
    paths.push(`/api/v1/lookup?address=${encodeURIComponent(prefix.split('/')[0]!.replace(/::$/, '::1'))}`);
    for (const match of ['exact', 'more-specifics', 'less-specifics']) paths.push(`/api/v1/routes?prefix=${p}&match=${match}`, `/api/v1/routes?prefix=${p}&match=${match}&limit=1&router=${ROUTER}`);
  }
  paths.push(
    '/api/v1/lookup?address=192.0.2.999',
    '/api/v1/lookup?address=10.1.2.3&router=nosuch',
    '/api/v1/lookup?address=203.0.113.250',
    '/api/v1/routes?prefix=10.0.0.0/8&adress=1',
    '/api/v1/routes?prefix=10.0.0.0/8&limit=999999',
    '/api/v1/routes',
  );
  const statuses = new Set<number>();
  for (const path of paths) {
    const [a, b] = await Promise.all([getJson(main, path), getJson(worker, path)]);
    assert.deepEqual(timeless(b), timeless(a), path);
    statuses.add(a.status);
  }
  assert.deepEqual([...statuses].sort(), [200, 400, 404]);
  // The worker's own answers do not touch the main thread's app: its request count stays.
  const stats = (await getJson(worker, '/api/v1/stats')).body;
  assert.deepEqual(stats.api, { thread: 'worker', workerRunning: true, workerRestarts: 0 });
  assert.deepEqual((await getJson(main, '/api/v1/stats')).body.api, { thread: 'main', workerRunning: false, workerRestarts: 0 });
});

test('proxied status JSON, OpenAPI document and unknown paths: the main thread\'s answers', async () => {
  for (const path of ['/api/v1/routers', `/api/v1/routers/${ROUTER}/peers`, '/api/v1/origins/65030/prefixes', '/api/v1/communities/65000:1/routes', '/healthz', '/openapi.json', '/nope', '/api/v1/routers/nosuch/peers', '/healthz?x=1']) {
    const [a, b] = await Promise.all([getJson(main, path), getJson(worker, path)]);
    assert.deepEqual(timeless(b), timeless(a), path);
  }
  const missing = await getJson(worker, '/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'NOT_FOUND');
  const post = await fetch(`${worker.httpUrl}/api/v1/lookup?address=10.1.2.3`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
  assert.equal(post.status, 404, 'a method no route has: 404 from the main thread, body forwarded');
  assert.equal(((await post.json()) as any).error.code, 'NOT_FOUND');
});

test('proxied metrics text names the arrangement', async () => {
  const response = await fetch(`${worker.httpUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await response.text();
  assert.match(text, /^ribstore_api_thread_info\{thread="worker"\} 1$/m);
  assert.match(text, /^ribstore_api_http_worker_running 1$/m);
  assert.match(text, /^ribstore_api_http_worker_restarts_total 0$/m);
  assert.match(text, new RegExp(`^ribstore_routes ${(await getJson(worker, '/api/v1/stats')).body.rib.routes}$`, 'm'));
  assert.match(await (await fetch(`${main.httpUrl}/metrics`)).text(), /^ribstore_api_thread_info\{thread="main"\} 1$/m);
});

test('the MRT export streams through the worker: the same bytes as the main thread\'s app sends', async () => {
  const response = await fetch(`${worker.httpUrl}/api/v1/export/mrt`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-disposition'), 'attachment; filename="ribstore.mrt"');
  const proxied = Buffer.from(await response.arrayBuffer());
  const direct = await worker.api.inject({ method: 'GET', url: '/api/v1/export/mrt' });
  assert.ok(proxied.length > 100);
  assert.equal(proxied.length, direct.rawPayload.length);
  // Every record header carries the dump's time in seconds, and the two exports may fall on
  // either side of a second: compare with those four bytes of each record cleared.
  assert.deepEqual(withoutRecordTimes(proxied), withoutRecordTimes(direct.rawPayload));
  const bad = await getJson(worker, '/api/v1/export/mrt?view=nosuch');
  assert.equal(bad.status, 400);
});

/** A copy of an MRT file with the timestamp of every record header (12 bytes: time, type, subtype, length) set to 0. */
function withoutRecordTimes(file: Uint8Array): Buffer {
  const copy = Buffer.from(file);
  for (let at = 0; at + 12 <= copy.length; at += 12 + copy.readUInt32BE(at + 8)) copy.writeUInt32BE(0, at);
  return copy;
}

/** Open a watch of `prefix` through the worker; its first event's data, or the refusal's status. */
async function openWatch(prefix: string): Promise<{ status: number; first?: unknown; close: () => void }> {
  const abort = new AbortController();
  const response = await fetch(`${worker.httpUrl}/api/v1/watch?prefix=${encodeURIComponent(prefix)}`, { signal: abort.signal });
  if (response.status !== 200) {
    await response.text();
    return { status: response.status, close: () => {} };
  }
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) text += decoder.decode((await reader.read()).value, { stream: true });
  assert.match(text, /^event: routes\ndata: /);
  return { status: 200, first: JSON.parse(/data: (.*)\n/.exec(text)![1]!), close: () => abort.abort() };
}

test('a watch streams through the worker; a client that goes away frees its place (back to the main thread)', async () => {
  const prefix = EXPECTED.peerA[0]!;
  const a = await openWatch(prefix);
  assert.equal(a.status, 200);
  assert.deepEqual(timeless(a.first), timeless((await getJson(worker, `/api/v1/routes?prefix=${encodeURIComponent(prefix)}`)).body));
  // --max-watchers 1: a second stream is refused by the main thread, in the API's shape.
  const refused = await getJson(worker, `/api/v1/watch?prefix=${encodeURIComponent(prefix)}`);
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'LIMIT_EXCEEDED');
  a.close();
  const b = await waitFor('the place freed by the closed stream', async () => {
    const w = await openWatch(prefix);
    return w.status === 200 ? w : undefined;
  });
  b.close();
});

test('a killed HTTP worker is logged and replaced; the port serves again', async () => {
  const thread = worker.httpThread!;
  const before = thread.current!;
  await before.terminate();
  await waitFor('a new HTTP worker', () => thread.current !== undefined && thread.current !== before && thread.statistics().workerRunning);
  const answer = await waitFor('an answer on the same port', async () => {
    try {
      const r = await getJson(worker, `/api/v1/lookup?address=10.1.2.3`);
      return r.status === 200 ? r : undefined;
    } catch {
      return undefined;
    }
  });
  assert.equal(answer.body.prefix !== undefined, true);
  assert.equal((await getJson(worker, '/api/v1/stats')).body.api.workerRestarts, 1);
});

test('a proxied request the main thread does not answer in time: 503 UNAVAILABLE in the API\'s shape', async () => {
  // An upstream that accepts and never answers stands in for a main thread that is stuck.
  const stuck: Server = createServer(() => {});
  await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
  const rib = new Rib();
  const thread = await HttpThread.start(rib, {
    host: '127.0.0.1',
    port: 0,
    upstream: { host: '127.0.0.1', port: (stuck.address() as AddressInfo).port },
    maxPageLimit: 100,
    requestTimeoutMs: 300,
    communityNames: CommunityNames.builtIn(),
    logger: pino({ level: 'silent' }),
  });
  try {
    const base = `http://127.0.0.1:${thread.address.port}`;
    const started = Date.now();
    const response = await fetch(`${base}/api/v1/stats`);
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as any).error.code, 'UNAVAILABLE');
    assert.ok(Date.now() - started < 5000);
    // The worker's own routes do not wait for the main thread.
    const lookup = await fetch(`${base}/api/v1/lookup?address=10.1.2.3`);
    assert.equal(lookup.status, 404);
  } finally {
    await thread.close();
    stuck.closeAllConnections();
    stuck.close();
  }
});

test('a kept-alive connection the main thread closed under a proxied GET: sent again on a new one, answered', async () => {
  // An upstream that answers the first request of each connection and drops the connection as the
  // second arrives: the race of a keep-alive socket closed by the other side as a request goes out.
  const requestsOn = new WeakMap<object, number>();
  let connections = 0;
  const flaky: Server = createServer((req, res) => {
    const count = (requestsOn.get(req.socket) ?? 0) + 1;
    requestsOn.set(req.socket, count);
    if (count > 1) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  flaky.on('connection', () => connections++);
  await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
  const thread = await HttpThread.start(new Rib(), {
    host: '127.0.0.1',
    port: 0,
    upstream: { host: '127.0.0.1', port: (flaky.address() as AddressInfo).port },
    maxPageLimit: 100,
    requestTimeoutMs: 5000,
    communityNames: CommunityNames.builtIn(),
    logger: pino({ level: 'silent' }),
  });
  try {
    const base = `http://127.0.0.1:${thread.address.port}`;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${base}/api/v1/stats`);
      assert.equal(response.status, 200, `request ${i}`);
      assert.deepEqual(await response.json(), { ok: true });
    }
    assert.equal(connections, 3, 'each request after the first went out on a kept-alive connection, was dropped, and was sent again on a new one');
  } finally {
    await thread.close();
    flaky.closeAllConnections();
    flaky.close();
  }
});

test('serve --api-thread: worker by default, main with --api-workers N > 0 or when asked; bad values and worker + --api-workers refused', async () => {
  assert.equal(DEFAULT_API_THREAD, 'worker');
  assert.equal(parseServeArgs([]).apiThread, undefined, 'the service chooses (DEFAULT_API_THREAD, or main with --api-workers)');
  assert.equal(parseServeArgs(['--api-thread', 'main']).apiThread, 'main');
  assert.equal(parseServeArgs(['--api-thread=worker']).apiThread, 'worker');
  for (const bad of ['', 'Worker', 'both', '1']) {
    assert.throws(() => parseServeArgs([`--api-thread=${bad}`]), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT', bad);
  }
  await assert.rejects(startTestService({ apiThread: 'worker', apiWorkers: 1 }), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT');
  const pooled = await startTestService({ apiWorkers: 1, apiThread: undefined });
  try {
    assert.equal(pooled.httpThread, undefined);
    assert.equal((await getJson(pooled, '/api/v1/stats')).body.api.thread, 'main');
  } finally {
    await pooled.close();
  }
});
