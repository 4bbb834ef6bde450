/**
 * GoBGP end to end: `ribstore serve` as a real child process, two gobgpd (Debian) on loopback
 * (test/support/gobgp.ts): the injector originates IPv4 and IPv6 routes with AS paths (one
 * with an AS_SET), communities and large communities; the monitored router sends BMP with
 * pre-policy, post-policy and Loc-RIB monitoring to ribstore. Checked through the HTTP API:
 * per-peer route counts equal gobgp's own, attributes equal `gobgp … rib -j`, a withdrawn route
 * disappears, disabling the BGP peer flushes its routes (Peer Down), and killing the BMP
 * session keeps the routes for the keep time, then flushes them.
 *
 * The server under test runs `--api-workers 2` (more-specifics answered by reader workers);
 * the router also streams BMP to a second server with `--api-workers 0` and a third with
 * `--api-thread worker` (the HTTP server in a worker thread), and every lookup and routes
 * answer of the first and the third must equal the second's (but for the times each server
 * received the routes).
 *
 * Ports: one probed free block in 22000-22999 (test/support/gobgp.ts freePortBlock): BGP/API
 * base..base+3, BMP base+4, HTTP base+5; the reference server BMP base+6, HTTP base+7; the
 * HTTP-worker server BMP base+8, HTTP base+9. The keep time is measured from the server's own
 * `downSince`, and is long enough (10 s) that the API calls made inside it cannot lose the
 * race on a loaded machine.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GobgpPair, freePortBlock, gobgpSkipReason, startGobgpPair, waitFor } from '../support/gobgp.js';
import { projectRoot } from '../support/shared-data.js';

const KEEP_SECONDS = 10;
/** The HTTP API's base URL (its port is picked in `before`). */
let BASE = '';
/** Where the router sends BMP. */
let bmpPort = 0;
/** The reference server's (`--api-workers 0`) base URL. */
let REFERENCE = '';
/** The `--api-thread worker` server's base URL. */
let HTTP_WORKER = '';

/** The injected routes: prefix → gobgp `global rib add` arguments after the prefix. */
const ROUTES: Record<string, { family: 'ipv4' | 'ipv6'; args: string[] }> = {
  '10.10.0.0/16': { family: 'ipv4', args: ['nexthop', '192.0.2.10', 'aspath', '65100,65200', 'community', '65000:100,65000:200', 'large-community', '65000:1:2', 'med', '20', 'origin', 'egp'] },
  '10.20.0.0/24': { family: 'ipv4', args: ['nexthop', '192.0.2.10', 'aspath', '65100,65300', 'community', '65000:300', 'aggregator', '65300:192.0.2.55'] },
  '10.20.1.0/24': { family: 'ipv4', args: ['nexthop', '192.0.2.11', 'aspath', '65100,4200000001', 'large-community', '4200000001:5:6'] },
  '2001:db8:10::/48': { family: 'ipv6', args: ['nexthop', '2001:db8::10', 'aspath', '65100,{65300,65301}', 'community', '65000:300', 'large-community', '65000:3:4'] },
  '2001:db8:20::/48': { family: 'ipv6', args: ['nexthop', '2001:db8::10', 'aspath', '65100', 'med', '5'] },
};

async function api(path: string, base = BASE): Promise<any> {
  const response = await fetch(`${base}${path}`);
  return response.json();
}

