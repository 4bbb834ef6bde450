/**
 * The looking glass in a real headless Chromium against a real service fed by our own BMP
 * encoder (the synthetic router of the API tests): every search kind, `/?q=` links, why-best,
 * the routers page, keyboard use and readable errors; what the page shows is checked against
 * the API's answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Service } from '../../src/service/service.js';
import type { PrefixRoutesJson, RouteJson } from '../../src/rib/route-json.js';
import { getJson } from '../e2e/support-service.js';
import { EXPECTED, PEER_A, PEER_B } from '../api/synthetic-router.js';
import { startSyntheticService } from '../api/synthetic-service.js';
import { chromiumSkipReason, launchChromium, type TestBrowser } from '../support/chromium.js';
import { assertShows } from './page-checks.js';

const ROUTER = '127.0.5.3';
const skip = chromiumSkipReason();

let service: Service;
let browser: TestBrowser;
let page: Page;


/** Open `path` and wait until the page has rendered its answer. */
async function open(path: string): Promise<string> {
  await page.goto(`${service.httpUrl}${path}`);
  await page.waitForSelector('body[data-ready="true"]');
  return page.locator('#results').innerText();
}

/** Every prefix and every route's AS path of an API answer appear in the page's visible text. */
describe('looking glass in Chromium', { skip }, () => {
  before(async () => {
    service = await startSyntheticService(ROUTER);
    browser = await launchChromium();
    page = await browser.context.newPage();
    // Offline: the page may ask nothing but ribstore.
    await page.route('**/*', (route) => (route.request().url().startsWith(service.httpUrl) ? route.continue() : route.abort()));
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test('an address shows its longest match, every route with its AS path, best first and marked', async () => {
    const { body } = await getJson(service, '/api/v1/lookup?address=10.1.2.3');
    const text = await open('/?q=10.1.2.3');
    assertShows(text, [body]);
    const rows = page.locator('#results tbody tr');
    assert.equal(await rows.count(), body.routes.length);
    assert.match(await rows.first().innerText(), /★ best/);
    assert.equal(await page.locator('#results tbody tr.best').count(), 1);
    assert.equal(await page.locator('#q').inputValue(), '10.1.2.3', 'the box holds the query');
  });

  test('a prefix typed into the box (keyboard only), then its more- and less-specifics', async () => {
    await open('/');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'q', 'the search box has the focus');
    await page.keyboard.type('10.1.0.0/16');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=10\.1\.0\.0%2F16/);
    await page.waitForSelector('body[data-ready="true"]');
    const exact = await getJson(service, '/api/v1/routes?prefix=10.1.0.0/16');
    assertShows(await page.locator('#results').innerText(), exact.body.prefixes);

    await page.getByRole('link', { name: 'More specifics' }).click();
    await page.waitForURL(/match=more-specifics/);
    await page.waitForSelector('body[data-ready="true"]');
    const more = await getJson(service, '/api/v1/routes?prefix=10.1.0.0/16&match=more-specifics');
    assert.deepEqual(more.body.prefixes.map((p: PrefixRoutesJson) => p.prefix), ['10.1.0.0/16', '10.1.2.0/24']);
    assertShows(await page.locator('#results').innerText(), more.body.prefixes);

    const less = await getJson(service, '/api/v1/routes?prefix=10.1.0.0/16&match=less-specifics');
    const lessText = await open('/?q=10.1.0.0%2F16&match=less-specifics');
    assertShows(lessText, less.body.prefixes);
    assert.ok(!lessText.includes('10.1.2.0/24'), 'a more-specific is not a less-specific');
  });

  test('AS65020 lists the prefixes it originates, as links', async () => {
    const { body } = await getJson(service, '/api/v1/origins/65020/prefixes');
    const text = await open('/?q=AS65020');
    assert.ok(body.prefixes.length >= 2);
    for (const p of body.prefixes) assert.ok(text.includes(p.prefix), `shows ${p.prefix}`);
    await page.getByRole('link', { name: EXPECTED.peerB[0]! }).click();
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.locator('#results h1').innerText(), new RegExp(`Routes of ${EXPECTED.peerB[0]!.replace(/[/.]/g, '\\$&')}`));
  });

  test('a community and a large community show the routes that carry them', async () => {
    for (const community of ['65000:1', '65002:100', '65000:1:2']) {
      const { body } = await getJson(service, `/api/v1/communities/${community}/routes`);
      assert.ok(body.prefixes.length > 0, community);
      for (const p of body.prefixes) for (const r of p.routes) assert.ok([...r.communities, ...r.largeCommunities].includes(community));
      const text = await open(`/?q=${community}`);
      assertShows(text, body.prefixes);
      assert.equal(await page.locator('#results tbody tr').count(), body.prefixes.reduce((n: number, p: PrefixRoutesJson) => n + p.routes.length, 0), community);
    }
    // A community is a link to its own search.
    await open('/?q=10.1.2.0%2F24');
    await page.locator('td.communities a', { hasText: '65000:2' }).first().click();
    await page.waitForURL(/q=65000%3A2/);
  });

  test('why best, opened from the keyboard, names the step each route lost at', async () => {
    const { body } = await getJson(service, '/api/v1/routes?prefix=10.1.2.0/24');
    const routes: RouteJson[] = body.prefixes[0].routes;
    assert.deepEqual(routes.map((r) => r.lostAt), [null, 'view']);
    await open('/?q=10.1.2.0%2F24');
    assert.equal(await page.locator('td.lost').first().isVisible(), false, 'hidden until asked');
    const why = page.getByRole('button', { name: 'Why best?' });
    await why.focus();
    await page.keyboard.press('Enter');
    assert.equal(await why.getAttribute('aria-expanded'), 'true');
    const lost = await page.locator('td.lost').allInnerTexts();
    assert.equal(lost.length, 2);
    assert.match(lost[0]!, /best/);
    assert.match(lost[1]!, /^view: Adj-RIB-In post-policy is preferred to Adj-RIB-In pre-policy/);
  });

  test('each route shows its age: first seen (and last changed) as <time> with the exact times of the API', async () => {
    const { body } = await getJson(service, '/api/v1/routes?prefix=10.1.2.0/24');
    const routes: RouteJson[] = body.prefixes[0].routes;
    await open('/?q=10.1.2.0%2F24');
    const cells = page.locator('#results tbody tr td.age');
    assert.equal(await cells.count(), routes.length);
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      assert.ok(r.receivedAt !== null && Date.parse(r.changedAt!) >= Date.parse(r.receivedAt), 'the API gives both ages');
      const times = await cells.nth(i).locator('time').evaluateAll((ts) => ts.map((t) => [t.getAttribute('datetime'), t.textContent]));
      const expected = r.changedAt === r.receivedAt ? [r.receivedAt] : [r.receivedAt, r.changedAt];
      assert.deepEqual(times.map(([datetime]) => datetime), expected, `route ${i}`);
      for (const [, text] of times) assert.match(text!, /^\d+ (s|min( \d+ s)?|h \d+ min|d \d+ h)$/, `route ${i}: a duration in words`);
    }
  });

  test('routers and peers: state, sysName, sysDescr, routes; peers with state and last down reason', async () => {
    const routers = (await getJson(service, '/api/v1/routers')).body.routers;
    const text = await open('/?view=routers');
    const router = routers.find((r: { name: string }) => r.name === ROUTER);
    assert.ok(text.includes(ROUTER));
    assert.ok(text.includes('synthetic-router'), 'sysName');
    assert.ok(text.includes('ribstore test stream'), 'sysDescr');
    assert.ok(text.includes(String(router.routes)), 'route count');
    await page.getByRole('button', { name: /^Peers/ }).first().click();
    await page.waitForSelector('.peers table');
    const peersText = await page.locator('.peers').innerText();
    for (const peer of [PEER_A, PEER_B]) {
      assert.ok(peersText.includes(peer.address), peer.address);
      assert.ok(peersText.includes(`AS${peer.asn}`));
    }
    assert.ok(peersText.includes('adj-rib-in-routes 4'), 'BMP statistics by name');
  });

  test('bad input gives a readable message, not a blank page', async () => {
    const cases: [string, RegExp][] = [
      ['10.1.2.0%2F99', /prefix/i],
      ['hello%20world', /not something to search/],
      ['300.1.2.3', /address/i],
      ['198.51.100.1', /Not found/],
    ];
    for (const [q, message] of cases) {
      await open(`/?q=${q}`);
      const alert = page.getByRole('alert');
      assert.match(await alert.innerText(), message, q);
    }
  });

  test('every asset comes from ribstore and the API is still under /api/v1', async () => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await open('/?q=10.1.2.3');
    page.removeAllListeners('request');
    assert.ok(requested.length >= 3);
    for (const url of requested) assert.ok(url.startsWith(service.httpUrl), url);
    const openapi = (await getJson(service, '/openapi.json')).body;
    assert.ok(openapi.paths['/api/v1/communities/{community}/routes']);
    assert.equal(openapi.paths['/'], undefined, 'the page is not part of the API document');
  });
});
