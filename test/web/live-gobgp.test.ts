/**
 * The live page in Chromium, fed by a live GoBGP pair over BMP (test/support/gobgp.ts): a page
 * showing one prefix (`/?q=PREFIX`) follows its routes through `/api/v1/watch` when the
 * injector changes the route's AS path and then withdraws it (`gobgp global rib add/del`),
 * without reloading (no navigation happens, a value set on `window` survives), and says so in
 * its status line. Before that, searches for an address, a prefix, an AS and a community on
 * the same GoBGP-fed RIB show what the API answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Service } from '../../src/service/service.js';
import { startTestService } from '../e2e/support-service.js';
import type { PrefixRoutesJson } from '../../src/rib/route-json.js';
import { getJson } from '../e2e/support-service.js';
import { chromiumSkipReason, launchChromium, type TestBrowser } from '../support/chromium.js';
import { assertShows } from './page-checks.js';
import { type GobgpPair, freePortBlock, gobgpSkipReason, startGobgpPair, waitFor } from '../support/gobgp.js';

const PREFIX = '10.40.1.0/24';
/** A route the searches find: origin AS65041, community 65000:41. */
const SEARCHED = '10.41.0.0/16';
const VIEWS = ['adj-rib-in-post', 'adj-rib-in-pre', 'loc-rib'];
const skip = gobgpSkipReason() || chromiumSkipReason();

describe('live page with GoBGP in Chromium', { skip }, () => {
  let service: Service;
  let pair: GobgpPair;
  let browser: TestBrowser;
  let page: Page;

  const asPaths = (): string[] => (service.rib.routes(PREFIX)?.routes ?? []).map((r) => `${r.view} ${r.asPath.join(' ')}`).sort();

  before(async () => {
    service = await startTestService({ keepMs: 3_600_000 });
    pair = await startGobgpPair({ portBase: await freePortBlock(4, 24000, 24999), bmpPort: service.bmpPort, bmpPolicy: 'all' });
    await pair.injector.cli('global', 'rib', '-a', 'ipv4', 'add', PREFIX, 'nexthop', '192.0.2.10', 'aspath', '65100,65200');
    await pair.injector.cli('global', 'rib', '-a', 'ipv4', 'add', SEARCHED, 'nexthop', '192.0.2.10', 'aspath', '65100,65041', 'community', '65000:41');
    await waitFor(() => asPaths().join() === VIEWS.map((v) => `${v} 65100 65200`).join(), 90_000, `${PREFIX} in every view`);
    await waitFor(() => service.rib.routes(SEARCHED)?.routes.length === VIEWS.length, 90_000, `${SEARCHED} in every view`);
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith(service.httpUrl) ? route.continue() : route.abort()));
  });

  after(async () => {
    await browser?.close();
    await pair?.stop();
    await service?.close();
  });

  test('searches on the GoBGP-fed RIB show what the API answers: an address, a prefix, an AS, a community', async () => {
    const searches: [string, string][] = [
      ['10.41.3.4', '/api/v1/lookup?address=10.41.3.4'],
      [SEARCHED, `/api/v1/routes?prefix=${encodeURIComponent(SEARCHED)}`],
      ['AS65041', '/api/v1/origins/65041/prefixes'],
      ['65000:41', '/api/v1/communities/65000:41/routes'],
    ];
    for (const [query, api] of searches) {
      const { status, body } = await getJson(service, api);
      assert.equal(status, 200, api);
      await page.goto(`${service.httpUrl}/?q=${encodeURIComponent(query)}`);
      await page.waitForSelector('body[data-ready="true"]');
      const text = await page.locator('#results').innerText();
      if (query === 'AS65041') {
        // The origin search lists prefixes; each is a link to its routes.
        assert.deepEqual(body.prefixes.map((p: { prefix: string }) => p.prefix), [SEARCHED], api);
        assert.ok(text.includes(SEARCHED), `${query}: shows ${SEARCHED}`);
        continue;
      }
      const prefixes: PrefixRoutesJson[] = body.prefixes ?? [body];
      assert.deepEqual(prefixes.map((p) => p.prefix), [SEARCHED], api);
      assert.equal(prefixes[0]!.routes.length, VIEWS.length, `${api}: a route per view`);
      assertShows(text, prefixes);
      assert.equal(await page.locator('#results tbody tr').count(), VIEWS.length, `${query}: a row per route`);
    }
  });

  test('the routes table follows a changed AS path and a withdrawal without reload', async () => {
    await page.goto(`${service.httpUrl}/?q=${encodeURIComponent(PREFIX)}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('.live[data-live="true"]');
    const status = page.getByRole('status');
    assert.match(await status.innerText(), /Live/);
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    assert.equal(await page.locator('#results tbody tr').count(), VIEWS.length);
    assert.ok((await page.locator('#results').innerText()).includes('65100 65200'));
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await page.evaluate("window.marker = 'same page'");

    await pair.injector.cli('global', 'rib', '-a', 'ipv4', 'add', PREFIX, 'nexthop', '192.0.2.10', 'aspath', '65100,65300');
    await page.waitForFunction("document.getElementById('results').innerText.includes('65100 65300')", undefined, { timeout: 30_000 });
    assert.ok(!(await page.locator('#results').innerText()).includes('65100 65200'), 'the old AS path is gone from the page');
    assert.match(await status.innerText(), /routes last changed at \d\d:\d\d:\d\d/);

    await pair.injector.cli('global', 'rib', '-a', 'ipv4', 'del', PREFIX);
    await page.waitForFunction("document.querySelectorAll('#results tbody tr').length === 0", undefined, { timeout: 30_000 });
    assert.match(await page.locator('#results').innerText(), /No routes\./);
    assert.equal(service.rib.routes(PREFIX), undefined, 'the RIB agrees');

    assert.equal(navigations, 0, 'no navigation happened');
    assert.equal(await page.evaluate('window.marker'), 'same page', 'the page was not reloaded');
    assert.equal(await page.evaluate("performance.getEntriesByType('navigation').length"), 1);
  });
});
