/**
 * GoBGP reconnect, live: a monitored gobgpd (test/support/gobgp.ts) sends BMP with
 * pre-policy, post-policy and Loc-RIB monitoring to an in-process service whose keep time is
 * an hour. The BMP session is removed, a route is withdrawn while the router is away, and
 * the session is added back: GoBGP re-sends its table (End-of-RIB for Adj-RIB-In, none for
 * Loc-RIB), and the withdrawn route must leave every view — Loc-RIB included — within
 * seconds (the Loc-RIB quiet period), not after the keep time; the covering live route
 * answers the lookup.
 *
 * Routers are named by address alone: GoBGP's configured BMP session and one added with
 * `gobgp bmp add` send different Initiation sysNames, which `auto` naming keeps apart as two
 * routers (router-identity.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Service } from '../../src/service/service.js';
import { type GobgpPair, freePortBlock, gobgpSkipReason, startGobgpPair, waitFor } from '../support/gobgp.js';
import { startTestService } from './support-service.js';

const COVER = '10.30.0.0/16';
const WITHDRAWN = '10.30.1.0/24';
const ROUTE_ARGS = ['nexthop', '192.0.2.10', 'aspath', '65100,65200'];

describe('GoBGP reconnect: withdrawn while away leaves every view after the re-send', { skip: gobgpSkipReason() }, () => {
  let service: Service;
  let pair: GobgpPair;
  let bmpTarget = '';

  before(async () => {
    service = await startTestService({ keepMs: 3_600_000, sessionHygiene: { locRibQuietMs: 2_000, routerIdFrom: 'address' } });
    bmpTarget = `127.0.0.1:${service.bmpPort}`;
    pair = await startGobgpPair({ portBase: await freePortBlock(4, 23000, 23999), bmpPort: service.bmpPort, bmpPolicy: 'all' });
    for (const prefix of [COVER, WITHDRAWN]) await pair.injector.cli('global', 'rib', '-a', 'ipv4', 'add', prefix, ...ROUTE_ARGS);
  });

  after(async () => {
    await pair?.stop();
    await service?.close();
  });

  /** The views holding `prefix` in the RIB, flagged when stale, sorted. */
  const views = (prefix: string): string[] => (service.rib.routes(prefix)?.routes ?? []).map((r) => `${r.view}${r.stale ? ' (stale)' : ''}`).sort();
  const connected = (): boolean => [...service.collector.routers.values()].some((r) => r.state === 'connected');

  test('the withdrawn route leaves Adj-RIB-In and Loc-RIB within seconds of the re-send', async () => {
    const live = ['adj-rib-in-post', 'adj-rib-in-pre', 'loc-rib'];
    await waitFor(() => views(WITHDRAWN).join() === live.join() && views(COVER).join() === live.join(), 90_000, `${WITHDRAWN} and ${COVER} in every view`);
    await pair.router.cli('bmp', 'del', bmpTarget);
    await waitFor(() => !connected(), 30_000, 'the BMP session to end');
    await pair.injector.cli('global', 'rib', '-a', 'ipv4', 'del', WITHDRAWN);
    await waitFor(async () => !(await pair.router.cli('global', 'rib', '-a', 'ipv4')).includes(WITHDRAWN), 30_000, `${WITHDRAWN} to leave the router's own RIB`);
    assert.deepEqual(views(WITHDRAWN), live.map((v) => `${v} (stale)`), 'kept stale while the router is away');

    await pair.router.cli('bmp', 'add', bmpTarget, 'all');
    await waitFor(() => connected() && views(COVER).join() === live.join(), 60_000, `${COVER} re-sent in every view`).catch((error: Error) => {
      throw new Error(`${error.message}; connected ${connected()}, ${COVER} in ${JSON.stringify(service.rib.routes(COVER)?.routes.map((r) => [r.router, r.view, r.stale, r.peer]))} routers ${[...service.collector.routers.keys()]}`);
    });
    const resentAt = Date.now();
    await waitFor(() => views(WITHDRAWN).length === 0, 30_000, `${WITHDRAWN} to be swept from every view`);
    const sweptAfter = Date.now() - resentAt;
    assert.ok(sweptAfter < 30_000, `swept ${sweptAfter} ms after the re-send (keep time 1 h)`);
    const answer = service.rib.lookup('10.30.1.5', { stale: 'include' });
    assert.equal(answer?.prefix, COVER);
    assert.ok(answer.routes.every((r) => !r.stale), 'the live cover answers, nothing stale left');
  });
});
