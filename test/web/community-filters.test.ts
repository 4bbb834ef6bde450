/**
 * Community names and route filters on the looking glass, in a real headless Chromium against
 * a service this test feeds (the synthetic router and a second router with well-known
 * communities, named by a names file). Every table the page shows is compared row by row with
 * the API's answer to the same filtered query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Service } from '../../src/service/service.js';
import type { PrefixRoutesJson, RouteJson } from '../../src/rib/route-json.js';
import { getJson } from '../e2e/support-service.js';
import { PEER_C, startNamedService } from '../api/named-communities.js';
import { chromiumSkipReason, launchChromium, type TestBrowser } from '../support/chromium.js';

const ROUTER = '127.0.6.3';
const SECOND = '127.0.6.4';
const skip = chromiumSkipReason();

let service: Service;
let browser: TestBrowser;
let page: Page;

type Named = RouteJson & { communityNames: Record<string, string> };
type Answer = { prefixes: (Omit<PrefixRoutesJson, 'routes'> & { routes: Named[] })[]; nextCursor: string | null };

/** One shown route: the cells the comparison uses. */
interface ShownRoute {
  router: string;
  peer: string;
  view: string;
  asPath: string;
  communities: string[];
}

/** What the page shows: per prefix section, its heading prefix and its rows. */
async function shownTables(): Promise<{ prefix: string; routes: ShownRoute[] }[]> {
  // Runs in the page (this file is compiled without the DOM library, hence `any`).
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: any }).document;
    const text = (element: any): string => String(element.innerText).replace(/\s+/g, ' ').trim();
    return [...doc.querySelectorAll('#results section.prefix')].map((section: any) => ({
      prefix: section.querySelector('h2 a').textContent as string,
      routes: [...section.querySelectorAll(':scope > table > tbody > tr')].map((tr: any) => {
        const cells = [...tr.children].map(text);
        return {
          router: cells[1]!,
          peer: cells[2]!,
          view: cells[3]!,
          asPath: cells[6]!,
          communities: [...tr.querySelectorAll('td.communities .community')].map(text),
        };
      }),
    }));
  });
}

/** The same tables from an API answer: raw value, then the API's name when it gives one. */
function expectedTables(answer: Answer): { prefix: string; routes: ShownRoute[] }[] {
  return answer.prefixes.map((p) => ({
    prefix: p.prefix,
    routes: p.routes.map((r) => ({
      router: r.router,
      peer: `${r.peer.address} AS${r.peer.asn}`,
      view: r.view,
      asPath: r.asPath.map((s) => (Array.isArray(s) ? `{${s.join(' ')}}` : String(s))).join(' '),
      communities: [...r.communities, ...r.largeCommunities, ...r.extendedCommunities].map((c) => (r.communityNames[c] ? `${c} ${r.communityNames[c]}` : c)),
    })),
  }));
}

/** Open `path` and wait until the page has rendered. */
async function open(path: string): Promise<void> {
  await page.goto(`${service.httpUrl}${path}`);
  await page.waitForSelector('body[data-ready="true"]');
}

