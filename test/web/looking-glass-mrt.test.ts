/**
 * The looking glass in headless Chromium against a service started like `ribstore serve --mrt
 * FILE`: once on a dump written by our own MRT encoder (4 peers, IPv4 and IPv6; runs anywhere),
 * once on a real RouteViews dump from ../shared (35 peers, ~30 routes per prefix). Every search
 * kind is checked against the API's answers, why-best against the API's `lostAt`, the AS path
 * graph against the distinct ASes of the routes shown, and bad input typed into the box must
 * give a readable message. (test/web/looking-glass.test.ts covers the BMP-fed page, links and
 * the routers view.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { PrefixRoutesJson, RouteJson } from '../../src/rib/route-json.js';
import type { Service } from '../../src/service/service.js';
import { getJson, startTestService } from '../e2e/support-service.js';
import { chromiumSkipReason, launchChromium, type TestBrowser } from '../support/chromium.js';
import { generatedRibDump } from '../support/generated-mrt.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';
import { assertShows, routePathText } from './page-checks.js';


/** How the page words each decision step (src/web/routes-view.ts lostAtText), by the API's `lostAt`. */
const LOST_AT_WORDS: Record<string, RegExp> = {
  view: /^view: /,
  stale: /^stale: /,
  'local-pref': /^local preference: /,
  'as-path-length': /^AS path length: \d+ is shorter than \d+/,
  origin: /^origin: /,
  med: /^MED: /,
  'peer-bgp-id': /^tie-break, peer BGP ID: /,
  'peer-address': /^tie-break, peer address: /,
  router: /^tie-break, router: /,
  'path-id': /^tie-break, path id: /,
  family: /^tie-break, address family: /,
};

/** The graph nodes the routes' AS paths call for: `as:N` per distinct AS, `set:a,b` per distinct AS_SET. */
function expectedGraphNodes(routes: RouteJson[]): string[] {
  const ids = new Set<string>();
  for (const r of routes) for (const s of r.asPath) ids.add(Array.isArray(s) ? `set:${[...s].sort((a, b) => a - b).join(',')}` : `as:${s}`);
  return [...ids].sort();
}

/** One browser page on one service, with the checks both dumps share. */
class LookingGlass {
  constructor(
    readonly service: Service,
    readonly page: Page,
  ) {}

  async open(path: string): Promise<string> {
    await this.page.goto(`${this.service.httpUrl}${path}`);
    await this.page.waitForSelector('body[data-ready="true"]');
    return this.page.locator('#results').innerText();
  }

  /** Type `text` into the search box and press Enter, as a user would; resolves with the results' text. */
  async search(text: string): Promise<string> {
    await this.open('/');
    await this.page.locator('#q').fill(text);
    await this.page.keyboard.press('Enter');
    await this.page.waitForURL((url) => url.searchParams.get('q') === text);
    await this.page.waitForSelector('body[data-ready="true"]');
    return this.page.locator('#results').innerText();
  }

