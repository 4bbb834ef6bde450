/**
 * The looking glass on a full table, in headless Chromium: how long from a query to its
 * rendered results, for the searches that are heavy on a full table.
 *
 * Data: the RIB benchmark workload (bench/support/rib-workload.ts: the Tier-1 full table as
 * seen from 10 peers with pfx2as origins) written to an MRT file with ribstore's own exporter
 * (its IPv4 part: 901,899 prefixes x 10 peers = 9.0 M routes; the workload files IPv6 prefixes
 * under an IPv4-unicast peer view, which MRT cannot carry, so the exporter skips them), then a service started as `ribstore serve --mrt` does
 * with that file and the real multi-peer IPv6 RIB rib.bz2 (27 peers, 609 k routes). The MRT
 * file is kept in the system temp dir and reused by later runs (`--fresh` rewrites it).
 *
 * Queries: an address (longest match), the /8 holding the most prefixes with
 * `match=more-specifics`, the origin AS with the most prefixes, the most common community.
 * Each is opened RUNS times as `/?q=...` (what submitting the search box does) in a warm page
 * and timed inside the page: `api` is the API request (Resource Timing), `ready` runs from the
 * navigation's start to the first frame after the results are in the DOM (so layout and
 * paint are in it), `render` is ready minus the end of the API answer. The same-run reference
 * is the same API request from Node (fetch + JSON parse): the page/API ratio is what the page
 * adds. Medians of RUNS.
 *
 * Then a screenshot of the routes page of one prefix, why-best open, for the README
 * (docs/looking-glass.png; `--no-screenshot` to skip).
 *
 *   npm run bench:lg [-- --runs 7] [-- --fresh] [-- --no-screenshot]
 */
