/**
 * `--api-workers`: the lookup and routes answers of a server with reader workers
 * (api/reader-pool.ts; the more-specifics go to them) equal the main thread's, request by
 * request, on the synthetic router's RIB, and the pool itself answers every query kind as the
 * main thread does; a worker that dies or hangs answers its request 503 `UNAVAILABLE` (never a
 * hang) and is replaced, and the pool answers again after.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiError } from '../../src/api/errors.js';
import { ReaderPool } from '../../src/api/reader-pool.js';
import { answerQuery, readsInWorker, type RibQuery } from '../../src/api/rib-queries.js';
import { createApiServer } from '../../src/api/server.js';
import { DEFAULT_API_WORKERS, parseServeArgs } from '../../src/cli/commands/serve.js';
import { RibstoreError } from '../../src/errors.js';
import type { Service } from '../../src/service/service.js';
import { getJson, waitFor } from '../e2e/support-service.js';
import { CRASH_ADDRESS, HANG_ADDRESS } from './fixtures/reader-faults.js';
import { EXPECTED } from './synthetic-router.js';
import { startSyntheticService } from './synthetic-service.js';

const ROUTER = '127.0.5.9';
let inline: Service;
let workers: Service;

before(async () => {
  [inline, workers] = await Promise.all([startSyntheticService(ROUTER, { apiWorkers: 0 }), startSyntheticService(ROUTER, { apiWorkers: 2 })]);
});
after(async () => {
  await inline?.close();
  await workers?.close();
});

/**
 * An answer with its receipt times blanked: the two services receive the same stream, at times
 * that may fall on either side of a second (more often when a service starts an HTTP worker).
 */
function receiptless(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === 'receivedAt' || key === 'changedAt' ? 'T' : v));
}

/** Lookups and routes queries over every stored prefix, misses, filters, pages and bad input. */
function requests(): string[] {
  const prefixes = [...EXPECTED.peerA, ...EXPECTED.peerB, EXPECTED.withdrawn, '0.0.0.0/0', '::/0', '10.0.0.0/7', '2001:db8::/32'];
  const out: string[] = [];
  for (const prefix of prefixes) {
    const p = encodeURIComponent(prefix);
    const address = encodeURIComponent(prefix.split('/')[0]!.replace(/::$/, '::1').replace(/\.0$/, '.1'));
    out.push(`/api/v1/lookup?address=${address}`, `/api/v1/lookup?address=${address}&router=${ROUTER}&stale=include`);
    for (const match of ['exact', 'more-specifics', 'less-specifics']) {
      out.push(`/api/v1/routes?prefix=${p}&match=${match}`, `/api/v1/routes?prefix=${p}&match=${match}&view=adj-rib-in-post`, `/api/v1/routes?prefix=${p}&match=${match}&limit=1`);
    }
  }
  out.push(
    '/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics&limit=2&cursor=' + Buffer.from('v1:2').toString('base64url'),
    '/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics&community=65000:1',
    '/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics&originAs=65030&limit=1',
    '/api/v1/lookup?address=10.1.2.3&pathAs=64999',
    '/api/v1/lookup?address=10.1.2.3&router=nope',
    '/api/v1/lookup?address=10.1.2.300',
    '/api/v1/routes?prefix=10.0.0.0/33',
    '/api/v1/routes?prefix=10.0.0.0/8&cursor=bad!',
    '/api/v1/lookup?address=192.0.2.1',
  );
  return out;
}

test('--api-workers 2 answers every lookup and routes request as --api-workers 0', async () => {
  const before = workers.readerPool!.statistics().answered;
  const all = requests();
  for (const path of all) {
    const [a, b] = await Promise.all([getJson(inline, path), getJson(workers, path)]);
    assert.deepEqual(receiptless(b), receiptless(a), path);
  }
  // Some answers are 200s with routes, some 404s and 400s: the comparison is not vacuous.
  const statuses = new Set<number>();
  for (const path of all) statuses.add((await getJson(inline, path)).status);
  assert.deepEqual([...statuses].sort(), [200, 400, 404]);
  // The more-specifics went to the workers (bad input is refused on the main thread).
  const answered = workers.readerPool!.statistics().answered - before;
  const scans = all.filter((path) => path.includes('match=more-specifics')).length;
  assert.ok(answered >= scans && scans > 10, `${answered} requests answered by workers, ${scans} more-specifics`);
  assert.equal(workers.readerPool!.statistics().workers, 2);
  assert.equal((await getJson(workers, '/api/v1/stats')).body.apiWorkers.workers, 2);
  assert.equal((await getJson(inline, '/api/v1/stats')).body.apiWorkers, null);
});

