/**
 * Differential test of the ingest fast path: a BMP stream of real routes (real attribute sets
 * from ../shared/data/mrt) goes once through a running service over TCP (framing in place,
 * Route Monitoring read without the message model (applyRouteMonitoringAt), the session's
 * walkUpdateAt, the attribute-block cache, RouteFeed, the RIB's word-level inserts)
 * and once through the plain decoder (`BmpSession.decodeUpdate`, one object per route, then
 * `applyUpdate`). The two RIBs must hold the same routes, route for route, with the same
 * canonical attribute bytes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildBmpStream } from '../../bench/support/bmp-stream.js';
import { AS3856_DUMP, RIB_DUMP, type RealRoutes, loadAs3856Table, loadRibPeers } from '../../bench/support/real-routes.js';
import { viewOf } from '../../src/collector/bmp-collector.js';
import { Prefix } from '../../src/ip/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { applyUpdate } from '../../src/rib/update-ingest.js';
import { decodeBmpMessage } from '../../src/wire/bmp/decode.js';
import { BmpFramer } from '../../src/wire/bmp/framer.js';
import { BmpSession } from '../../src/wire/bmp/session.js';
import { replay } from '../e2e/bmp-replay.js';
import { startTestService, waitFor } from '../e2e/support-service.js';
import { skipUnlessShared } from '../support/shared-data.js';

const skip = skipUnlessShared(AS3856_DUMP) || skipUnlessShared(RIB_DUMP);
const ROUTER = '127.0.0.1';

/** Every visible route of `rib` as one line: table, prefix, router, peer, view, family, path id, attribute bytes. */
function dump(rib: Rib): string[] {
  const freeze = rib.freeze();
  const lines: string[] = [];
  try {
    freeze.read(Infinity, (table, family, w0, w1, w2, w3, length, routes, count) => {
      const prefix = new Prefix(family, w0, w1, w2, w3, length).toString();
      for (let i = 0; i < count; i++) {
        const pv = routes[i * 3]!;
        const peer = freeze.peers[freeze.pvPeer[pv]!]!;
        const bytes = Buffer.from(freeze.attributeBytes(routes[i * 3 + 2]!)).toString('hex');
        lines.push(`${freeze.tables[table]}|${prefix}|${freeze.routers[peer.router]!.name}|${peer.address}|${peer.asn}|${peer.bgpId}|${freeze.pvView[pv]}|${freeze.pvAfi[pv]}/${freeze.pvSafi[pv]}|${routes[i * 3 + 1]}|${bytes}`);
      }
    });
  } finally {
    freeze.release();
  }
  return lines.sort();
}

/** The plain path: every UPDATE decoded into objects, applied with `applyUpdate`. */
function plainRib(bytes: Uint8Array): Rib {
  const rib = new Rib({ keepMs: 3_600_000 });
  const session = new BmpSession();
  const framer = new BmpFramer();
  for (const frame of framer.push(bytes)) {
    const message = decodeBmpMessage(frame.bytes, frame.offset);
    if (message.kind === 'initiation') rib.routerUp(ROUTER);
    if (message.kind !== 'routeMonitoring') {
      session.receive(message, frame.offset);
      continue;
    }
    const h = message.peer;
    const peer = { type: h.peerType, distinguisher: '0:0', address: h.address.toString(), asn: h.peerAs, bgpId: h.bgpId };
    applyUpdate(rib, { router: ROUTER, peer, view: viewOf(h) }, session.decodeUpdate(message));
  }
  return rib;
}

/** Ingest `bytes` through a running service over TCP; resolves with the RIB's dump. */
async function fastPathDump(bytes: Uint8Array, chunkSize?: number): Promise<string[]> {
  const service = await startTestService({ keepMs: 3_600_000 });
  try {
    await replay(bytes, service.bmpPort, ROUTER, chunkSize);
    await waitFor('the session to be processed and closed', () => service.collector.routers.get(ROUTER)?.state === 'disconnected');
    assert.equal(service.collector.totals.errors.update, 0, 'no UPDATE skipped');
    return dump(service.rib);
  } finally {
    await service.close();
  }
}

/** The first `limit` routes of every peer. */
function firstRoutes(routes: RealRoutes, limit: number): RealRoutes {
  return { ...routes, peers: routes.peers.map((p) => ({ ...p, prefixes: p.prefixes.slice(0, limit), sets: p.sets.slice(0, limit) })) };
}

describe('ingest differential: fast path over TCP vs decodeUpdate + applyUpdate', { skip }, () => {
  const cases: [string, () => Promise<{ routes: RealRoutes; packing: 'one' | 'packed'; chunkSize?: number }>][] = [
    ['AS3856 IPv4 table (first 30,000), one prefix per UPDATE', async () => ({ routes: await loadAs3856Table(30_000), packing: 'one' })],
    ['AS3856 IPv4 table (first 30,000), packed by attribute set', async () => ({ routes: await loadAs3856Table(30_000), packing: 'packed' })],
    // Writes of 997 bytes: many messages arrive split across receive buffers (the framer's
    // carry-over buffer), the rest are read in place at odd positions of a buffer.
    ['AS3856 IPv4 table (first 10,000), one prefix per UPDATE, sent in 997-byte writes', async () => ({ routes: await loadAs3856Table(10_000), packing: 'one', chunkSize: 997 })],
    ['rib.bz2, 27 IPv6 peers (first 1,500 routes each), one prefix per UPDATE', async () => ({ routes: firstRoutes(await loadRibPeers(), 1_500), packing: 'one' })],
  ];
  for (const [name, load] of cases) {
    test(name, async () => {
      const { routes, packing, chunkSize } = await load();
      const stream = buildBmpStream(routes, packing);
      const expected = dump(plainRib(stream.bytes));
      assert.equal(expected.length, stream.routes, 'the plain path keeps every route');
      const actual = await fastPathDump(stream.bytes, chunkSize);
      assert.equal(actual.length, expected.length);
      for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) assert.equal(actual[i], expected[i], `route ${i} differs`);
    });
  }
});
