/**
 * GET /api/v1/communities/:community/routes over a real socket (the synthetic router's
 * stream), and the looking glass assets served at / without touching the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { Service } from '../../src/service/service.js';
import { registerWebPage } from '../../src/api/web-page.js';
import type { PrefixRoutesJson } from '../../src/rib/route-json.js';
import { getJson } from '../e2e/support-service.js';
import { EXPECTED } from './synthetic-router.js';
import { startSyntheticService } from './synthetic-service.js';
import { withTempDir } from '../support/temp-dir.js';

const ROUTER = '127.0.5.2';
let service: Service;

before(async () => {
  service = await startSyntheticService(ROUTER, { maxPageLimit: 500 });
});
after(() => service?.close());

/** Every route of the RIB, through the routes API. */
async function allPrefixes(): Promise<PrefixRoutesJson[]> {
  const v4 = await getJson(service, '/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics');
  const v6 = await getJson(service, '/api/v1/routes?prefix=::/0&match=more-specifics');
  return [...v4.body.prefixes, ...v6.body.prefixes];
}

describe('GET /api/v1/communities/:community/routes', () => {
  test('exactly the routes carrying the community, in prefix order, best first', async () => {
    const all = await allPrefixes();
    for (const [community, large] of [['65000:1', false], ['65002:100', false], ['65000:1:2', true]] as const) {
      const { status, body } = await getJson(service, `/api/v1/communities/${community}/routes`);
      assert.equal(status, 200);
      assert.equal(body.community, community);
      const expected = all
        .map((p) => ({ ...p, routes: p.routes.filter((r) => (large ? r.largeCommunities : r.communities).includes(community)) }))
        .filter((p) => p.routes.length > 0);
      assert.ok(expected.length > 0);
      assert.deepEqual(body.prefixes, expected, community);
    }
    assert.ok(!JSON.stringify(await getJson(service, '/api/v1/communities/65000:1/routes')).includes(EXPECTED.withdrawn));
  });

  test('leading zeros are canonicalised; an unused community is an empty page', async () => {
    assert.equal((await getJson(service, '/api/v1/communities/065000:0001/routes')).body.community, '65000:1');
    assert.deepEqual((await getJson(service, '/api/v1/communities/1:1/routes')).body, { community: '1:1', prefixes: [], nextCursor: null });
  });

  test('paged by prefix', async () => {
    const first = await getJson(service, '/api/v1/communities/65000:1/routes?limit=1');
    assert.equal(first.body.prefixes.length, 1);
    assert.ok(first.body.nextCursor);
    const second = await getJson(service, `/api/v1/communities/65000:1/routes?limit=1&cursor=${first.body.nextCursor}`);
    assert.notEqual(second.body.prefixes[0].prefix, first.body.prefixes[0].prefix);
  });

  test('router filter; an unknown router is 404', async () => {
    const mine = await getJson(service, `/api/v1/communities/65000:1/routes?router=${ROUTER}`);
    assert.equal(mine.status, 200);
    assert.ok(mine.body.prefixes.length > 0);
    const unknown = await getJson(service, '/api/v1/communities/65000:1/routes?router=192.0.2.99');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'NOT_FOUND');
  });

  test('bad communities are 400 INVALID_ARGUMENT', async () => {
    for (const bad of ['65536:1', '1:2:3:4', 'abc', '1:', '4294967296:1:1', '-1:1']) {
      const { status, body } = await getJson(service, `/api/v1/communities/${encodeURIComponent(bad)}/routes`);
      assert.equal(status, 400, bad);
      assert.equal(body.error.code, 'INVALID_ARGUMENT');
    }
  });
});

describe('looking glass assets', () => {
  test('served at / and /assets/* from the build', async () => {
    const page = await fetch(`${service.httpUrl}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    const html = await page.text();
    assert.match(html, /src="\/assets\/app\.js"/);
    assert.equal((await fetch(`${service.httpUrl}/?q=10.1.2.3&match=exact&utm_source=mail`)).status, 200, 'a page link with extra parameters still opens');
    for (const asset of ['app.js', 'app.css']) assert.equal((await fetch(`${service.httpUrl}/assets/${asset}`)).status, 200, asset);
  });

  test('an unbuilt page answers 404 saying to build', async () => {
    await withTempDir('web', async (dir) => {
      const app = Fastify();
      registerWebPage(app, dir);
      const answer = await app.inject({ method: 'GET', url: '/' });
      assert.equal(answer.statusCode, 404);
      assert.match(answer.json().error.message, /npm run build/);
      await app.close();
    });
  });
});