/** Start `ribstore serve` with these listeners and extra flags; resolves once /healthz answers. */
async function startServe(bmp: number, http: number, flags: string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(projectRoot, 'dist/src/cli/main.js'), 'serve', '--bmp-listen', `127.0.0.1:${bmp}`, '--http-listen', `127.0.0.1:${http}`, '--keep', `${KEEP_SECONDS}s`, '--log-level', 'info', ...flags],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${http}/healthz`)).ok, 20_000, `ribstore serve on ${http}\n${text}`);
  return child;
}

/** An answer without the per-server receive times. */
function withoutTimes(body: any): any {
  return JSON.parse(JSON.stringify(body), (key, value) => (key === 'receivedAt' || key === 'changedAt' ? undefined : value));
}

/** Routes per view of one peer address at the router, as the API reports them. */
async function viewCounts(router: string, address: string): Promise<Record<string, number>> {
  const body = await api(`/api/v1/routers/${router}/peers`);
  const counts: Record<string, number> = {};
  for (const peer of body.peers ?? []) {
    if (peer.address !== address) continue;
    for (const [view, n] of Object.entries<number>(peer.routes)) counts[view] = (counts[view] ?? 0) + n;
  }
  return counts;
}

/** GoBGP's JSON path attributes → the API's fields. */
function gobgpAttributes(path: any): Record<string, unknown> {
  const out: Record<string, unknown> = { med: null, communities: [], largeCommunities: [], asPath: [] };
  for (const attr of path.attrs) {
    switch (attr.type) {
      case 1:
        out['origin'] = ['igp', 'egp', 'incomplete'][attr.value];
        break;
      case 2:
        out['asPath'] = attr.as_paths.flatMap((s: any) => (s.segment_type === 1 ? [s.asns] : s.asns));
        break;
      case 3:
        out['nextHop'] = attr.nexthop;
        break;
      case 4:
        out['med'] = attr.metric;
        break;
      case 8:
        out['communities'] = attr.communities.map((c: number) => `${Math.floor(c / 65536)}:${c % 65536}`);
        break;
      case 14:
        out['nextHop'] = attr.nexthop;
        break;
      case 32:
        out['largeCommunities'] = attr.value.map((l: any) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`);
        break;
    }
  }
  return out;
}

