/**
 * Route ages: every route's receivedAt (first seen) and changedAt (last attribute change), on an
 * injected clock. First seen, identical re-announcement, attribute change, withdraw and
 * announce again, stale marking and replacement across a reconnect; carried through snapshot
 * files (and a version 1 file, which had no ages, restores with them unknown); through an MRT
 * export (originated time = changedAt) and a load of that dump (both ages = originated time);
 * BGP4MP update records loaded from a file stamp the routes with the records' times.
 * The random-operation golden tests (rib-golden, snapshot) model ages too.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { RibstoreError } from '../../src/errors.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { exportMrt } from '../../src/collector/mrt-export.js';
import { loadMrtFiles } from '../../src/collector/mrt-loader.js';
import type { PeerKey } from '../../src/rib/peer-registry.js';
import { Rib, type PeerViewKey } from '../../src/rib/rib.js';
import { META, ROUT, SNAPSHOT_VERSION, payloadWords, wordsToLittleEndian } from '../../src/rib/snapshot-format.js';
import { readRibSnapshot, restoreRibSnapshot } from '../../src/rib/snapshot-restore.js';
import { writeRibSnapshot } from '../../src/rib/snapshot-write.js';
import { readFileBytes } from '../../src/store/atomic-file.js';
import { decodeContainer, encodeContainer } from '../../src/store/container.js';
import { expectedRoutes, fixtureRib } from '../collector/export-fixture.js';
import { withTempDir } from '../support/temp-dir.js';
import { concatMrt, encodeMrtRecord } from '../../src/wire/mrt/encode.js';
import { sampleRecords } from '../wire/mrt/samples.js';
import { decodeTestAttributes, makeAttributes, testBytes, testSummary } from './support/test-attributes.js';

const PEER: PeerKey = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 0xc0000201 };
const KEY: PeerViewKey = { router: 'r1', peer: PEER, view: 'adj-rib-in-post', afi: 1, safi: 1 };
const T0 = 1_700_000_000;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** A RIB on a clock the test sets (seconds), and announce/withdraw of one attribute set number. */
function setup(): { rib: Rib; at: (seconds: number) => void; announce: (prefix: string, attrs: number) => void; withdraw: (prefix: string) => void; ages: (prefix: string) => [string | null, string | null][] } {
  let now = T0 * 1000;
  const rib = new Rib({ decodeAttributes: decodeTestAttributes, keepMs: 600_000, now: () => now });
  const summary = emptySummary();
  return {
    rib,
    at: (seconds) => {
      now = seconds * 1000 + 999; // whole seconds: the fraction is dropped
    },
    announce: (prefix, n) => {
      const a = makeAttributes(64500 + n, 2, null, null, n);
      const bytes = testBytes(a);
      const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(a, summary));
      rib.announce(rib.peerView(KEY), 0, parsePrefix(prefix), 0, attr);
      rib.releaseAttributes(attr);
    },
    withdraw: (prefix) => {
      rib.withdraw(rib.peerView(KEY), 0, parsePrefix(prefix), 0);
    },
    ages: (prefix) => (rib.routes(prefix)?.routes ?? []).map((r) => [r.receivedAt, r.changedAt]),
  };
}

test('first seen, identical re-announcement, attribute change, withdraw and announce again', () => {
  const { at, announce, withdraw, ages, rib } = setup();
  at(T0);
  announce('10.0.0.0/24', 1);
  assert.deepEqual(ages('10.0.0.0/24'), [[iso(T0), iso(T0)]], 'first seen: both times are now');
  at(T0 + 10);
  announce('10.0.0.0/24', 1);
  assert.deepEqual(ages('10.0.0.0/24'), [[iso(T0), iso(T0)]], 'identical re-announcement keeps both');
  at(T0 + 20);
  announce('10.0.0.0/24', 2);
  assert.deepEqual(ages('10.0.0.0/24'), [[iso(T0), iso(T0 + 20)]], 'attribute change: changedAt only');
  at(T0 + 30);
  announce('10.0.0.0/24', 2);
  assert.deepEqual(ages('10.0.0.0/24'), [[iso(T0), iso(T0 + 20)]]);
  // A second route on the prefix (another peer) ranks around it: the ages move with the entries.
  const other = rib.peerView({ ...KEY, peer: { ...PEER, address: '192.0.2.2' } });
  const bytes = testBytes(makeAttributes(64999, 1, 500, null, 7));
  const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(makeAttributes(64999, 1, 500, null, 7), emptySummary()));
  at(T0 + 35);
  rib.announce(other, 0, parsePrefix('10.0.0.0/24'), 0, attr);
  rib.releaseAttributes(attr);
  const both = rib.routes('10.0.0.0/24')!.routes.map((r) => [r.peer.address, r.receivedAt, r.changedAt]);
  assert.deepEqual(both, [
    ['192.0.2.2', iso(T0 + 35), iso(T0 + 35)],
    ['192.0.2.1', iso(T0), iso(T0 + 20)],
  ], 'the better route went first; each keeps its own times');
  at(T0 + 40);
  withdraw('10.0.0.0/24');
  at(T0 + 50);
  announce('10.0.0.0/24', 2);
  assert.deepEqual(ages('10.0.0.0/24').slice(-1), [[iso(T0 + 50), iso(T0 + 50)]], 'withdrawn and announced again: a new route');
  // The route handle accessors give the same numbers.
  const handle = rib.bestRouteV4(parsePrefix('10.0.0.0/24').w0);
  assert.equal(rib.entryReceivedAt(handle), T0 + 35);
  assert.equal(rib.entryChangedAt(handle), T0 + 35);
});

