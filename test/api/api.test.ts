/**
 * The HTTP API, route by route, over a real socket: a service fed with a known synthetic BMP
 * stream (synthetic-router.ts), then good and bad requests to every route, the error shape,
 * paging, NDJSON-free JSON answers, metrics, the MRT export stream, and the validity of
 * /openapi.json against the routes actually served.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Service } from '../../src/service/service.js';
import { getJson, startTestService } from '../e2e/support-service.js';
import { EXPECTED, PEER_A, PEER_B } from './synthetic-router.js';
import { startSyntheticService } from './synthetic-service.js';
import { R1, R2, decodeExport, expectedTuples, populateFixture } from '../collector/export-fixture.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';

const ROUTER = '127.0.5.1';

let service: Service;

before(async () => {
  service = await startSyntheticService(ROUTER, { maxPageLimit: 500 });
});
after(() => service?.close());

function assertError(response: { status: number; body: any }, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.deepEqual(Object.keys(response.body), ['error']);
  assert.equal(response.body.error.code, code);
  assert.equal(typeof response.body.error.message, 'string');
  assert.ok(response.body.error.message.length > 0);
}

describe('GET /api/v1/lookup', () => {
  test('longest match with every route attribute', async () => {
    const { status, body } = await getJson(service, '/api/v1/lookup?address=10.1.2.3');
    assert.equal(status, 200);
    assert.equal(body.prefix, '10.1.2.0/24');
    assert.equal(body.fallback, false);
    assert.equal(body.routes.length, 2, 'pre- and post-policy');
    assert.deepEqual(body.routes.map((r: any) => r.view), ['adj-rib-in-post', 'adj-rib-in-pre'], 'post-policy preferred');
    assert.deepEqual(body.routes.map((r: any) => r.lostAt), [null, 'view'], 'the pre-policy route lost to the best at the view step');
    const route = body.routes[0];
    assert.equal(route.router, ROUTER);
    assert.deepEqual(route.peer, { address: PEER_A.address, asn: PEER_A.asn, bgpId: PEER_A.bgpId, type: 'global', distinguisher: '0:0' });
    assert.equal(route.afiSafi, 'ipv4-unicast');
    assert.equal(route.rd, null);
    assert.equal(route.pathId, 0);
    assert.equal(route.nextHop, '192.0.2.1');
    assert.equal(route.origin, 'igp');
    assert.deepEqual(route.asPath, [65001, 65010, 65020]);
    assert.equal(route.originAs, 65020);
    assert.equal(route.med, 50);
    assert.equal(route.localPref, null);
    assert.deepEqual(route.communities, ['65000:1', '65000:2']);
    assert.deepEqual(route.largeCommunities, ['65000:1:2']);
    assert.deepEqual(route.extendedCommunities, []);
    assert.equal(route.stale, true, 'kept after the router disconnected');
  });

  test('AS_SET as a nested array; IPv6 via MP_REACH', async () => {
    const set = await getJson(service, '/api/v1/lookup?address=203.0.113.9');
    assert.deepEqual(set.body.routes[0].asPath, [65001, [65030, 65031]]);
    assert.equal(set.body.routes[0].originAs, null);
    assert.equal(set.body.routes[0].origin, 'incomplete');
    const v6 = await getJson(service, '/api/v1/lookup?address=2001:db8:100:1::42');
    assert.equal(v6.status, 200);
    assert.equal(v6.body.prefix, '2001:db8:100:1::/64');
    assert.equal(v6.body.routes[0].peer.address, PEER_B.address);
    assert.equal(v6.body.routes[0].nextHop, '2001:db8::2');
    assert.equal(v6.body.routes[0].afiSafi, 'ipv6-unicast');
  });

  test('router filter, and fallback to other routers', async () => {
    const own = await getJson(service, `/api/v1/lookup?address=10.9.9.9&router=${ROUTER}`);
    assert.equal(own.body.prefix, '10.0.0.0/8');
    assert.equal(own.body.fallback, false);
    // A known router without a covering route: the other routers' routes, flagged.
    const fixture = await startTestService({ keepMs: 3_600_000 });
    try {
      populateFixture(fixture.rib);
      const other = await getJson(fixture, `/api/v1/lookup?address=203.0.113.5&router=${R2}`);
      assert.equal(other.status, 200);
      assert.equal(other.body.fallback, true);
      assert.deepEqual(new Set(other.body.routes.map((r: any) => r.router)), new Set([R1]));
    } finally {
      await fixture.close();
    }
  });

  test('a live covering prefix wins over a longer stale-only one; stale=include shows the stale one', async () => {
    const fixture = await startTestService({ keepMs: 3_600_000 });
    try {
      const rib = fixture.rib;
      const key = { router: 'r-stale', peer: { type: 0, distinguisher: '0:0', address: '192.0.2.7', asn: 65007, bgpId: 7 }, view: 'loc-rib' as const, afi: 1, safi: 1 };
      const attr = rib.internAttributes(new Uint8Array([1, 2, 3, 4]), 0, 4, emptySummary());
      let pv = rib.peerView(key);
      rib.announceWords(pv, 0, 4, 0x64400000, 0, 0, 0, 16, 0, attr);
      rib.announceWords(pv, 0, 4, 0x64400100, 0, 0, 0, 24, 0, attr);
      rib.routerDown('r-stale');
      rib.routerUp('r-stale');
      pv = rib.peerView(key);
      rib.announceWords(pv, 0, 4, 0x64400000, 0, 0, 0, 16, 0, attr);
      rib.releaseAttributes(attr);
      const live = await getJson(fixture, '/api/v1/lookup?address=100.64.1.1');
      assert.equal(live.body.prefix, '100.64.0.0/16');
      const stale = await getJson(fixture, '/api/v1/lookup?address=100.64.1.1&stale=include');
      assert.equal(stale.body.prefix, '100.64.1.0/24');
      assert.equal(stale.body.routes[0].stale, true);
      assertError(await getJson(fixture, '/api/v1/lookup?address=100.64.1.1&stale=maybe'), 400, 'INVALID_ARGUMENT');
    } finally {
      await fixture.close();
    }
  });

  test('an unknown router is 404 NOT_FOUND on every route that takes one', async () => {
    for (const path of ['/api/v1/lookup?address=10.9.9.9&', '/api/v1/routes?prefix=10.0.0.0/8&', '/api/v1/origins/65020/prefixes?', '/api/v1/export/mrt?']) {
      const answer = await getJson(service, `${path}router=192.0.2.99`);
      assertError(answer, 404, 'NOT_FOUND');
      assert.match(answer.body.error.message, /no router "192\.0\.2\.99"/, path);
    }
    assertError(await getJson(service, '/api/v1/routers/192.0.2.99/peers'), 404, 'NOT_FOUND');
  });

  test('an unknown query parameter is 400 naming it, on every route', async () => {
    for (const path of ['/api/v1/lookup?address=10.9.9.9&', '/api/v1/routes?prefix=10.0.0.0/8&', '/api/v1/origins/65020/prefixes?', '/api/v1/routers?', `/api/v1/routers/${ROUTER}/peers?`, '/api/v1/stats?', '/api/v1/export/mrt?', '/healthz?', '/metrics?', '/openapi.json?']) {
      const answer = await getJson(service, `${path}adress=1`);
      assertError(answer, 400, 'INVALID_ARGUMENT');
      assert.match(answer.body.error.message, /unknown query parameter "adress"/, path);
    }
  });

  test('a withdrawn prefix is gone; no route is 404', async () => {
    assertError(await getJson(service, '/api/v1/lookup?address=198.51.100.7'), 404, 'NOT_FOUND');
    assert.equal((await getJson(service, `/api/v1/routes?prefix=${EXPECTED.withdrawn}`)).body.prefixes.length, 0);
  });

  test('bad input is 400 with the error shape', async () => {
    assertError(await getJson(service, '/api/v1/lookup?address=10.1.2.300'), 400, 'INVALID_ADDRESS');
    assertError(await getJson(service, '/api/v1/lookup'), 400, 'INVALID_ARGUMENT');
    assertError(await getJson(service, '/api/v1/lookup?address=10.0.0.1&bogus=1'), 400, 'INVALID_ARGUMENT');
  });
});

describe('GET /api/v1/routes', () => {
  test('exact, more-specifics and less-specifics', async () => {
    const exact = await getJson(service, '/api/v1/routes?prefix=10.1.0.0/16');
    assert.deepEqual(exact.body.prefixes.map((p: any) => p.prefix), ['10.1.0.0/16']);
    assert.equal(exact.body.nextCursor, null);
    const more = await getJson(service, '/api/v1/routes?prefix=10.0.0.0/8&match=more-specifics');
    assert.deepEqual(more.body.prefixes.map((p: any) => p.prefix), ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']);
    const less = await getJson(service, '/api/v1/routes?prefix=10.1.2.0/24&match=less-specifics');
    assert.deepEqual(less.body.prefixes.map((p: any) => p.prefix), ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']);
    const v6 = await getJson(service, '/api/v1/routes?prefix=2001:db8::/32&match=more-specifics');
    assert.deepEqual(v6.body.prefixes.map((p: any) => p.prefix), EXPECTED.peerB);
    const filtered = await getJson(service, `/api/v1/routes?prefix=10.0.0.0/8&router=${ROUTER}`);
    assert.deepEqual(filtered.body.prefixes.map((p: any) => p.prefix), ['10.0.0.0/8']);
  });

  test('pagination walks every prefix once', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const query: string = `/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, body } = await getJson(service, query);
      assert.equal(status, 200);
      assert.ok(body.prefixes.length <= 1);
      seen.push(...body.prefixes.map((p: any) => p.prefix));
      cursor = body.nextCursor;
      pages++;
      assert.ok(pages < 20);
    }
    assert.deepEqual(seen, [...EXPECTED.peerA].sort((a, b) => (a < b ? -1 : 1)).sort(byPrefix));
  });

  test('bad input', async () => {
    assertError(await getJson(service, '/api/v1/routes?prefix=10.0.0.0/33'), 400, 'INVALID_PREFIX');
    assertError(await getJson(service, '/api/v1/routes?prefix=10.0.0.0/8&match=nearby'), 400, 'INVALID_ARGUMENT');
    assertError(await getJson(service, '/api/v1/routes?prefix=10.0.0.0/8&limit=0'), 400, 'INVALID_ARGUMENT');
    assertError(await getJson(service, '/api/v1/routes?prefix=10.0.0.0/8&limit=501'), 400, 'LIMIT_EXCEEDED');
    assertError(await getJson(service, '/api/v1/routes?prefix=10.0.0.0/8&cursor=nonsense'), 400, 'INVALID_ARGUMENT');
    assertError(await getJson(service, '/api/v1/routes'), 400, 'INVALID_ARGUMENT');
  });
});

function byPrefix(a: string, b: string): number {
  const [an, al] = a.split('/') as [string, string];
  const [bn, bl] = b.split('/') as [string, string];
  const num = (text: string): number => text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  return num(an) - num(bn) || Number(al) - Number(bl);
}

describe('GET /api/v1/origins/:asn/prefixes', () => {
  test('prefixes by origin AS, paged', async () => {
    const { status, body } = await getJson(service, '/api/v1/origins/65020/prefixes');
    assert.equal(status, 200);
    assert.equal(body.asn, 65020);
    assert.deepEqual(body.prefixes.map((p: any) => p.prefix), ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', ...EXPECTED.peerB]);
    assert.equal(body.prefixes[0].routes, 2);
    assert.equal(body.total, 5);
    const first = await getJson(service, '/api/v1/origins/65020/prefixes?limit=2');
    assert.equal(first.body.prefixes.length, 2);
    const second = await getJson(service, `/api/v1/origins/65020/prefixes?limit=2&cursor=${first.body.nextCursor}`);
    assert.deepEqual(second.body.prefixes.map((p: any) => p.prefix), ['10.1.2.0/24', EXPECTED.peerB[0]]);
    const none = await getJson(service, '/api/v1/origins/64999/prefixes');
    assert.deepEqual(none.body.prefixes, []);
  });
  test('bad AS numbers', async () => {
    assertError(await getJson(service, '/api/v1/origins/AS65020/prefixes'), 400, 'INVALID_ARGUMENT');
    assertError(await getJson(service, '/api/v1/origins/4294967296/prefixes'), 400, 'INVALID_ARGUMENT');
  });
});

describe('routers, peers, stats, health, metrics', () => {
  test('GET /api/v1/routers', async () => {
    const { status, body } = await getJson(service, '/api/v1/routers');
    assert.equal(status, 200);
    const router = body.routers.find((r: any) => r.name === ROUTER);
    assert.equal(router.state, 'down');
    assert.equal(router.peers, 2);
    assert.equal(router.routes, EXPECTED.peerA.length * 2 + EXPECTED.peerB.length);
    assert.equal(typeof router.flushAt, 'string');
    assert.equal(router.bmp.sysName, 'synthetic-router');
    assert.equal(router.bmp.sysDescr, 'ribstore test stream');
    assert.equal(router.bmp.state, 'disconnected');
    assert.equal(router.bmp.messages.routeMonitoring, 7);
    assert.equal(router.bmp.messages.peerUp, 2);
    assert.equal(router.bmp.messages.statisticsReport, 1);
  });

  test('GET /api/v1/routers/:router/peers', async () => {
    const { status, body } = await getJson(service, `/api/v1/routers/${ROUTER}/peers`);
    assert.equal(status, 200);
    const a = body.peers.find((p: any) => p.address === PEER_A.address);
    assert.equal(a.routes['adj-rib-in-pre'], EXPECTED.peerA.length);
    assert.equal(a.routes['adj-rib-in-post'], EXPECTED.peerA.length);
    assert.equal(a.routes['loc-rib'], 0);
    assert.equal(a.routesByAfiSafi['ipv4-unicast'], EXPECTED.peerA.length * 2);
    assert.deepEqual(a.bmp.stats, { 'adj-rib-in-routes': 4, 'prefixes-rejected-by-inbound-policy': 3 });
    assert.equal(a.bmp.lastDownReason, null, 'never went down');
    const b = body.peers.find((p: any) => p.address === PEER_B.address);
    assert.equal(b.routes['adj-rib-in-pre'], EXPECTED.peerB.length);
    assertError(await getJson(service, '/api/v1/routers/192.0.2.250/peers'), 404, 'NOT_FOUND');
  });

  test('GET /api/v1/stats', async () => {
    const { status, body } = await getJson(service, '/api/v1/stats');
    assert.equal(status, 200);
    assert.equal(body.rib.routes, EXPECTED.peerA.length * 2 + EXPECTED.peerB.length);
    assert.equal(body.rib.prefixes, EXPECTED.peerA.length + EXPECTED.peerB.length);
    assert.equal(body.collector.messages.initiation, 1);
    assert.equal(body.collector.withdrawals, 2);
    assert.ok(body.memory.rss > 0);
  });

  test('GET /healthz', async () => {
    const { status, body } = await getJson(service, '/healthz');
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
  });

  test('GET /metrics', async () => {
    const response = await fetch(`${service.httpUrl}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    for (const pattern of [
      /^ribstore_bmp_sessions 0$/m,
      /^ribstore_bmp_sessions_accepted_total 1$/m,
      /^ribstore_bmp_messages_total\{type="routeMonitoring"\} 7$/m,
      /^ribstore_routes 10$/m,
      /^ribstore_prefixes 6$/m,
      /^ribstore_bmp_queue_bytes 0$/m,
      /^ribstore_collector_errors_total\{kind="decode"\} 0$/m,
      /^ribstore_process_resident_memory_bytes \d+/m,
    ]) {
      assert.match(text, pattern);
    }
  });

  test('unknown routes are 404 JSON', async () => {
    assertError(await getJson(service, '/api/v2/nothing'), 404, 'NOT_FOUND');
  });
});

describe('GET /api/v1/export/mrt', () => {
  test('streams an MRT file our decoder reads, with exactly the RIB\'s routes (post-policy preferred)', async () => {
    const response = await fetch(`${service.httpUrl}/api/v1/export/mrt`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="ribstore.mrt"');
    const decoded = decodeExport(new Uint8Array(await response.arrayBuffer()));
    assert.equal(decoded.table.viewName, 'ribstore');
    assert.deepEqual(decoded.table.peers.map((p) => p.address.toString()), [PEER_A.address, PEER_B.address]);
    assert.deepEqual(decoded.tuples, expectedTuples(service.rib));
    assert.equal(decoded.tuples.length, EXPECTED.peerA.length + EXPECTED.peerB.length, 'one view per peer: post-policy for A, pre-policy (its only one) for B');
  });

  test('router and view parameters; unknown router 404, bad view 400', async () => {
    const own = await fetch(`${service.httpUrl}/api/v1/export/mrt?router=${ROUTER}&view=adj-rib-in-pre`);
    assert.equal(own.status, 200);
    const pre = decodeExport(new Uint8Array(await own.arrayBuffer()));
    assert.equal(pre.table.viewName, ROUTER);
    assert.deepEqual(pre.tuples, expectedTuples(service.rib, { router: ROUTER, view: 'adj-rib-in-pre' }));
    assert.equal(pre.tuples.length, EXPECTED.peerA.length + EXPECTED.peerB.length);
    assertError(await getJson(service, '/api/v1/export/mrt?router=192.0.2.250'), 404, 'NOT_FOUND');
    assertError(await getJson(service, '/api/v1/export/mrt?view=sideways'), 400, 'INVALID_ARGUMENT');
    assertError(await getJson(service, '/api/v1/export/mrt?format=json'), 400, 'INVALID_ARGUMENT');
  });
});

describe('GET /openapi.json', () => {
  test('is an OpenAPI 3.1 document describing every served route', async () => {
    const { status, body } = await getJson(service, '/openapi.json');
    assert.equal(status, 200);
    assert.equal(body.openapi, '3.1.0');
    assert.equal(typeof body.info.title, 'string');
    assert.equal(typeof body.info.version, 'string');
    const expected = ['/healthz', '/metrics', '/openapi.json', '/api/v1/lookup', '/api/v1/routes', '/api/v1/origins/{asn}/prefixes', '/api/v1/routers', '/api/v1/routers/{router}/peers', '/api/v1/stats', '/api/v1/export/mrt', '/api/v1/communities/{community}/routes', '/api/v1/watch'];
    assert.deepEqual(Object.keys(body.paths).sort(), [...expected].sort());
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries<any>(body.paths)) {
      assert.deepEqual(Object.keys(item), ['get'], path);
      const op = item.get;
      assert.equal(typeof op.summary, 'string', path);
      assert.ok(!operationIds.has(op.operationId), `unique operationId ${op.operationId}`);
      operationIds.add(op.operationId);
      assert.ok(op.responses['200'], `${path} documents 200`);
      for (const [code, response] of Object.entries<any>(op.responses)) {
        assert.match(code, /^[1-5]\d\d$/);
        assert.equal(typeof response.description, 'string');
        assert.ok(Object.keys(response.content).length > 0);
      }
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const pathParams = op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name);
      assert.deepEqual(pathParams.sort(), templated.sort(), `${path} path parameters`);
      for (const parameter of op.parameters) {
        assert.ok(['path', 'query'].includes(parameter.in));
        assert.equal(typeof parameter.schema, 'object');
        if (parameter.in === 'path') assert.equal(parameter.required, true);
      }
    }
    const lookup = body.paths['/api/v1/lookup'].get;
    assert.deepEqual(lookup.parameters.map((p: any) => [p.name, p.required]), [['address', true], ['router', false], ['community', false], ['peer', false], ['view', false], ['originAs', false], ['pathAs', false], ['stale', false]]);
    const route = lookup.responses['200'].content['application/json'].schema.properties.routes.items;
    for (const field of ['router', 'peer', 'view', 'afiSafi', 'rd', 'pathId', 'nextHop', 'origin', 'asPath', 'originAs', 'med', 'localPref', 'communities', 'largeCommunities', 'extendedCommunities']) {
      assert.ok(route.properties[field], `route schema has ${field}`);
    }
    assert.equal(lookup.responses['400'].content['application/json'].schema.properties.error.required.join(), 'code,message');
    const mrt = body.paths['/api/v1/export/mrt'].get;
    assert.deepEqual(Object.keys(mrt.responses['200'].content), ['application/octet-stream']);
    assert.deepEqual(mrt.parameters.map((p: any) => p.name), ['router', 'view']);
    assert.ok(mrt.responses['404']);
  });
});