describe('GoBGP → BMP → ribstore serve', { skip: gobgpSkipReason() }, () => {
  let serve: ChildProcess;
  let reference: ChildProcess;
  let httpWorker: ChildProcess;
  let pair: GobgpPair;
  let router = '';

  before(async () => {
    const ports = await freePortBlock(10, 22000, 22999);
    bmpPort = ports + 4;
    BASE = `http://127.0.0.1:${ports + 5}`;
    REFERENCE = `http://127.0.0.1:${ports + 7}`;
    HTTP_WORKER = `http://127.0.0.1:${ports + 9}`;
    [serve, reference, httpWorker] = await Promise.all([
      startServe(bmpPort, ports + 5, ['--api-workers', '2']),
      startServe(ports + 6, ports + 7, ['--api-workers', '0', '--api-thread', 'main']),
      startServe(ports + 8, ports + 9, ['--api-thread', 'worker']),
    ]);
    pair = await startGobgpPair({ portBase: ports, bmpPort, extraBmpPorts: [ports + 6, ports + 8], bmpPolicy: 'all' });
    for (const [prefix, { family, args }] of Object.entries(ROUTES)) await pair.injector.cli('global', 'rib', '-a', family, 'add', prefix, ...args);
    await waitFor(async () => {
      const body = await api('/api/v1/routers');
      router = body.routers.find((r: any) => r.bmp?.state === 'connected')?.name ?? '';
      return router !== '';
    }, 90_000, 'the GoBGP router to connect over BMP');
  });

  after(async () => {
    await pair?.stop();
    for (const child of [serve, reference, httpWorker]) {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  });

  /** GoBGP's own counts: adj-in of the injector at the router, and the router's Loc-RIB. */
  async function gobgpCounts(): Promise<{ adjIn: number; locRib: number }> {
    let adjIn = 0;
    let locRib = 0;
    for (const family of ['ipv4', 'ipv6']) {
      adjIn += Object.keys(JSON.parse((await pair.router.cli('-j', 'neighbor', pair.injectorAddress, 'adj-in', '-a', family)) || '{}')).length;
      locRib += Object.keys(JSON.parse((await pair.router.cli('-j', 'global', 'rib', '-a', family)) || '{}')).length;
    }
    return { adjIn, locRib };
  }

  test('per-peer route counts equal gobgp counts (pre-policy, post-policy, Loc-RIB)', async () => {
    const total = Object.keys(ROUTES).length;
    await waitFor(async () => (await gobgpCounts()).locRib === total, 90_000, 'gobgp to hold every injected route');
    const own = await gobgpCounts();
    assert.equal(own.adjIn, total);
    await waitFor(async () => {
      const counts = await viewCounts(router, pair.injectorAddress);
      const locRib = await viewCounts(router, '0.0.0.0');
      return counts['adj-rib-in-pre'] === own.adjIn && counts['adj-rib-in-post'] === own.adjIn && locRib['loc-rib'] === own.locRib;
    }, 90_000, 'the API counts to reach gobgp counts');
    const peers = await api(`/api/v1/routers/${router}/peers`);
    const injector = peers.peers.find((p: any) => p.address === pair.injectorAddress);
    assert.equal(injector.state, 'up');
    assert.equal(injector.asn, 65000);
    assert.equal(injector.type, 'global');
    assert.ok(peers.peers.some((p: any) => p.type === 'loc-rib'), 'Loc-RIB kept as its own peer');
  });

  test('attributes of every prefix equal `gobgp global rib -j`', async () => {
    for (const family of ['ipv4', 'ipv6']) {
      const rib = JSON.parse(await pair.router.cli('-j', 'global', 'rib', '-a', family));
      for (const [prefix, paths] of Object.entries<any[]>(rib)) {
        const expected = gobgpAttributes(paths[0]);
        const answer = await api(`/api/v1/routes?prefix=${encodeURIComponent(prefix)}&router=${router}`);
        assert.equal(answer.prefixes.length, 1, prefix);
        const routes = answer.prefixes[0].routes;
        assert.deepEqual(routes.map((r: any) => r.view).sort(), ['adj-rib-in-post', 'adj-rib-in-pre', 'loc-rib'], prefix);
        for (const route of routes) {
          const ours = { origin: route.origin, asPath: route.asPath, nextHop: route.nextHop, med: route.med, communities: route.communities, largeCommunities: route.largeCommunities };
          assert.deepEqual(ours, { origin: expected['origin'], asPath: expected['asPath'], nextHop: expected['nextHop'], med: expected['med'], communities: expected['communities'], largeCommunities: expected['largeCommunities'] }, `${prefix} ${route.view}`);
        }
      }
    }
    const set = await api(`/api/v1/lookup?address=2001:db8:10::1&router=${router}`);
    assert.deepEqual(set.routes[0].asPath, [65100, [65300, 65301]]);
    // AGGREGATOR as GoBGP set it, on every view; routes without one show null.
    const aggregated = await api(`/api/v1/lookup?address=10.20.0.1&router=${router}`);
    assert.equal(aggregated.routes.length, 3);
    for (const route of aggregated.routes) assert.deepEqual(route.aggregator, { asn: 65300, address: '192.0.2.55' }, route.view);
    assert.equal((await api(`/api/v1/lookup?address=10.10.0.1&router=${router}`)).routes[0].aggregator, null);
  });

  test('--api-workers 2 and --api-thread worker answer every lookup and routes request as --api-workers 0', async () => {
    const total = Object.keys(ROUTES).length;
    await waitFor(async () => (await viewCounts(router, '0.0.0.0'))['loc-rib'] === total, 90_000, 'the Loc-RIB of the server under test');
    for (const [base, name] of [[REFERENCE, 'the reference server'], [HTTP_WORKER, 'the --api-thread worker server']] as const) {
      await waitFor(async () => {
        const body = await api(`/api/v1/routers/${router}/peers`, base);
        return (body.peers ?? []).some((p: any) => p.routes['loc-rib'] === total);
      }, 90_000, `${name} to hold every route`);
    }
    assert.equal((await api('/api/v1/stats', HTTP_WORKER)).api.thread, 'worker');
    const paths: string[] = [];
    for (const prefix of [...Object.keys(ROUTES), '10.0.0.0/8', '0.0.0.0/0', '::/0', '192.0.2.0/24']) {
      const p = encodeURIComponent(prefix);
      const address = encodeURIComponent(prefix.replace(/\/\d+$/, '').replace(/::$/, '::1').replace(/\.0$/, '.1'));
      paths.push(`/api/v1/lookup?address=${address}`, `/api/v1/lookup?address=${address}&router=${router}&view=loc-rib`, `/api/v1/lookup?address=${address}&community=65000:300`);
      for (const match of ['exact', 'more-specifics', 'less-specifics']) {
        paths.push(`/api/v1/routes?prefix=${p}&match=${match}`, `/api/v1/routes?prefix=${p}&match=${match}&router=${router}&limit=1`, `/api/v1/routes?prefix=${p}&match=${match}&pathAs=65300`);
      }
    }
    let found = 0;
    for (const path of paths) {
      const [ours, theirs, worker] = await Promise.all([fetch(`${BASE}${path}`), fetch(`${REFERENCE}${path}`), fetch(`${HTTP_WORKER}${path}`)]);
      assert.equal(ours.status, theirs.status, path);
      assert.equal(worker.status, theirs.status, `--api-thread worker ${path}`);
      if (ours.status === 200) found++;
      const reference = withoutTimes(await theirs.json());
      assert.deepEqual(withoutTimes(await ours.json()), reference, path);
      assert.deepEqual(withoutTimes(await worker.json()), reference, `--api-thread worker ${path}`);
    }
    assert.ok(found > paths.length / 2, `${found} of ${paths.length} answers found routes`);
  });

  test('a withdrawn route disappears from every view', async () => {
    await pair.injector.cli('global', 'rib', '-a', 'ipv4', 'del', '10.20.1.0/24');
    await waitFor(async () => (await api(`/api/v1/routes?prefix=10.20.1.0/24&router=${router}`)).prefixes.length === 0, 90_000, '10.20.1.0/24 to be withdrawn');
    const still = await api(`/api/v1/routes?prefix=10.20.0.0/24&router=${router}`);
    assert.equal(still.prefixes[0].routes.length, 3, 'its neighbour stays');
  });

  test('disabling the BGP peer flushes its routes (Peer Down); enabling brings them back', async () => {
    await pair.router.cli('neighbor', pair.injectorAddress, 'disable');
    await waitFor(async () => {
      const counts = await viewCounts(router, pair.injectorAddress);
      const locRib = await viewCounts(router, '0.0.0.0');
      return (counts['adj-rib-in-pre'] ?? 0) === 0 && (counts['adj-rib-in-post'] ?? 0) === 0 && (locRib['loc-rib'] ?? 0) === 0;
    }, 90_000, 'the peer routes to be flushed');
    const peers = await api(`/api/v1/routers/${router}/peers`);
    const injector = peers.peers.find((p: any) => p.address === pair.injectorAddress);
    assert.equal(injector.state, 'down');
    assert.ok(injector.bmp.messages.peerDown >= 1);
    assert.equal((await api(`/api/v1/lookup?address=10.10.1.1&router=${router}`)).error?.code, 'NOT_FOUND');

    await pair.router.cli('neighbor', pair.injectorAddress, 'enable');
    await pair.router.waitEstablished(pair.injectorAddress);
    const remaining = Object.keys(ROUTES).length - 1;
    await waitFor(async () => (await viewCounts(router, pair.injectorAddress))['adj-rib-in-pre'] === remaining, 60_000, 'the routes to come back after Peer Up');
  });

  test('killing the BMP session keeps the routes for the keep time, then flushes them', async () => {
    const before = (await api('/api/v1/routers')).routers.find((r: any) => r.name === router);
    assert.ok(before.routes > 0);
    await pair.router.cli('bmp', 'del', `127.0.0.1:${bmpPort}`);
    await waitFor(async () => (await api('/api/v1/routers')).routers.find((x: any) => x.name === router).state === 'down', 90_000, 'the router to be down');
    const kept = (await api('/api/v1/routers')).routers.find((r: any) => r.name === router);
    // The server's own clock: when it saw the session end, and when it will flush.
    const downAt = Date.parse(kept.downSince);
    assert.equal(Date.parse(kept.flushAt) - downAt, KEEP_SECONDS * 1000, 'flush scheduled one keep time after the disconnect');
    assert.equal(kept.routes, before.routes, 'routes kept right after the disconnect');
    assert.equal(kept.bmp.messages.termination, 1, 'gobgp bmp del sends Termination');
    const sample = await api(`/api/v1/lookup?address=10.10.1.1&router=${router}`);
    assert.ok(sample.routes.every((r: any) => r.stale === true), 'kept routes are marked stale');
    await waitFor(async () => (await api('/api/v1/routers')).routers.find((r: any) => r.name === router).routes === 0, 90_000, 'the kept routes to be flushed');
    const flushedAfter = Date.now() - downAt;
    assert.ok(flushedAfter >= KEEP_SECONDS * 1000, `flushed ${flushedAfter} ms after the disconnect (keep ${KEEP_SECONDS} s)`);
    assert.equal(serve.exitCode, null, 'ribstore serve is still running');
  });
});