test('the pool answers every query kind (lookup, exact, less-, more-specifics) as the main thread', async () => {
  const queries: RibQuery[] = [];
  for (const address of ['10.1.2.3', '10.9.9.9', '203.0.113.7', '2001:db8:100:1::5', '192.0.2.1']) {
    queries.push({ op: 'lookup', address, filter: { router: ROUTER, stale: 'include' }, filters: {}, narrowed: false });
    queries.push({ op: 'lookup', address, filter: { view: 'adj-rib-in-pre' }, filters: { pathAs: 65030 }, narrowed: true });
  }
  for (const prefix of [...EXPECTED.peerA, ...EXPECTED.peerB, '0.0.0.0/0', '::/0']) {
    for (const match of ['exact', 'more-specifics', 'less-specifics'] as const) {
      queries.push({ op: 'routes', prefix, match, filter: {}, filters: {}, cursor: undefined, limit: 2 });
      queries.push({ op: 'routes', prefix, match, filter: { view: 'adj-rib-in-post' }, filters: { originAs: 65030 }, cursor: undefined, limit: 100 });
    }
  }
  assert.ok(queries.some(readsInWorker) && !queries.every(readsInWorker));
  const pool = workers.readerPool!;
  for (const query of queries) {
    const inline = await Promise.resolve()
      .then(() => answerQuery(workers.rib, query))
      .catch((e: Error) => ({ failed: e.message }));
    const pooled = await pool.run(query).catch((e: Error) => ({ failed: e.message }));
    assert.deepEqual(pooled, inline, JSON.stringify(query));
  }
});

const lookup = (address: string): RibQuery => ({ op: 'lookup', address, filter: {}, filters: {}, narrowed: false });

async function assertUnavailable(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ApiError && error.statusCode === 503 && error.code === 'UNAVAILABLE');
}

test('a worker that dies answers its request 503 UNAVAILABLE, is replaced, and the pool answers again', async () => {
  const pool = ReaderPool.start(workers.rib, { workers: 1, workerUrl: new URL('./fixtures/faulty-reader-worker.js', import.meta.url) });
  try {
    assert.equal(((await pool.run(lookup('10.1.2.3'))) as { prefix: string }).prefix, '10.1.2.0/24');
    await assertUnavailable(pool.run(lookup(CRASH_ADDRESS)));
    // Until the replacement runs, requests are refused at once (503), never queued to a dead worker.
    await waitFor('the replacement worker', () => pool.statistics().workers === 1);
    assert.equal(((await pool.run(lookup('10.1.2.3'))) as { prefix: string }).prefix, '10.1.2.0/24');
    const stats = pool.statistics();
    assert.equal(stats.replaced, 1);
    assert.equal(stats.failed, 1);
    assert.equal(stats.inFlight, 0);
  } finally {
    await pool.close();
  }
});

test('a worker that hangs is answered 503 after the timeout and replaced; other requests go on; HTTP shape', async () => {
  const pool = ReaderPool.start(workers.rib, { workers: 2, requestTimeoutMs: 500, workerUrl: new URL('./fixtures/faulty-reader-worker.js', import.meta.url) });
  const app = await createApiServer({ rib: workers.rib, readerPool: pool });
  try {
    const hung = app.inject({ url: `/api/v1/routes?prefix=${HANG_ADDRESS}/32&match=more-specifics` });
    // The other worker (least busy) still answers while one is stuck.
    const ok = await app.inject({ url: '/api/v1/routes?prefix=10.0.0.0/8&match=more-specifics' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().prefixes.length, 3);
    const refused = await hung;
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.json().error.code, 'UNAVAILABLE');
    await waitFor('the replacement worker', () => pool.statistics().workers === 2);
    assert.equal((await app.inject({ url: '/api/v1/routes?prefix=10.0.0.0/8&match=more-specifics' })).json().prefixes.length, 3);
    assert.equal(pool.statistics().replaced, 1);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^ribstore_api_workers 2$/m);
    assert.match(metrics, /^ribstore_api_worker_replaced_total 1$/m);
    assert.match(metrics, /^ribstore_api_worker_unavailable_total 1$/m);
    assert.equal((await app.inject({ url: '/api/v1/stats' })).json().apiWorkers.replaced, 1);
    // Closing answers what is still in flight 503 too.
    const last = assertUnavailable(pool.run(lookup(HANG_ADDRESS)));
    await pool.close();
    await last;
    await assertUnavailable(pool.run(lookup('10.1.2.3')));
  } finally {
    await app.close();
    await pool.close();
  }
});

test('serve --api-workers: default cores - 1 (at least 1), 0 allowed, bad counts refused', () => {
  assert.equal(DEFAULT_API_WORKERS, 0);
  assert.equal(parseServeArgs([]).apiWorkers, DEFAULT_API_WORKERS);
  assert.equal(parseServeArgs(['--api-workers', '0']).apiWorkers, 0);
  assert.equal(parseServeArgs(['--api-workers', '4']).apiWorkers, 4);
  for (const bad of ['-1', '1.5', 'two', '', '65', '1e3']) {
    assert.throws(() => parseServeArgs([`--api-workers=${bad}`]), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT', bad);
  }
});