test('stale marking keeps the ages; a reconnecting router re-announcing keeps receivedAt', async () => {
  const { at, announce, ages, rib } = setup();
  at(T0);
  announce('10.0.1.0/24', 1);
  announce('10.0.2.0/24', 1);
  at(T0 + 5);
  rib.routerDown('r1');
  assert.deepEqual(rib.routes('10.0.1.0/24')!.routes.map((r) => r.stale), [true]);
  assert.deepEqual(ages('10.0.1.0/24'), [[iso(T0), iso(T0)]], 'stale routes keep their times');
  at(T0 + 60);
  rib.routerUp('r1');
  announce('10.0.1.0/24', 1);
  announce('10.0.2.0/24', 3);
  assert.deepEqual(rib.routes('10.0.1.0/24')!.routes.map((r) => r.stale), [false]);
  assert.deepEqual(ages('10.0.1.0/24'), [[iso(T0), iso(T0)]], 're-sent unchanged after the reconnect: both kept');
  assert.deepEqual(ages('10.0.2.0/24'), [[iso(T0), iso(T0 + 60)]], 're-sent with other attributes: changedAt only');
});

test('snapshot round trip keeps the ages; a version 1 file restores with them unknown; an unknown version is a FILE_ERROR', async () => {
  await withTempDir('route-ages', async (dir) => {
    const { at, announce, ages, rib } = setup();
    at(T0);
    announce('10.0.1.0/24', 1);
    at(T0 + 7);
    announce('10.0.1.0/24', 2);
    announce('10.0.2.0/24', 1);
    const path = join(dir, 'v2.snap');
    await writeRibSnapshot(rib, path);
    const restored = await readRibSnapshot(path, { decodeAttributes: decodeTestAttributes });
    for (const p of ['10.0.1.0/24', '10.0.2.0/24']) assert.deepEqual(restored.rib.routes(p)!.routes.map((r) => [r.receivedAt, r.changedAt]), ages(p));
    assert.deepEqual(ages('10.0.1.0/24'), [[iso(T0), iso(T0 + 7)]]);

    // The same file as version 1 wrote it: META version 1, routes of 3 words (no ages).
    const sections = decodeContainer(await readFileBytes(path), path);
    const v1 = sections.map((s) => {
      if (s.id === META) {
        const meta = JSON.parse(new TextDecoder().decode(s.payload)) as { version: number };
        assert.equal(meta.version, SNAPSHOT_VERSION);
        meta.version = 1;
        const text = JSON.stringify(meta);
        return { id: s.id, payload: new TextEncoder().encode(text.padEnd(Math.ceil(text.length / 4) * 4, ' ')) };
      }
      if (s.id !== ROUT) return s;
      const words = payloadWords(s.payload);
      const out: number[] = [];
      for (let at = 0; at < words.length; ) {
        const keyWords = words[at]! & 256 ? 4 : 1;
        const count = words[at + 1 + keyWords]!;
        for (let i = 0; i < 2 + keyWords; i++) out.push(words[at + i]!);
        at += 2 + keyWords;
        for (let i = 0; i < count; i++, at += 5) out.push(words[at]!, words[at + 1]!, words[at + 2]!);
      }
      const payload = new Uint8Array(Uint32Array.from(out).buffer);
      wordsToLittleEndian(payload);
      return { id: s.id, payload };
    });
    const old = restoreRibSnapshot(encodeContainer(v1), 'v1.snap', { decodeAttributes: decodeTestAttributes });
    assert.equal(old.routes, 2);
    const routes = old.rib.routes('10.0.1.0/24')!.routes;
    assert.deepEqual(routes.map((r) => [r.receivedAt, r.changedAt, r.asPath]), [[null, null, restored.rib.routes('10.0.1.0/24')!.routes[0]!.asPath]], 'version 1: same routes, ages unknown');

    // A version this code does not know.
    const v9 = sections.map((s) => {
      if (s.id !== META) return s;
      const text = new TextDecoder().decode(s.payload).replace(`"version":${SNAPSHOT_VERSION}`, '"version":9');
      return { id: s.id, payload: new TextEncoder().encode(text) };
    });
    assert.throws(
      () => restoreRibSnapshot(encodeContainer(v9), 'v9.snap'),
      (error: unknown) => error instanceof RibstoreError && error.code === 'FILE_ERROR' && /v9\.snap: section META: unknown snapshot version 9 \(this ribstore reads versions 1 to 2\)/.test(error.message),
    );
  });
});

