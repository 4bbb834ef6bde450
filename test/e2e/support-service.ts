/**
 * Test helpers around an in-process service on real loopback sockets (ports chosen by the
 * system): start it quietly, fetch JSON from its API, wait for a condition.
 */
import { pino } from 'pino';
import { type Service, type ServiceOptions, startService } from '../../src/service/service.js';

/**
 * `--api-thread` of the services tests start when they do not choose: RIBSTORE_TEST_API_THREAD
 * (`worker` or `main`) runs a suite through the other arrangement, e.g.
 * `RIBSTORE_TEST_API_THREAD=main` (`npm run test:api-main`).
 */
const TEST_API_THREAD = process.env['RIBSTORE_TEST_API_THREAD'] === 'worker' ? 'worker' : process.env['RIBSTORE_TEST_API_THREAD'] === 'main' ? 'main' : undefined;

/** Start a service on 127.0.0.1 port 0 for both listeners, logging nothing. */
export function startTestService(options: Partial<ServiceOptions> = {}): Promise<Service> {
  return startService({
    bmpListen: { host: '127.0.0.1', port: 0 },
    httpListen: { host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    tickMs: 100,
    ...(TEST_API_THREAD !== undefined && !options.apiWorkers ? { apiThread: TEST_API_THREAD } : {}),
    ...options,
  });
}

/** GET a path of the API and parse JSON; resolves with status and body. */
export async function getJson<T = any>(service: Service, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${service.httpUrl}${path}`);
  const text = await response.text();
  return { status: response.status, body: text === '' ? (undefined as T) : (JSON.parse(text) as T) };
}

/** Poll `check` every 20 ms until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<Awaited<T>>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<Awaited<T>>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Per-peer, per-view route counts of a router as the API reports them (peer key as in bmp-replay.ts). */
export async function apiCounts(service: Service, router: string): Promise<Map<string, Map<string, number>>> {
  const { status, body } = await getJson<{ peers: any[] }>(service, `/api/v1/routers/${encodeURIComponent(router)}/peers`);
  const out = new Map<string, Map<string, number>>();
  if (status !== 200) return out;
  for (const peer of body.peers) {
    const views = new Map<string, number>();
    for (const [view, n] of Object.entries(peer.routes as Record<string, number>)) if (n > 0) views.set(view, n);
    if (views.size > 0) out.set(`${peer.type}|${peer.distinguisher}|${peer.address}|${peer.asn}|${peer.bgpId}`, views);
  }
  return out;
}
