/**
 * Community names in route answers and the route filters of /api/v1/routes and
 * /api/v1/communities/:c/routes, over real sockets, against two routers this test streams
 * itself (synthetic-router.ts and named-communities.ts). Each filtered answer is checked
 * against the unfiltered answer filtered here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Service } from '../../src/service/service.js';
import type { PrefixRoutesJson, RouteJson } from '../../src/rib/route-json.js';
import { getJson } from '../e2e/support-service.js';
import { EXPECTED_NAMES, PEER_C, PEER_C_PREFIXES, startNamedService } from './named-communities.js';
import { PEER_A, PEER_B } from './synthetic-router.js';

const ROUTER = '127.0.6.1';
const SECOND = '127.0.6.2';
let service: Service;

type Named = RouteJson & { communityNames: Record<string, string> };
type Answer = { prefixes: (PrefixRoutesJson & { routes: Named[] })[]; nextCursor: string | null };

before(async () => {
  service = await startNamedService(ROUTER, SECOND);
});
after(() => service?.close());

/** Every prefix of the table (both families) through /api/v1/routes with `filters`. */
async function table(filters = ''): Promise<Answer['prefixes']> {
  const out: Answer['prefixes'] = [];
  for (const root of ['0.0.0.0/0', '::/0']) {
    const { status, body } = await getJson<Answer>(service, `/api/v1/routes?prefix=${root}&match=more-specifics${filters}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.nextCursor, null);
    out.push(...body.prefixes);
  }
  return out;
}

/** `prefixes` with only the routes `keep` keeps, prefixes left empty dropped. */
const keepRoutes = (prefixes: Answer['prefixes'], keep: (r: Named) => boolean): Answer['prefixes'] =>
  prefixes.map((p) => ({ ...p, routes: p.routes.filter(keep) })).filter((p) => p.routes.length > 0);

/** A route's identity, for answers whose `lostAt` differs (the RIB filters change the best). */
const ids = (prefixes: Answer['prefixes']): string[] => prefixes.flatMap((p) => p.routes.map((r) => `${p.prefix} ${r.router} ${r.peer.address} ${r.view} ${r.pathId}`)).sort();

describe('community names in answers', () => {
  test('every route of /api/v1/routes names exactly its named communities', async () => {
    const all = await table();
    let named = 0;
    for (const p of all) {
      for (const r of p.routes) {
        const expected: Record<string, string> = {};
        for (const c of [...r.communities, ...r.largeCommunities]) if (EXPECTED_NAMES[c] !== undefined) expected[c] = EXPECTED_NAMES[c]!;
        assert.deepEqual(r.communityNames, expected, `${p.prefix} ${r.router} ${r.peer.address}`);
        named += Object.keys(expected).length;
      }
    }
    assert.ok(named > 10, 'the data has named communities');
    const wellKnown = all.find((p) => p.prefix === '192.0.2.0/24')!.routes[0]!;
    assert.deepEqual(wellKnown.communities, ['65535:65281', '65535:666', '64999:5']);
    assert.deepEqual(wellKnown.communityNames, { '65535:65281': 'Our NO_EXPORT', '65535:666': 'BLACKHOLE' }, 'file name, built-in name, unnamed left out');
  });

  test('lookup and the communities route name them too; the OpenAPI document describes communityNames', async () => {
    const lookup = await getJson(service, '/api/v1/lookup?address=10.1.2.3');
    assert.deepEqual(lookup.body.routes[0].communityNames, { '65000:1': 'Learned from customers', '65000:2': 'Regional 2', '65000:1:2': 'Large one, 2' });
    const byCommunity = await getJson<Answer>(service, '/api/v1/communities/65002:100/routes');
    assert.ok(byCommunity.body.prefixes.length > 0);
    for (const p of byCommunity.body.prefixes) for (const r of p.routes) assert.equal(r.communityNames['65002:100'], 'City 100');
    const origins = await getJson(service, '/api/v1/origins/65020/prefixes');
    assert.equal(typeof origins.body.prefixes[0].routes, 'number', 'answers without routes are left alone');
    const openapi = (await getJson(service, '/openapi.json')).body;
    const route = openapi.paths['/api/v1/lookup'].get.responses['200'].content['application/json'].schema.properties.routes.items;
    assert.match(route.properties.communityNames.description, /community-names/);
  });
});

describe('route filters', () => {
  test('community, originAs and pathAs keep the matching routes of the unfiltered answer', async () => {
    const all = await table();
    const cases: [string, (r: Named) => boolean][] = [
      ['&community=65000:1', (r) => r.communities.includes('65000:1')],
      ['&community=065535:666', (r) => r.communities.includes('65535:666')],
      ['&community=65000:1:2', (r) => r.largeCommunities.includes('65000:1:2')],
      ['&originAs=65020', (r) => r.originAs === 65020],
      ['&pathAs=64999', (r) => r.asPath.includes(64999)],
      ['&pathAs=65031', (r) => r.asPath.some((s) => Array.isArray(s) && s.includes(65031))],
      ['&pathAs=65020&community=65002:100', (r) => r.asPath.includes(65020) && r.communities.includes('65002:100')],
    ];
    for (const [filters, keep] of cases) {
      const expected = keepRoutes(all, keep);
      assert.ok(expected.length > 0 && ids(expected).length < ids(all).length, `${filters} selects some routes, not all`);
      assert.deepEqual(await table(filters), expected, filters);
    }
    assert.deepEqual(await table('&originAs=4200000000'), [], 'an AS with no routes: no prefixes');
  });

  test('router, peer and view choose the routes (and the best among them)', async () => {
    const all = await table();
    const cases: [string, (r: Named) => boolean][] = [
      [`&router=${SECOND}`, (r) => r.router === SECOND],
      [`&peer=${PEER_A.address}`, (r) => r.peer.address === PEER_A.address],
      ['&peer=2001:0db8:0:0::2', (r) => r.peer.address === PEER_B.address],
      ['&view=adj-rib-in-post', (r) => r.view === 'adj-rib-in-post'],
      [`&router=${ROUTER}&view=adj-rib-in-pre&originAs=65020`, (r) => r.router === ROUTER && r.view === 'adj-rib-in-pre' && r.originAs === 65020],
    ];
    for (const [filters, keep] of cases) {
      const expected = keepRoutes(all, keep);
      assert.ok(expected.length > 0 && ids(expected).length < ids(all).length, `${filters} selects some routes, not all`);
      const answer = await table(filters);
      assert.deepEqual(ids(answer), ids(expected), filters);
      for (const p of answer) assert.equal(p.routes[0]!.lostAt, null, `${filters}: the best of ${p.prefix} is among the routes shown`);
    }
    const peerC = await getJson<Answer>(service, `/api/v1/routes?prefix=10.1.0.0/16&peer=${PEER_C.address}`);
    assert.deepEqual(peerC.body.prefixes.map((p) => p.prefix), [PEER_C_PREFIXES[1]]);
    assert.equal((await getJson(service, '/api/v1/routes?prefix=10.1.0.0/16&peer=192.0.2.200')).body.prefixes.length, 0, 'an unknown peer has no routes');
  });

  test('the communities route takes the same filters', async () => {
    const all = (await getJson<Answer>(service, '/api/v1/communities/65535:65281/routes')).body.prefixes;
    assert.deepEqual(all.map((p) => p.prefix), ['10.1.0.0/16', '192.0.2.0/24']);
    const filtered = await getJson<Answer>(service, `/api/v1/communities/65535:65281/routes?pathAs=64999&peer=${PEER_C.address}&view=adj-rib-in-pre&router=${SECOND}`);
    assert.deepEqual(ids(filtered.body.prefixes), ids(all));
    assert.deepEqual((await getJson<Answer>(service, '/api/v1/communities/65000:1/routes?originAs=64999')).body.prefixes, []);
    const paged = await getJson<Answer>(service, '/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics&community=65000:1&limit=1');
    assert.equal(paged.body.prefixes.length, 1);
    const next = await getJson<Answer>(service, `/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics&community=65000:1&limit=1&cursor=${paged.body.nextCursor}`);
    assert.notEqual(next.body.prefixes[0]!.prefix, paged.body.prefixes[0]!.prefix, 'paging counts filtered prefixes');
  });

  test('bad filter values and unknown parameters are 400 naming the problem; an unknown router 404', async () => {
    const bad: [string, RegExp][] = [
      ['community=65536:1', /invalid community "65536:1"/],
      ['community=abc', /invalid community/],
      ['originAs=AS1', /originAs/],
      ['pathAs=4294967296', /pathAs/],
      ['peer=not-an-address', /not-an-address/],
      ['view=best', /view/],
      ['origin=65020', /origin/],
    ];
    for (const [query, message] of bad) {
      const { status, body } = await getJson(service, `/api/v1/routes?prefix=10.0.0.0/8&${query}`);
      assert.equal(status, 400, query);
      assert.match(body.error.message, message, query);
    }
    assert.equal((await getJson(service, '/api/v1/communities/65000:1/routes?community=65000:2')).status, 400, 'the communities route takes its community in the path only');
    assert.equal((await getJson(service, '/api/v1/routes?prefix=10.0.0.0/8&router=192.0.2.99')).status, 404);
  });

  test('the OpenAPI document lists every filter of both routes', async () => {
    const openapi = (await getJson(service, '/openapi.json')).body;
    const names = (path: string): string[] => openapi.paths[path].get.parameters.map((p: { name: string }) => p.name);
    for (const name of ['community', 'originAs', 'pathAs', 'router', 'peer', 'view']) assert.ok(names('/api/v1/routes').includes(name), name);
    for (const name of ['originAs', 'pathAs', 'router', 'peer', 'view']) assert.ok(names('/api/v1/communities/{community}/routes').includes(name), name);
  });
});

describe('filters on /api/v1/lookup', () => {
  type Lookup = PrefixRoutesJson & { routes: Named[]; fallback: boolean };
  const lookup = (query: string) => getJson<Lookup>(service, `/api/v1/lookup?address=10.1.2.3${query}`);
  const routeIds = (routes: Named[]): string[] => routes.map((r) => `${r.router} ${r.peer.address} ${r.view} ${r.pathId}`).sort();

  test('community, originAs and pathAs keep the matching routes of the longest match, lostAt unchanged', async () => {
    const all = await lookup('');
    assert.equal(all.status, 200);
    assert.equal(all.body.prefix, '10.1.2.0/24');
    const cases: [string, (r: Named) => boolean][] = [
      ['&community=65000:1', (r) => r.communities.includes('65000:1')],
      ['&community=65000:1:2', (r) => r.largeCommunities.includes('65000:1:2')],
      ['&originAs=65020', (r) => r.originAs === 65020],
      ['&pathAs=65010', (r) => r.asPath.some((s) => (Array.isArray(s) ? s.includes(65010) : s === 65010))],
    ];
    for (const [query, keep] of cases) {
      const { status, body } = await lookup(query);
      assert.equal(status, 200, query);
      const expected = all.body.routes.filter(keep);
      assert.ok(expected.length > 0, `${query} matches routes of the data`);
      assert.deepEqual(body, { ...all.body, routes: expected }, query);
    }
  });

  test('peer and view choose the routes the best is chosen among', async () => {
    const all = await lookup('');
    for (const [query, keep] of [
      ['&view=adj-rib-in-pre', (r: Named) => r.view === 'adj-rib-in-pre'],
      [`&peer=${PEER_A.address}`, (r: Named) => r.peer.address === PEER_A.address],
    ] as const) {
      const { status, body } = await lookup(query);
      assert.equal(status, 200, query);
      assert.equal(body.prefix, '10.1.2.0/24');
      const expected = all.body.routes.filter(keep);
      assert.ok(expected.length > 0, `${query} matches routes of the data`);
      if (query.includes('view')) assert.ok(expected.length < all.body.routes.length, `${query} narrows the data`);
      assert.deepEqual(routeIds(body.routes), routeIds(expected), query);
      assert.equal(body.routes[0]!.lostAt, null, `${query}: the first route is the best among them`);
    }
  });

  test('a peer with no IPv4 route covering the address: 404', async () => {
    const { status, body } = await getJson<Lookup>(service, `/api/v1/lookup?address=10.1.2.3&peer=${PEER_B.address}`);
    assert.equal(status, 404, JSON.stringify(body));
    assert.equal((body as unknown as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  test('no matching route is 404; bad filter values are 400', async () => {
    const none = await lookup('&community=65000:999');
    assert.equal(none.status, 404);
    assert.equal((none.body as unknown as { error: { code: string } }).error.code, 'NOT_FOUND');
    for (const bad of ['&community=65000', '&originAs=-1', '&view=nonsense', '&peer=not-an-address']) {
      const { status, body } = await lookup(bad);
      assert.equal(status, 400, `${bad}: ${JSON.stringify(body)}`);
    }
  });
});
