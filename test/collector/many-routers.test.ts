/**
 * Many routers at once: ten BMP sessions (from ten loopback source addresses, so ten routers)
 * each send their whole table concurrently, as after a collector restart. Each table (built
 * with our own encoders: an IPv4 peer of 16,000 routes and an IPv6 peer of 4,000, attribute
 * sets shared by runs of 1-8 prefixes, one prefix per UPDATE) must be applied in full, route
 * for route as a plain decode of the stream counts them; no session may be dropped or reset;
 * the sessions' queues must stay bounded, each and all together (the sockets paused, not the
 * queues grown); and the
 * API must keep answering lookups while the tables stream in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBmpStream } from '../../bench/support/bmp-stream.js';
import type { RealRoutes } from '../../bench/support/real-routes.js';
import { parseAddress } from '../../src/ip/address.js';
import { Prefix } from '../../src/ip/prefix.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { goldenCounts, replay } from '../e2e/bmp-replay.js';
import { apiCounts, startTestService, waitFor } from '../e2e/support-service.js';

const ROUTERS = 10;
const V4_ROUTES = 16_000;
const V6_ROUTES = 4_000;
/** Per session: small enough that ten concurrent tables must pause their sockets. */
const HIGH_WATER = 256 * 1024;
/** All sessions together: under ten high-water marks, so the shared budget pauses sockets too. */
const TOTAL = 1024 * 1024;
/** Most bytes one socket read adds after the limit is crossed (the read that crosses it). */
const READ = 64 * 1024;

/** Deterministic attribute sets with made-up but well-formed AS paths and communities. */
function attributeSets(count: number): PathAttributes[] {
  let seed = 7;
  const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const sets: PathAttributes[] = [];
  for (let i = 0; i < count; i++) {
    const asns = [64500];
    for (let n = 1 + (next() % 5); n > 0; n--) asns.push(1 + (next() % 400_000));
    const base: PathAttributes = { origin: (i % 3) as 0 | 1 | 2, asPath: [{ type: 2, asns }], communities: [(64500 * 65536 + (next() % 300)) >>> 0], ...(i % 4 === 0 ? { med: i } : {}) };
    sets.push(
      i % 2 === 0
        ? { ...base, nextHop: parseAddress('192.0.2.1') }
        : { ...base, mpReach: { afi: 2, safi: 1, nextHop: parseAddress('2001:db8::1'), linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: [], unknownNlri: undefined } },
    );
  }
  return sets;
}

/** One router's table: an IPv4 and an IPv6 peer, attribute sets in runs of 1-8 prefixes. */
function table(): RealRoutes {
  const attributes = attributeSets(400);
  const peer = (family: 4 | 6, count: number): RealRoutes['peers'][number] => {
    const prefixes: Prefix[] = [];
    const sets = new Uint32Array(count);
    let set = family === 4 ? 0 : 1;
    for (let i = 0; i < count; ) {
      const end = Math.min(count, i + 1 + (set % 8));
      for (; i < end; i++) {
        prefixes.push(family === 4 ? new Prefix(4, ((10 << 24) | (i << 8)) >>> 0, 0, 0, 0, 24) : new Prefix(6, 0x20010db8, (i << 16) >>> 0, 0, 0, 48));
        sets[i] = set;
      }
      set = (set + 2) % attributes.length;
    }
    return { address: parseAddress(family === 4 ? '192.0.2.1' : '2001:db8::1'), asn: 64500, prefixes, sets };
  };
  return { source: 'made-up test routes', attributes, peers: [peer(4, V4_ROUTES), peer(6, V6_ROUTES)] };
}

test(`${ROUTERS} routers send their tables at once: every route applied, no session dropped, queues bounded, the API answering`, async () => {
  const stream = buildBmpStream(table(), 'one');
  assert.equal(stream.routes, V4_ROUTES + V6_ROUTES);
  const golden = goldenCounts(stream.bytes);
  const service = await startTestService({ keepMs: 3_600_000, queueHighWaterBytes: HIGH_WATER, queueTotalBytes: TOTAL });
  const addresses = Array.from({ length: ROUTERS }, (_, i) => `127.0.0.${i + 2}`);
  try {
    let streaming = true;
    // Sample every session's queue while the tables stream in.
    let maxQueue = 0;
    let maxTotal = 0;
    const sampler = setInterval(() => {
      let total = 0;
      for (const router of service.collector.routers.values()) {
        const queued = router.connection?.queueBytes ?? 0;
        maxQueue = Math.max(maxQueue, queued);
        total += queued;
      }
      maxTotal = Math.max(maxTotal, total);
    }, 5);
    // Lookups one after the other while the tables stream in.
    const latencies: number[] = [];
    const prober = (async () => {
      for (let i = 0; streaming; i++) {
        const started = performance.now();
        const response = await fetch(`${service.httpUrl}/api/v1/lookup?address=10.0.${(i * 37) % 62}.1`);
        await response.arrayBuffer();
        assert.ok(response.status === 200 || response.status === 404, `lookup answered ${response.status}`);
        latencies.push(performance.now() - started);
      }
    })();
    await Promise.all(addresses.map((address) => replay(stream.bytes, service.bmpPort, address)));
    await waitFor('every session to be processed and closed', () => addresses.every((a) => service.collector.routers.get(a)?.state === 'disconnected'), 60_000);
    streaming = false;
    await prober;
    clearInterval(sampler);

    assert.equal(service.rib.stats().routes, ROUTERS * stream.routes, 'every route of every router is in the RIB');
    for (const address of addresses) {
      const router = service.collector.routers.get(address)!;
      assert.equal(router.sessions, 1, `${address}: one session, never reset`);
      assert.equal(router.lastError, null, `${address}: the session ended cleanly`);
      assert.equal(router.updateErrors, 0);
      assert.deepEqual(await apiCounts(service, address), golden.perPeer, `${address}: per-peer route counts`);
    }
    assert.deepEqual(service.collector.totals.errors, { decode: 0, update: 0, protocol: 0, limit: 0, rejected: 0, socket: 0 });
    assert.equal(service.collector.totals.announcements, ROUTERS * stream.routes);
    // Bounded: a session's queue stops growing at its high-water mark plus the read that
    // crossed it; all queues together at the budget plus one such read per session.
    assert.ok(maxQueue > 0 && maxQueue <= HIGH_WATER + READ, `largest session queue ${maxQueue} bytes`);
    assert.ok(maxTotal <= TOTAL + ROUTERS * READ, `largest total of the queues ${maxTotal} bytes`);
    assert.ok(latencies.length >= 3, `the API answered ${latencies.length} lookups while the tables streamed in`);
  } finally {
    await service.close();
  }
});
