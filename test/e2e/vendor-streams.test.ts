/**
 * Vendor streams end to end: every ../shared/data/bmp/**\/*.bmp is replayed over TCP into a
 * running service, each from its own loopback source address (so each file is its own router),
 * and the API's per-peer, per-view route counts must equal an independent count computed from
 * the decoded stream (bmp-replay.ts). The unicast announcement totals are cross-checked with the
 * numbers SOURCES.md gives, and Loc-RIB / RD-instance peers must show up as their own peers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Service } from '../../src/service/service.js';
import { sharedData, skipUnlessShared, vendorBmpStreams } from '../support/shared-data.js';
import { BMP_STAT_TYPE_NAMES, bmpPeerDownReasonName } from '../../src/wire/bmp/names.js';
import { goldenCounts, replay } from './bmp-replay.js';
import { apiCounts, getJson, startTestService, waitFor } from './support-service.js';

const skip = skipUnlessShared('bmp', 'SOURCES.md');


/** Unicast announcements SOURCES.md gives for each pcap folder (its table of pcaps). */
const SOURCES_UNICAST: Record<string, number> = {
  '200-BMP-HUAWEI-locrib_instance': 5,
  '201-BMP-CISCO-rd_instance': 235,
  '204-BMP-CISCO-peer_down': 49,
  '205-BMP-6wind-FRR-peer_down': 142,
  '403-IPFIXv10-BMP-IPv6-CISCO-locrib-peerdown-vrf': 736,
};

describe('vendor BMP streams replayed into ribstore serve', { skip }, () => {
  let service: Service;
  const files = skip ? [] : vendorBmpStreams().map((name) => sharedData('bmp', name));

  before(async () => {
    service = await startTestService({ keepMs: 3_600_000 });
  });
  after(() => service?.close());

  test('SOURCES.md unicast announcement counts match the decoded streams', () => {
    for (const [folder, expected] of Object.entries(SOURCES_UNICAST)) {
      const file = files.find((f) => f.includes(`/${folder}/`))!;
      assert.equal(goldenCounts(readFileSync(file)).unicastAnnouncements, expected, folder);
    }
  });

  test('every file: per-peer, per-view route counts equal the decoded stream', async () => {
    assert.ok(files.length >= 19, `found ${files.length} .bmp files`);
    const routers: { router: string; file: string; expected: Map<string, Map<string, number>> }[] = [];
    await Promise.all(
      files.map(async (file, i) => {
        const router = `127.0.1.${i + 1}`;
        const bytes = readFileSync(file);
        routers.push({ router, file, expected: goldenCounts(bytes).perPeer });
        await replay(bytes, service.bmpPort, router, 4096);
      }),
    );
    for (const { router, file, expected } of routers) {
      // The session is over once the collector has processed every byte and closed it.
      await waitFor(`${router} to be closed`, () => service.collector.routers.get(router)?.state === 'disconnected');
      const actual = await apiCounts(service, router);
      const name = relative(sharedData('bmp'), file);
      assert.deepEqual(
        [...actual].map(([peer, views]) => [peer, Object.fromEntries(views)]).sort(),
        [...expected].map(([peer, views]) => [peer, Object.fromEntries(views)]).sort(),
        name,
      );
      const bmp = service.collector.routers.get(router)!;
      assert.equal(bmp.lastError, null, `${name} closed without error`);
    }
    const { body } = await getJson(service, '/api/v1/stats');
    assert.equal(body.collector.errors.decode, 0);
    assert.equal(body.collector.sessionsAccepted, files.length);
  });

  test('Loc-RIB and RD-instance peers are kept apart from global peers', async () => {
    const find = (folder: string): string => `127.0.1.${files.findIndex((f) => f.includes(`/${folder}/`)) + 1}`;
    const locrib = await getJson(service, `/api/v1/routers/${find('403-IPFIXv10-BMP-IPv6-CISCO-locrib-peerdown-vrf')}/peers`);
    const types403 = new Set(locrib.body.peers.map((p: any) => p.type));
    assert.ok(types403.has('loc-rib'), 'the IOS XR stream has a Loc-RIB peer');
    for (const peer of locrib.body.peers.filter((p: any) => p.type === 'loc-rib')) {
      assert.equal(peer.address, '0.0.0.0');
      assert.deepEqual(Object.keys(peer.routes).filter((v) => peer.routes[v] > 0 && v !== 'loc-rib'), [], 'Loc-RIB routes only in the loc-rib view');
    }
    const rd = await getJson(service, `/api/v1/routers/${find('201-BMP-CISCO-rd_instance')}/peers`);
    const rdPeers = rd.body.peers.filter((p: any) => p.type === 'rd-instance');
    assert.ok(rdPeers.length > 0, 'the rd_instance stream has RD-instance peers');
    assert.ok(rdPeers.every((p: any) => p.distinguisher !== '0:0'), 'RD-instance peers carry their distinguisher');
  });

  test('Peer Down reasons and Statistics Report keys of real routers are names', async () => {
    const reasons: { name: string; code: number }[] = [];
    const statKeys = new Set<string>();
    for (let i = 1; i <= files.length; i++) {
      const { body } = await getJson(service, `/api/v1/routers/127.0.1.${i}/peers`);
      for (const peer of body.peers) {
        if (peer.bmp?.lastDownReason) reasons.push(peer.bmp.lastDownReason);
        for (const key of Object.keys(peer.bmp?.stats ?? {})) statKeys.add(key);
      }
    }
    // The peer_down captures (Cisco, FRR, IOS XR Loc-RIB) end sessions with reasons 3, 4 and 6;
    // a vendor stat type (65531 in these captures) shows as unknown-N rather than vanishing.
    assert.ok(reasons.length >= 3, `peers with a Peer Down: ${reasons.length}`);
    for (const reason of reasons) {
      assert.equal(reason.name, bmpPeerDownReasonName(reason.code));
      assert.doesNotMatch(reason.name, /^unknown-/, `registered reason code ${reason.code}`);
    }
    const names = new Set(Object.values(BMP_STAT_TYPE_NAMES).map((t) => t.name));
    assert.ok(statKeys.size > 0, 'the captures carry Statistics Reports');
    for (const key of statKeys) assert.ok(names.has(key.split('/')[0]!) || /^unknown-\d+(\/|$)/.test(key), key);
  });
});