/** The API's answer to `path` (200 expected). */
async function api(path: string): Promise<Answer> {
  const { status, body } = await getJson<Answer>(service, path);
  assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`);
  return body;
}

const rowCount = (tables: { routes: unknown[] }[]): number => tables.reduce((n, t) => n + t.routes.length, 0);

describe('community names and filters in Chromium', { skip }, () => {
  before(async () => {
    service = await startNamedService(ROUTER, SECOND);
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith(service.httpUrl) ? route.continue() : route.abort()));
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test('communities are shown with the names the API gives, beside the raw value', async () => {
    for (const prefix of ['192.0.2.0/24', '10.1.0.0/16']) {
      await open(`/?q=${encodeURIComponent(prefix)}`);
      const expected = expectedTables(await api(`/api/v1/routes?prefix=${encodeURIComponent(prefix)}`));
      assert.deepEqual(await shownTables(), expected, prefix);
    }
    const names = await page.locator('#results .community-name').allInnerTexts();
    assert.ok(names.includes('Our NO_EXPORT') && names.includes('BLACKHOLE') && names.includes('Learned from customers'), names.join(', '));
  });

  test('filter by community with the keyboard: the rows are those of the API answer', async () => {
    const base = '/api/v1/routes?prefix=0.0.0.0/0&match=more-specifics&limit=200';
    await open('/?q=0.0.0.0/0&match=more-specifics');
    const unfiltered = await shownTables();
    assert.deepEqual(unfiltered, expectedTables(await api(base)));

    await page.getByLabel('Community', { exact: true }).focus();
    await page.keyboard.type('65000:1');
    await page.keyboard.press('Enter');
    await page.waitForURL(/community=65000%3A1/);
    await page.waitForSelector('body[data-ready="true"]');
    const filtered = await shownTables();
    const expected = expectedTables(await api(`${base}&community=65000:1`));
    assert.deepEqual(filtered, expected);
    assert.ok(rowCount(filtered) > 0 && rowCount(filtered) < rowCount(unfiltered), `the filter keeps ${rowCount(filtered)} of ${rowCount(unfiltered)} rows`);
    for (const t of filtered) for (const r of t.routes) assert.ok(r.communities.some((c) => c.startsWith('65000:1 ')), `${t.prefix}: every row carries 65000:1`);
    assert.equal(await page.getByLabel('Community', { exact: true }).inputValue(), '65000:1', 'the field keeps the filter');
    assert.match(await page.locator('.filters-in-force').innerText(), /community 65000:1/);
    assert.match(page.url(), /match=more-specifics/, 'the match is carried along');

    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.waitForURL((url) => !url.search.includes('community='));
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(rowCount(await shownTables()), rowCount(unfiltered));
  });

  test('view, origin AS and AS-in-path fields filter like the API', async () => {
    await open('/?q=10.0.0.0/8&match=more-specifics');
    await page.getByLabel('View', { exact: true }).selectOption('adj-rib-in-post');
    await page.getByLabel('Origin AS').fill('AS65020');
    await page.getByLabel('AS in path').fill('65010');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/ribView=adj-rib-in-post/);
    await page.waitForSelector('body[data-ready="true"]');
    const expected = expectedTables(await api('/api/v1/routes?prefix=10.0.0.0/8&match=more-specifics&limit=200&view=adj-rib-in-post&originAs=65020&pathAs=65010'));
    const shown = await shownTables();
    assert.deepEqual(shown, expected);
    assert.ok(rowCount(shown) > 0);
    for (const t of shown) for (const r of t.routes) assert.equal(r.view, 'adj-rib-in-post');
  });

  test('a community search takes the router and peer filters', async () => {
    await open(`/?q=65535:65281&peer=${PEER_C.address}&router=${SECOND}`);
    const expected = expectedTables(await api(`/api/v1/communities/65535:65281/routes?limit=200&peer=${PEER_C.address}&router=${SECOND}`));
    assert.deepEqual(await shownTables(), expected);
    assert.ok(rowCount(expected) > 0);
    assert.equal(await page.getByLabel('Community', { exact: true }).count(), 0, 'no community field on a community search');
    await open(`/?q=65535:65281&router=${ROUTER}`);
    assert.equal(rowCount(await shownTables()), 0, 'the synthetic router has no NO_EXPORT route');
    assert.deepEqual((await api(`/api/v1/communities/65535:65281/routes?router=${ROUTER}`)).prefixes, []);
  });

  test('a bad filter value shows the API\'s message', async () => {
    await open('/?q=10.0.0.0/8&originAs=foo');
    const alert = await page.getByRole('alert').innerText();
    const { status, body } = await getJson(service, '/api/v1/routes?prefix=10.0.0.0/8&originAs=foo');
    assert.equal(status, 400);
    assert.ok(alert.includes(body.error.message), `${alert} shows ${body.error.message}`);
  });
});