  async api<T = any>(path: string): Promise<T> {
    const { status, body } = await getJson<T>(this.service, path);
    assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`);
    return body;
  }

  /** Every prefix and every route's AS path of `prefixes` appear in `text`, and the table has one row per route. */
  async assertShows(text: string, prefixes: PrefixRoutesJson[]): Promise<void> {
    assertShows(text, prefixes);
    const routes = prefixes.reduce((n, p) => n + p.routes.length, 0);
    assert.equal(await this.page.locator('#results tbody tr').count(), routes, 'one table row per route');
    assert.equal(await this.page.locator('#results tbody tr.best').count(), prefixes.length, 'one best per prefix');
  }

  /** Why-best on the page shown (one prefix): each route's step is the API's `lostAt`, in words. */
  async assertWhyBest(routes: RouteJson[]): Promise<void> {
    assert.ok(routes.length > 1, 'several routes');
    const why = this.page.getByRole('button', { name: 'Why best?' });
    await why.click();
    assert.equal(await why.getAttribute('aria-expanded'), 'true');
    const lost = await this.page.locator('td.lost').allInnerTexts();
    assert.equal(lost.length, routes.length);
    assert.match(lost[0]!, /^best/);
    for (let i = 1; i < routes.length; i++) {
      const step = routes[i]!.lostAt;
      assert.ok(step, `route ${i} has a lostAt`);
      assert.match(lost[i]!, LOST_AT_WORDS[step]!, `route ${i} lost at ${step}`);
    }
  }

  /** The AS path graph of the page shown (one prefix): one node per distinct AS, one per router, the paths as text. */
  async assertGraph(entry: PrefixRoutesJson): Promise<void> {
    const graph = this.page.locator('svg.as-path-graph');
    await graph.waitFor();
    const asns = await Promise.all((await graph.locator('.as-node').all()).map((g) => g.getAttribute('data-asn')));
    const sets = await graph.locator('.as-set-node text:not(.prepend)').allTextContents();
    const shown = [...asns.map((asn) => `as:${asn}`), ...sets.map((t) => `set:${t.slice(1, -1).split(' ').join(',')}`)].sort();
    assert.deepEqual(shown, expectedGraphNodes(entry.routes), 'one node per distinct AS of the paths');
    const routers = [...new Set(entry.routes.map((r) => r.router))].sort();
    assert.deepEqual((await this.page.locator('svg.as-path-graph .router-node text').allTextContents()).sort(), routers, 'one node per router');
    assert.equal(await graph.locator('title').first().textContent(), `AS path graph of ${entry.prefix}`);
    assert.match((await graph.locator('desc').textContent())!, new RegExp(`^${entry.routes.length} routes? towards `));
    const paths = await this.page.locator('ol.as-paths li .aspath').allInnerTexts();
    assert.deepEqual(paths.sort(), [...new Set(entry.routes.map(routePathText))].sort(), 'the text alternative lists each distinct path');
    // Every AS box is a link to the prefixes that AS originates.
    const origin = entry.routes[0]!.originAs;
    if (origin !== null) assert.equal(await graph.locator(`a[href="/?q=AS${origin}"]`).count(), 1);
  }
}

describe('looking glass on an MRT-fed RIB (dump from our own encoder)', { skip: chromiumSkipReason() }, () => {
  let service: Service;
  let browser: TestBrowser;
  let lg: LookingGlass;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ribstore-lg-mrt-'));
    const file = join(dir, 'generated.mrt');
    writeFileSync(file, generatedRibDump({ prefixes: 600, peers: 4 }));
    service = await startTestService({ mrtFiles: [file] });
    browser = await launchChromium();
    const page = await browser.context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith(service.httpUrl) ? route.continue() : route.abort()));
    lg = new LookingGlass(service, page);
  });
  after(async () => {
    await browser?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an address typed into the box shows its longest match and every peer\'s route', async () => {
    const answer = await lg.api<PrefixRoutesJson>('/api/v1/lookup?address=10.0.5.9');
    assert.equal(answer.prefix, '10.0.5.0/24');
    assert.equal(answer.routes.length, 4);
    await lg.assertShows(await lg.search('10.0.5.9'), [answer]);
    const v6 = await lg.api<PrefixRoutesJson>('/api/v1/lookup?address=2001:db8:5::1');
    await lg.assertShows(await lg.search('2001:db8:5::1'), [v6]);
  });

  test('a prefix, its more-specifics, then a less-specifics button', async () => {
    const exact = await lg.api<{ prefixes: PrefixRoutesJson[] }>('/api/v1/routes?prefix=10.0.2.0/24');
    await lg.assertShows(await lg.search('10.0.2.0/24'), exact.prefixes);
    const more = await lg.api<{ prefixes: PrefixRoutesJson[] }>('/api/v1/routes?prefix=10.0.0.0/22&match=more-specifics');
    assert.deepEqual(more.prefixes.map((p) => p.prefix), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24']);
    await lg.assertShows(await lg.open('/?q=10.0.0.0%2F22&match=more-specifics'), more.prefixes);
    assert.equal(await lg.page.locator('svg.as-path-graph').count(), 0, 'a list of prefixes draws no graph until one is opened');
    await lg.page.locator('section.prefix', { hasText: '10.0.2.0/24' }).getByRole('link', { name: 'Less specifics' }).click();
    await lg.page.waitForURL(/q=10\.0\.2\.0%2F24&match=less-specifics/);
    await lg.page.waitForSelector('body[data-ready="true"]');
    const less = await lg.api<{ prefixes: PrefixRoutesJson[] }>('/api/v1/routes?prefix=10.0.2.0/24&match=less-specifics');
    await lg.assertShows(await lg.page.locator('#results').innerText(), less.prefixes);
  });

  test('an AS lists the prefixes it originates, as the API does', async () => {
    const answer = await lg.api<{ prefixes: { prefix: string }[]; total: number }>('/api/v1/origins/64512/prefixes');
    assert.deepEqual(answer.prefixes.map((p) => p.prefix).sort(), ['10.0.0.0/24', '10.0.211.0/24', '10.1.166.0/24', '2001:db8::/48'].sort());
    const text = await lg.search('AS64512');
    assert.ok(text.includes(`${answer.total} prefixes`));
    for (const p of answer.prefixes) assert.ok(text.includes(p.prefix), p.prefix);
  });

  test('a community and a large community show every route carrying them', async () => {
    for (const community of ['65000:3', '65001:2:7']) {
      const answer = await lg.api<{ prefixes: PrefixRoutesJson[] }>(`/api/v1/communities/${community}/routes`);
      for (const p of answer.prefixes) for (const r of p.routes) assert.ok([...r.communities, ...r.largeCommunities].includes(community));
      await lg.assertShows(await lg.search(community), answer.prefixes);
    }
  });

  test('why best on a prefix with four routes, and its AS path graph', async () => {
    const answer = await lg.api<{ prefixes: PrefixRoutesJson[] }>('/api/v1/routes?prefix=10.0.5.0/24');
    const entry = answer.prefixes[0]!;
    await lg.open('/?q=10.0.5.0%2F24');
    await lg.assertWhyBest(entry.routes);
    await lg.assertGraph(entry);
    // Four peers (AS65000-65003), one transit AS, one origin: 6 boxes; one router (the MRT loader's).
    assert.equal(expectedGraphNodes(entry.routes).length, 6);
  });

  test('bad input typed into the box gives a readable message and keeps the text', async () => {
    const cases: [string, RegExp][] = [
      ['10.0.0.0/33', /prefix/i],
      ['AS4294967296', /is not an AS number/],
      ['65536:1', /invalid community "65536:1": expected ASN:VALUE/],
      ['10.0.0.1/8 x', /not something to search|prefix/i],
      ['203.0.113.9', /Not found/],
    ];
    for (const [input, message] of cases) {
      await lg.search(input);
      assert.match(await lg.page.getByRole('alert').innerText(), message, input);
      assert.equal(await lg.page.locator('#q').inputValue(), input, 'the box keeps what was typed');
    }
  });
});

/** Prefixes per page the page asks the API for (src/web/main.ts). */
const PAGE_PREFIXES = 50;

const REAL_DUMP = ['mrt', 'rib.20140523.0600_firstMB.bz2'] as const;

describe('looking glass on a real RouteViews dump (35 peers)', { skip: chromiumSkipReason() || skipUnlessShared(...REAL_DUMP) }, () => {
  let service: Service;
  let browser: TestBrowser;
  let lg: LookingGlass;
  let busiest: PrefixRoutesJson;

  before(async () => {
    service = await startTestService({ mrtFiles: [sharedData(...REAL_DUMP)] });
    browser = await launchChromium();
    lg = new LookingGlass(service, await browser.context.newPage());
    const page = await lg.api<{ prefixes: PrefixRoutesJson[] }>('/api/v1/routes?prefix=12.0.0.0/8&match=more-specifics&limit=100');
    busiest = page.prefixes.reduce((a, b) => (b.routes.length > a.routes.length ? b : a));
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test('the longest match of an address and a prefix\'s more-specifics are the API\'s', async () => {
    const lookup = await lg.api<PrefixRoutesJson>('/api/v1/lookup?address=12.0.1.1');
    await lg.assertShows(await lg.search('12.0.1.1'), [lookup]);
    const more = await lg.api<{ prefixes: PrefixRoutesJson[] }>(`/api/v1/routes?prefix=12.0.0.0/16&match=more-specifics&limit=${PAGE_PREFIXES}`);
    await lg.assertShows(await lg.open('/?q=12.0.0.0%2F16&match=more-specifics'), more.prefixes);
  });

  test('why best and the AS path graph on the prefix with the most routes', async () => {
    assert.ok(busiest.routes.length >= 20, `${busiest.prefix} has ${busiest.routes.length} routes`);
    await lg.open(`/?q=${encodeURIComponent(busiest.prefix)}`);
    await lg.assertWhyBest(busiest.routes);
    await lg.assertGraph(busiest);
  });

  test('its origin AS and a community it carries', async () => {
    const origin = busiest.routes[0]!.originAs!;
    const prefixes = await lg.api<{ prefixes: { prefix: string }[]; total: number }>(`/api/v1/origins/${origin}/prefixes?limit=500`);
    const text = await lg.search(`AS${origin}`);
    for (const p of prefixes.prefixes) assert.ok(text.includes(p.prefix), p.prefix);
    const community = busiest.routes.flatMap((r) => r.communities)[0]!;
    // A common community: the page shows the API's first page (of the page's size) and says there is more.
    const carrying = await lg.api<{ prefixes: PrefixRoutesJson[]; nextCursor: string | null }>(`/api/v1/communities/${community}/routes?limit=${PAGE_PREFIXES}`);
    const shown = await lg.search(community);
    await lg.assertShows(shown, carrying.prefixes);
    assert.ok(carrying.nextCursor !== null, `${community} is carried by more than a page of prefixes`);
    assert.match(shown, new RegExp(`${PAGE_PREFIXES} prefixes shown, more on the next pages`));
    // "Show more" appends the API's next page and moves the focus to its first prefix.
    const next = await lg.api<{ prefixes: PrefixRoutesJson[] }>(`/api/v1/communities/${community}/routes?limit=${PAGE_PREFIXES}&cursor=${carrying.nextCursor}`);
    await lg.page.getByRole('button', { name: 'Show more prefixes' }).click();
    await lg.page.locator('section.prefix').nth(PAGE_PREFIXES).waitFor({ state: 'attached' });
    await lg.assertShows(await lg.page.locator('#results').innerText(), [...carrying.prefixes, ...next.prefixes]);
    assert.equal(await lg.page.evaluate('document.activeElement.querySelector("h2").textContent'), next.prefixes[0]!.prefix);
  });
});
