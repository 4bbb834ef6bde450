/**
 * Test helpers for bus replicas: wait until a replica has applied what its collector published,
 * and read a service's answers in a comparable form (every route,
 * lookups, routers and their peers), so a replica can be checked equal to its collector.
 *
 * What is left out of the comparison, and why: times (`since`, `downSince`, `flushAt`, `lostAt`:
 * when each process saw a change), byte counts (a replica's feed counts the BMP
 * bytes, a socket counts what arrived), the close reason text and Termination count (a session
 * that ended without a Termination reaches a replica as a Termination the collector added).
 * Route ages (`receivedAt`, `changedAt`) are compared apart, to within a second (see {@link allRoutes}).
 */
import assert from 'node:assert/strict';
import { connect } from 'nats';
import { type Service } from '../../src/service/service.js';
import { getJson, waitFor } from '../e2e/support-service.js';

const VOLATILE = new Set(['since', 'downSince', 'flushAt', 'lostAt', 'receivedAt', 'changedAt', 'bytes', 'lastCloseReason', 'termination']);

/** `value` without the keys that legitimately differ between a collector and its replica. */
export function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (!VOLATILE.has(key)) out[key] = comparable(inner);
  return out;
}

async function ok<T = any>(service: Service, path: string): Promise<T> {
  const { status, body } = await getJson<T>(service, path);
  if (status !== 200) throw new Error(`${path}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Every route the API holds (all prefixes, all routes, attributes included), sorted. A route's
 * ages are left out of the lines and, with `ages`, recorded there under the route's line: a
 * replica stamps routes with the records' collection time, which the collector's publisher takes
 * just after the collector stamped the route, so the two can sit either side of a second.
 */
export async function allRoutes(service: Service, ages?: Map<string, [number, number]>): Promise<string[]> {
  const out: string[] = [];
  for (const root of ['0.0.0.0/0', '::/0']) {
    let cursor = '';
    do {
      const page = await ok<{ prefixes: { prefix: string; routes: unknown[] }[]; nextCursor: string | null }>(
        service,
        `/api/v1/routes?prefix=${encodeURIComponent(root)}&match=more-specifics&limit=10000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const p of page.prefixes) {
        for (const route of p.routes as { receivedAt: string | null; changedAt: string | null }[]) {
          const line = JSON.stringify([p.prefix, comparable(route)]);
          out.push(line);
          ages?.set(line, [Date.parse(route.receivedAt ?? ''), Date.parse(route.changedAt ?? '')]);
        }
      }
      cursor = page.nextCursor ?? '';
    } while (cursor !== '');
  }
  return out.sort();
}

/** `/api/v1/lookup` of each address, comparable. */
export async function lookups(service: Service, addresses: readonly string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const address of addresses) {
    const { status, body } = await getJson(service, `/api/v1/lookup?address=${encodeURIComponent(address)}`);
    out.push([address, status, comparable(body)]);
  }
  return out;
}

/** `/api/v1/routers` and each router's `/peers`, comparable. */
export async function routersAndPeers(service: Service): Promise<unknown> {
  const { routers } = await ok<{ routers: { name: string }[] }>(service, '/api/v1/routers');
  const peers: unknown[] = [];
  for (const router of routers) peers.push(comparable(await ok(service, `/api/v1/routers/${encodeURIComponent(router.name)}/peers`)));
  return { routers: comparable(routers), peers };
}

/** One address inside each of the first `n` prefixes of `routes` (from {@link allRoutes}). */
export function addressesOf(routes: readonly string[], n = 50): string[] {
  const prefixes = [...new Set(routes.map((r) => (JSON.parse(r) as [string])[0]))];
  const step = Math.max(1, Math.floor(prefixes.length / n));
  return prefixes.filter((_, i) => i % step === 0).map((p) => p.split('/')[0]!);
}

/** The stream's last sequence once the collector has published everything it queued. */
export async function publishedUpTo(url: string, collector: Service): Promise<number> {
  await waitFor('publisher drained', () => collector.publisher!.statistics().queuedMessages === 0, 30_000);
  const nc = await connect({ servers: url });
  try {
    return (await (await nc.jetstreamManager()).streams.info('RIBSTORE_BMP')).state.last_seq;
  } finally {
    await nc.close();
  }
}

/** Wait until the replica applied the stream up to what the collector published, and both finished sweeping. */
export async function caughtUp(url: string, collector: Service, replica: Service): Promise<number> {
  // The collector may still be processing what a router sent: repeat until the stream stops growing.
  for (let last = -1; ; ) {
    const now = await publishedUpTo(url, collector);
    await waitFor(`replica at sequence ${now}`, () => replica.follower!.statistics().lastSequence >= now, 30_000);
    await collector.collector.idle();
    await replica.collector.idle();
    if (now === last) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Assert the replica's answers equal the collector's: every route, lookups of their prefixes, routers and peers. Returns the routes. */
export async function assertEqual(collector: Service, replica: Service): Promise<string[]> {
  const collectorAges = new Map<string, [number, number]>();
  const replicaAges = new Map<string, [number, number]>();
  const routes = await allRoutes(collector, collectorAges);
  assert.deepEqual(await allRoutes(replica, replicaAges), routes, 'every route, attributes included');
  for (const [line, [received, changed]] of collectorAges) {
    const [replicaReceived, replicaChanged] = replicaAges.get(line)!;
    assert.ok(Number.isFinite(received) && Number.isFinite(changed), `collector route without ages: ${line}`);
    assert.ok(Math.abs(replicaReceived - received) <= 1000 && Math.abs(replicaChanged - changed) <= 1000,
      `route ages: the replica's ${new Date(replicaReceived).toISOString()} / ${new Date(replicaChanged).toISOString()} are the collector's ${new Date(received).toISOString()} / ${new Date(changed).toISOString()} within a second: ${line}`);
  }
  const addresses = addressesOf(routes);
  assert.deepEqual(await lookups(replica, addresses), await lookups(collector, addresses), 'lookups');
  assert.deepEqual(await routersAndPeers(replica), await routersAndPeers(collector), 'routers and peers');
  return routes;
}