import { existsSync, mkdirSync, openSync, closeSync, writeSync, statSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { exportMrt } from '../src/collector/mrt-export.js';
import { formatIPv4 } from '../src/ip/index.js';
import { type Service, startService } from '../src/service/service.js';
import { launchChromium } from '../test/support/chromium.js';
import { loadFullTableOrExit, projectRoot, sharedDataDir } from './support/full-table.js';
import { machineLine } from './support/machine.js';
import { markdownTable } from './support/markdown.js';
import { SeededRandom } from './support/random.js';
import { RIB_DUMP } from './support/real-routes.js';
import { PEERS, buildWorkloadRib, prepareRibWorkload, type RibWorkload } from './support/rib-workload.js';
import { median } from './support/timing.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const RUNS = Number(args[args.indexOf('--runs') + 1] ?? 7) || 7;
const MRT_FILE = join(tmpdir(), `ribstore-bench-lg-full-table-${PEERS}-peers.mrt`);
const SCREENSHOT = join(projectRoot, 'docs', 'looking-glass.png');

interface Query {
  readonly what: string;
  readonly q: string;
  readonly match?: 'more-specifics';
  /** The API request the page makes for it (src/web/main.ts), for the Node reference. */
  readonly api: string;
}

/** The heavy queries of this workload, found from its data. */
function pickQueries(workload: RibWorkload, random: SeededRandom): Query[] {
  const v4 = workload.families[0];
  // An address inside a random IPv4 prefix.
  const i = random.below(v4.count);
  const address = formatIPv4((v4.words[i]! + 1) >>> 0);
  // The /8 with the most prefixes inside it.
  const perOctet = new Uint32Array(256);
  for (let k = 0; k < v4.count; k++) if (v4.lengths[k]! >= 8) perOctet[v4.words[k]! >>> 24]!++;
  const octet = perOctet.indexOf(Math.max(...perOctet));
  // The origin AS with the most prefixes (both families).
  const perOrigin = new Map<number, number>();
  for (const origins of workload.originOf) for (const asn of origins) perOrigin.set(asn, (perOrigin.get(asn) ?? 0) + 1);
  const [asn] = [...perOrigin].reduce((a, b) => (b[1] > a[1] ? b : a));
  // The community in the most sets (each set is used by many (peer, origin) pairs).
  const perCommunity = new Map<number, number>();
  for (const set of workload.communitySets) for (const c of set) perCommunity.set(c, (perCommunity.get(c) ?? 0) + 1);
  const [community] = [...perCommunity].reduce((a, b) => (b[1] > a[1] ? b : a));
  const communityText = `${community >>> 16}:${community & 0xffff}`;
  const prefix8 = `${octet}.0.0.0/8`;
  return [
    { what: `address ${address} (longest match)`, q: address, api: `/api/v1/lookup?address=${address}` },
    { what: `${prefix8} more-specifics (${perOctet[octet]!.toLocaleString('en-US')} prefixes inside)`, q: prefix8, match: 'more-specifics', api: `/api/v1/routes?prefix=${prefix8}&match=more-specifics&limit=50` },
    { what: `AS${asn} (originates ${perOrigin.get(asn)!.toLocaleString('en-US')} prefixes)`, q: `AS${asn}`, api: `/api/v1/origins/${asn}/prefixes?limit=500` },
    { what: `community ${communityText}`, q: communityText, api: `/api/v1/communities/${communityText}/routes?limit=50` },
  ];
}

/** Write the workload RIB as MRT (once; reused unless --fresh). */
async function writeWorkloadMrt(workload: RibWorkload): Promise<void> {
  if (existsSync(MRT_FILE) && !flag('--fresh')) {
    console.log(`reusing ${MRT_FILE} (${(statSync(MRT_FILE).size / 2 ** 20).toFixed(0)} MiB; --fresh rewrites it)`);
    return;
  }
  const started = performance.now();
  const built = buildWorkloadRib(workload);
  const partial = `${MRT_FILE}.partial`;
  const fd = openSync(partial, 'w');
  try {
    const summary = await exportMrt(built.rib, (chunk) => void writeSync(fd, chunk));
    console.log(`wrote ${MRT_FILE}: ${summary.routes.toLocaleString('en-US')} routes, ${(summary.bytes / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, MRT_FILE);
}

interface PageTiming {
  api: number;
  ready: number;
  render: number;
  rows: number;
  apiBytes: number;
}

/**
 * In the page, once ready: API request timing and the time to the second frame after (ms since
 * navigation start): off-screen prefixes skip layout (content-visibility), and which ones are
 * on screen is settled one frame later, so the second frame is the one with every visible row.
 */
const MEASURE_IN_PAGE = `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
  const ready = performance.now();
  const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/')).pop();
  resolve({
    api: api ? api.responseEnd - api.startTime : NaN,
    apiEnd: api ? api.responseEnd : NaN,
    apiBytes: api ? api.encodedBodySize : NaN,
    ready,
    rows: document.querySelectorAll('#results tbody tr, #results ul.prefixes li').length,
  });
}, 0))))`;

async function main(): Promise<void> {
  console.log(`# ribstore looking-glass benchmark\n\n${machineLine()}\n`);
  const table = loadFullTableOrExit();
  const random = new SeededRandom(42);
  const workload = prepareRibWorkload(table, random);
  const queries = pickQueries(workload, random);
  await writeWorkloadMrt(workload);

  const files = [MRT_FILE, join(sharedDataDir, RIB_DUMP)];
  let started = performance.now();
  const service: Service = await startService({
    bmpListen: { host: '127.0.0.1', port: 0 },
    httpListen: { host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    mrtFiles: files,
  });
  const stats = service.rib.stats();
  console.log(`service up with ${files.map((f) => f.replace(`${sharedDataDir}/`, '')).join(' + ')}: ${stats.routes.toLocaleString('en-US')} routes, ${stats.prefixes.toLocaleString('en-US')} prefixes, loaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const url = (query: Query): string => `${service.httpUrl}/?${new URLSearchParams({ q: query.q, ...(query.match ? { match: query.match } : {}) })}`;
    const rows: string[][] = [];
    for (const query of queries) {
      const timings: PageTiming[] = [];
      const reference: number[] = [];
      // One warm-up load (browser caches, JIT on both sides), then RUNS measured.
      for (let run = -1; run < RUNS; run++) {
        await page.goto(url(query));
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
        const t = (await page.evaluate(MEASURE_IN_PAGE)) as PageTiming & { apiEnd: number };
        const s = performance.now();
        const response = await fetch(`${service.httpUrl}${query.api}`);
        await response.json();
        const nodeMs = performance.now() - s;
        if (run < 0) continue;
        timings.push({ ...t, render: t.ready - t.apiEnd });
        reference.push(nodeMs);
      }
      const m = (key: keyof PageTiming): number => median(timings.map((t) => t[key]));
      const ref = median(reference);
      rows.push([query.what, String(m('rows')), `${(m('apiBytes') / 1024).toFixed(0)} KiB`, ref.toFixed(1), m('api').toFixed(1), m('render').toFixed(1), m('ready').toFixed(1), `${(m('ready') / ref).toFixed(1)}x`]);
      console.log(`measured: ${query.what}`);
    }
    console.log(`\nFrom query to rendered results, ms (medians of ${RUNS} page loads after one warm-up; \`rows\` = table rows or list items shown):\n`);
    console.log(markdownTable(['query', 'rows', 'API answer', 'API from Node (reference)', 'API in page', 'render', 'query → rendered', 'ratio to reference'], rows));

    if (!flag('--no-screenshot')) {
      // The routes page of one prefix with its ten routes, why-best open, at a laptop's width.
      await page.setViewportSize({ width: 1000, height: 700 });
      const prefix = workload.families[0].text[random.below(workload.families[0].count)]!;
      await page.goto(`${service.httpUrl}/?q=${encodeURIComponent(prefix)}`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.getByRole('button', { name: 'Why best?' }).click();
      // Three quarters of the size: still legible, and a PNG of text costs bytes per pixel.
      await page.evaluate(`document.body.style.zoom = '0.75'`);
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`\nscreenshot of /?q=${prefix} with why-best open: ${SCREENSHOT} (${(statSync(SCREENSHOT).size / 1024).toFixed(0)} KiB)`);
    }
  } finally {
    await browser.close();
    await service.close();
  }
}

await main();