test('MRT export writes changedAt as the originated time; loading the dump gives both ages that time', async () => {
  await withTempDir('route-ages-mrt', async (dir) => {
    const rib = fixtureRib();
    const chunks: Uint8Array[] = [];
    await exportMrt(rib, (chunk) => {
      chunks.push(chunk);
    }, { router: '192.0.2.254', view: 'adj-rib-in-post', now: 1_700_000_000_000 });
    const file = join(dir, 'export.mrt');
    await writeFile(file, Buffer.concat(chunks));
    const loaded = new Rib({ now: () => 1_750_000_000_000 });
    await loadMrtFiles(loaded, [file], { router: 'dump' });
    const expected = expectedRoutes(rib, { router: '192.0.2.254', view: 'adj-rib-in-post' });
    assert.ok(expected.length >= 8);
    assert.ok(expected.some(({ route }) => route.receivedAt !== route.changedAt), 'the fixture has a route whose attributes changed');
    for (const { prefix, route } of expected) {
      const got = loaded.routes(prefix)!.routes.find((r) => r.peer.address === route.peer.address && r.pathId === route.pathId);
      assert.ok(got, `${prefix} from ${route.peer.address} loaded`);
      assert.equal(got.receivedAt, route.changedAt, `${prefix}: receivedAt = the originated time = changedAt`);
      assert.equal(got.changedAt, route.changedAt);
    }
  });
});

test('BGP4MP updates loaded from a file: first seen at the first record announcing the route, changed at the record that changed it', async () => {
  await withTempDir('route-ages-bgp4mp', async (dir) => {
    // The sample file's received UPDATEs, 10 s apart: 203.0.113.0/24 from 192.0.2.1 is announced
    // by the first and again with other attributes (no AGGREGATOR, 2-octet AS) by the second.
    const records = sampleRecords()
      .filter((r) => r.kind === 'bgp4mp-message' && !r.local)
      .map((r, i) => ({ ...r, header: { ...r.header, timestamp: T0 + 10 * i } }));
    const file = join(dir, 'updates.mrt');
    await writeFile(file, concatMrt(records.map(encodeMrtRecord)));
    const rib = new Rib({ now: () => 1_750_000_000_000 });
    await loadMrtFiles(rib, [file]);
    const route = rib.routes('203.0.113.0/24')!.routes.find((r) => r.peer.address === '192.0.2.1' && r.pathId === 0)!;
    assert.deepEqual([route.receivedAt, route.changedAt], [iso(T0), iso(T0 + 10)]);
    // The clock is back in charge after the load.
    const pv = rib.peerView(KEY);
    const bytes = testBytes(makeAttributes(64500, 1, null, null, 1));
    const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(makeAttributes(64500, 1, null, null, 1), emptySummary()));
    rib.announce(pv, 0, parsePrefix('10.9.0.0/16'), 0, attr);
    rib.releaseAttributes(attr);
    assert.equal(rib.replayTime, -1);
    assert.equal(rib.entryReceivedAt(rib.bestRouteV4(parsePrefix('10.9.0.0/16').w0)), 1_750_000_000);
  });
});

test('a held clock is read once: routes written during a hold share its first stamp, nested holds included', () => {
  const { rib, at, announce, ages } = setup();
  at(T0);
  rib.holdClock();
  rib.holdClock();
  announce('10.0.0.0/8', 1);
  at(T0 + 5);
  announce('10.1.0.0/16', 1);
  announce('10.0.0.0/8', 2);
  rib.releaseClock();
  announce('10.2.0.0/16', 1);
  rib.releaseClock();
  announce('10.3.0.0/16', 1);
  assert.deepEqual(ages('10.0.0.0/8'), [[iso(T0), iso(T0)]]);
  assert.deepEqual(ages('10.1.0.0/16'), [[iso(T0), iso(T0)]]);
  assert.deepEqual(ages('10.2.0.0/16'), [[iso(T0), iso(T0)]]);
  assert.deepEqual(ages('10.3.0.0/16'), [[iso(T0 + 5), iso(T0 + 5)]]);
  // The next hold reads the clock again; an extra release is harmless.
  rib.releaseClock();
  at(T0 + 9);
  rib.holdClock();
  announce('10.4.0.0/16', 1);
  rib.releaseClock();
  assert.deepEqual(ages('10.4.0.0/16'), [[iso(T0 + 9), iso(T0 + 9)]]);
});
