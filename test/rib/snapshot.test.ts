/**
 * RIB snapshot files: a restore gives back every route of the moment the snapshot began
 * (random RIBs from the golden-model harness, and a RIB that changes while it is written);
 * restored routes are stale and flagged, and a reconnecting router replaces them; damaged
 * files are rejected naming the file and the section; the snapshot directory falls back
 * to the previous snapshot.
 */
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { RibstoreError } from '../../src/errors.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import type { PeerKey } from '../../src/rib/peer-registry.js';
import { Rib, type RibOptions } from '../../src/rib/rib.js';
import { SnapshotDirectory, snapshotFileName, snapshotFileTime } from '../../src/rib/snapshot-directory.js';
import { readRibSnapshot, restoreRibSnapshot } from '../../src/rib/snapshot-restore.js';
import { writeRibSnapshot } from '../../src/rib/snapshot-write.js';
import { readFileBytes } from '../../src/store/atomic-file.js';
import { decodeContainer, encodeContainer, sectionName } from '../../src/store/container.js';
import { PrefixTable } from '../../src/table/prefix-table.js';
import { Harness, RDS, opArb } from './support/random-ops.js';
import { decodeTestAttributes, makeAttributes, testBytes, testSummary } from './support/test-attributes.js';
import { withTempDir } from '../support/temp-dir.js';

const OPTIONS: RibOptions = { decodeAttributes: decodeTestAttributes, keepMs: 60_000 };

/** Every visible route through the public queries, without its stale/restored flags and the lostAt step that follows from them. */
function routesOf(rib: Rib, rds: readonly (string | null)[] = RDS): string[] {
  const out: string[] = [];
  for (const rd of rds) {
    const filter = rd === null ? {} : { rd };
    for (const root of ['0.0.0.0/0', '::/0']) {
      const top = rib.routes(root, filter);
      for (const p of [...(top ? [top] : []), ...rib.moreSpecifics(root, filter)]) {
        for (const { stale: _s, restored: _r, lostAt: _l, ...route } of p.routes) out.push(JSON.stringify([p.prefix, route]));
      }
    }
  }
  return out.sort();
}

const PEER: PeerKey = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 0xc0000201 };

/** A RIB of `n` IPv4 /24s and IPv6 /48s from `peers` peers of router r1, attributes shared modulo 97. */
function bigRib(n: number, peers: number): Rib {
  const rib = new Rib(OPTIONS);
  const summary = emptySummary();
  for (let p = 0; p < peers; p++) {
    const pv4 = rib.peerView({ router: 'r1', peer: { ...PEER, address: `192.0.2.${p + 1}` }, view: 'adj-rib-in-post', afi: 1, safi: 1 });
    const pv6 = rib.peerView({ router: 'r1', peer: { ...PEER, address: `192.0.2.${p + 1}` }, view: 'adj-rib-in-post', afi: 2, safi: 1 });
    for (let i = 0; i < n; i++) {
      const a = makeAttributes(64500 + (i % 97), 1 + (i % 4), p === 0 ? 200 : null, null, (i + p) % 97);
      const bytes = testBytes(a);
      const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(a, summary));
      rib.announceWords(pv4, 0, 4, (0x0a000000 + i * 256) >>> 0, 0, 0, 0, 24, 0, attr);
      rib.announceWords(pv6, 0, 6, 0x20010db8, (i << 16) >>> 0, 0, 0, 48, p, attr);
      rib.releaseAttributes(attr);
    }
  }
  return rib;
}

test('a restored RIB holds every route of random RIBs, stale and flagged restored', async () => {
  await withTempDir('snapshot', async (dir) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 80 }), async (ops) => {
        const h = new Harness(() => new PrefixTable());
        for (const op of ops) h.apply(op);
        const path = join(dir, `r${run++}.snap`);
        const report = await writeRibSnapshot(h.rib, path);
        const restored = await readRibSnapshot(path, OPTIONS);
        assert.deepEqual(routesOf(restored.rib), routesOf(h.rib));
        assert.equal(report.routes, h.rib.stats().routes);
        assert.equal(restored.routes, report.routes);
        assert.equal(restored.prefixes, report.prefixes);
        for (const r of restored.rib.routers()) assert.equal(r.state, 'down');
        for (const line of restored.rib.moreSpecifics('0.0.0.0/0')) for (const r of line.routes) assert.ok(r.stale && r.restored);
        assert.equal(restored.rib.stats().attributeSets, report.attributeSets, 'the restore holds no extra reference');
      }),
      { numRuns: 60 },
    );
  });
});

test('a snapshot written while the RIB changes holds the routes of the moment it began', async () => {
  await withTempDir('snapshot', async (dir) => {
    const rib = bigRib(20_000, 3);
    const before = routesOf(rib);
    const pv = rib.peerView({ router: 'r1', peer: { ...PEER, address: '192.0.2.2' }, view: 'adj-rib-in-post', afi: 1, safi: 1 });
    let writes = 0;
    let stop = false;
    const churn = (): void => {
      if (stop) return;
      // Withdraw and re-announce from the front and the back of the slot space, and flush a peer.
      for (let k = 0; k < 200; k++, writes++) {
        const i = (writes * 7919) % 20_000;
        rib.withdrawWords(pv, 0, 4, (0x0a000000 + i * 256) >>> 0, 0, 0, 0, 24, 0);
      }
      if (writes === 2000) rib.peerDown('r1', { ...PEER, address: '192.0.2.3' });
      rib.sweepStep(5000);
      setImmediate(churn);
    };
    setImmediate(churn);
    const report = await writeRibSnapshot(rib, join(dir, 'busy.snap'), { sliceMs: 0.2 });
    stop = true;
    assert.ok(writes > 0, 'writes ran during the snapshot');
    assert.notDeepEqual(routesOf(rib), before, 'the RIB changed');
    const restored = await readRibSnapshot(join(dir, 'busy.snap'), OPTIONS);
    assert.deepEqual(routesOf(restored.rib, [null]), before);
    assert.equal(report.routes, 120_000);
    assert.ok(report.sections > 4, `${report.sections} sections`);
  });
});

test('a reconnecting router replaces its restored routes; End-of-RIB sweeps the ones it did not re-announce', async () => {
  await withTempDir('snapshot', async (dir) => {
    const rib = bigRib(100, 1);
    await writeRibSnapshot(rib, join(dir, 'a.snap'));
    const { rib: back } = await readRibSnapshot(join(dir, 'a.snap'), OPTIONS);
    assert.equal(back.routers()[0]!.state, 'down');
    assert.ok(back.routers()[0]!.flushAt !== null, 'restored routes have a flush time');
    back.routerUp('r1');
    back.peerUp('r1', PEER);
    const pv = back.peerView({ router: 'r1', peer: PEER, view: 'adj-rib-in-post', afi: 1, safi: 1 });
    const a = makeAttributes(65000, 2, null, null, 1);
    const bytes = testBytes(a);
    const attr = back.internAttributes(bytes, 0, bytes.length, testSummary(a, emptySummary()));
    back.announce(pv, 0, parsePrefix('10.0.0.0/24'), 0, attr);
    back.releaseAttributes(attr);
    const now = back.routes('10.0.0.0/24')!.routes;
    assert.equal(now.length, 1, 'replaced, not added');
    assert.equal(now[0]!.stale, false);
    assert.equal(now[0]!.restored, false);
    assert.equal(back.routes('10.0.1.0/24')!.routes[0]!.restored, true, 'not yet re-announced: still there');
    back.endOfRib(pv);
    await back.sweep();
    assert.equal(back.routes('10.0.1.0/24'), undefined, 'swept at End-of-RIB');
    assert.equal(back.stats().routes, 1 + 100, 'the IPv6 routes wait for their own End-of-RIB or the keep time');
  });
});

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => restoreRibSnapshot(bytes, 'test.snap', OPTIONS),
    (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && e.message.startsWith('test.snap: ') && pattern.test(e.message),
  );
}

test('flipped bytes and truncation are rejected naming the file and the section', async () => {
  await withTempDir('snapshot', async (dir) => {
    await writeRibSnapshot(bigRib(2000, 2), join(dir, 'a.snap'));
    const good = await readFileBytes(join(dir, 'a.snap'));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bad = good.slice();
        bad[at]! ^= flip;
        rejects(bad, /checksum mismatch|bad magic|unknown format version|truncated|trailing bytes|section/);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), (length) => rejects(good.subarray(0, length), /truncated|header/)),
      { numRuns: 100 },
    );
    rejects(good.subarray(0, good.length - 1), /section \d+ of \d+ \((ATTR|SUMM)\).*truncated/);
  });
});

test('readRibSnapshot, which reads the file section by section, rejects damaged files as restoreRibSnapshot does', async () => {
  await withTempDir('snapshot', async (dir) => {
    const path = join(dir, 'a.snap');
    await writeRibSnapshot(bigRib(2000, 2), path);
    const good = await readFileBytes(path);
    assert.equal((await readRibSnapshot(path, OPTIONS)).routes, restoreRibSnapshot(good, path, OPTIONS).routes);
    const bad = join(dir, 'bad.snap');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (at, flip, cut) => {
        const bytes = cut ? good.subarray(0, at) : good.slice();
        if (!cut) bytes[at]! ^= flip;
        await writeFile(bad, bytes);
        rejects(bytes, /./);
        await assert.rejects(readRibSnapshot(bad, OPTIONS), (e: unknown) => e instanceof RibstoreError && e.code === 'FILE_ERROR' && e.message.startsWith(`${bad}: `));
      }),
      { numRuns: 100 },
    );
  });
});

test('a snapshot directory restores the newest intact file, reports the bad ones and keeps the last three', async () => {
  await withTempDir('snapshot', async (dir) => {
    let clock = Date.parse('2026-12-02T04:00:00Z');
    const snapshots = new SnapshotDirectory(dir, { now: () => clock });
    await snapshots.prepare();
    assert.equal(await snapshots.restoreNewest(OPTIONS, () => assert.fail('no file yet')), undefined);
    const sizes = [10, 20, 30, 40];
    for (const n of sizes) {
      await snapshots.write(bigRib(n, 1));
      clock += 60_000;
    }
    const files = await snapshots.list();
    assert.equal(files.length, 3, 'the oldest was deleted');
    assert.equal((await snapshots.restoreNewest(OPTIONS, () => assert.fail('all intact')))!.routes, 80);
    // Damage the newest: the one before is used and the damage reported.
    const newest = await readFileBytes(files[0]!);
    newest[newest.length - 8]! ^= 1;
    await writeFile(files[0]!, newest);
    const rejected: string[] = [];
    const back = await snapshots.restoreNewest(OPTIONS, (path, error) => rejected.push(`${path} ${error.message}`));
    assert.equal(back!.routes, 60);
    assert.equal(back!.path, files[1]);
    assert.equal(rejected.length, 1);
    assert.match(rejected[0]!, /rib-.*\.snap .*rib-.*\.snap: section \d+ of \d+ \(SUMM\).*checksum mismatch/);
    // A stray temp file from a crash is removed; the clock going back never reuses an older name.
    await writeFile(join(dir, `.${snapshotFileName(clock)}.tmp-1-abc`), 'partial');
    const later = new SnapshotDirectory(dir, { now: () => 0 });
    await later.prepare();
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), []);
    await later.write(bigRib(5, 1));
    assert.ok(snapshotFileTime((await later.list())[0]!.slice(dir.length + 1)) > snapshotFileTime(files[0]!.slice(dir.length + 1)));
  });
});

test('a file that is not a RIB snapshot is rejected with the reason', () => {
  rejects(new Uint8Array(0), /truncated header/);
  rejects(new TextEncoder().encode('RBSC but not really a snapshot file'), /checksum|version/);
});

test('an attribute length near 2^32 is rejected, not read past the section (a fuzz finding: it used to wrap and hang)', async () => {
  await withTempDir('snapshot', async (dir) => {
    await writeRibSnapshot(bigRib(3, 1), join(dir, 'a.snap'));
    const sections = decodeContainer(await readFileBytes(join(dir, 'a.snap')), 'a.snap');
    const attr = sections.find((s) => sectionName(s.id) === 'ATTR')!;
    const payload = attr.payload.slice();
    new DataView(payload.buffer).setUint32(4, 0xffffffff, true); // the first set's byte length
    const bytes = encodeContainer(sections.map((s) => (s === attr ? { id: s.id, payload } : s)));
    rejects(bytes, /ATTR #0\).*length 4294967295 runs past the section/);
  });
});

test('META viewRoutes sizes the peer-view route lists; without it, or claiming more than the file holds, the restore is the same; malformed, a FILE_ERROR', async () => {
  await withTempDir('snapshot', async (dir) => {
    await writeRibSnapshot(bigRib(300, 3), join(dir, 'a.snap'));
    const sections = decodeContainer(await readFileBytes(join(dir, 'a.snap')), 'a.snap');
    const metaSection = sections.find((s) => sectionName(s.id) === 'META')!;
    const meta = JSON.parse(new TextDecoder().decode(metaSection.payload)) as { viewRoutes?: unknown; peerViews: unknown[] };
    assert.deepEqual(meta.viewRoutes, [300, 300, 300, 300, 300, 300], 'routes per peer-view, as peerViews lists them');
    const withMeta = (viewRoutes: unknown): Uint8Array => {
      const text = new TextEncoder().encode(JSON.stringify({ ...meta, viewRoutes }));
      const payload = new Uint8Array((text.length + 3) & ~3).fill(0x20);
      payload.set(text);
      return encodeContainer(sections.map((s) => (s === metaSection ? { id: s.id, payload } : s)));
    };
    const unhinted = restoreRibSnapshot(withMeta(undefined), 'none.snap', OPTIONS).rib;
    const reference = routesOf(unhinted, [null]);
    const hinted = restoreRibSnapshot(withMeta(meta.viewRoutes), 'hinted.snap', OPTIONS).rib;
    assert.deepEqual(routesOf(hinted, [null]), reference);
    assert.ok(hinted.peerRoutes.byteLength < unhinted.peerRoutes.byteLength, 'lists sized once, not grown x1.5 past their size');
    const greedy = withMeta(meta.peerViews.map(() => 0xffffffff));
    assert.deepEqual(routesOf(restoreRibSnapshot(greedy, 'greedy.snap', OPTIONS).rib, [null]), reference, 'a hint past what the file holds is ignored');
    for (const bad of [[1, 2], meta.peerViews.map(() => -1), meta.peerViews.map(() => 'x'), 7]) rejects(withMeta(bad), /section META: viewRoutes is malformed/);
  });
});

test('a SUMM claiming more than the file holds reserves nothing and is a FILE_ERROR naming SUMM', async () => {
  await withTempDir('snapshot', async (dir) => {
    await writeRibSnapshot(bigRib(50, 2), join(dir, 'a.snap'));
    const sections = decodeContainer(await readFileBytes(join(dir, 'a.snap')), 'a.snap');
    const summ = sections.find((s) => sectionName(s.id) === 'SUMM')!;
    for (const word of [0, 1, 2]) {
      const payload = summ.payload.slice();
      new DataView(payload.buffer).setUint32(word * 4, 0x7fffffff, true); // prefixes, routes or attribute sets
      await writeFile(join(dir, 'big.snap'), encodeContainer(sections.map((s) => (s === summ ? { id: s.id, payload } : s))));
      const before = process.memoryUsage().rss;
      await assert.rejects(readRibSnapshot(join(dir, 'big.snap'), OPTIONS), (e: unknown) => e instanceof RibstoreError && /section SUMM: the file holds \d+ \w.*SUMM says 2147483647/.test(e.message));
      assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, 'no memory committed for what SUMM claims');
    }
  });
});

test('loadPrefix refuses a prefix that already has routes and leaves the RIB as it was', () => {
  const rib = bigRib(2, 1);
  const before = routesOf(rib, [null]);
  const pv = rib.peerView({ router: 'r1', peer: PEER, view: 'loc-rib', afi: 1, safi: 1 });
  const attr = rib.attributes.ids().next().value as number;
  assert.throws(() => rib.loadPrefix(0, 4, 0x0a000000, 0, 0, 0, 24, Uint32Array.of(pv, 0, attr), 1), /10\.0\.0\.0\/24 is loaded twice/);
  assert.deepEqual(routesOf(rib, [null]), before);
  assert.equal(rib.stats().prefixes, 4);
  rib.loadPrefix(0, 4, 0x0b000000, 0, 0, 0, 8, Uint32Array.of(pv, 0, attr), 1);
  assert.equal(rib.routes('11.0.0.0/8')!.routes.length, 1, 'the slot freed by the refusal is reusable');
});

test('snapshot: a bus replica\'s stream position is recorded with the routes and restored; files without one restore with null; a malformed one is a FILE_ERROR', async () => {
  await withTempDir('ribstore-snap-stream-', async (dir) => {
    const rib = new Rib();
    const position = { positions: { RIBSTORE_BMP: 1234 }, sessions: [{ router: '192.0.2.1', messages: ['AwAAAAYE'] }] };
    await writeRibSnapshot(rib, join(dir, 'with.rib'), { stream: () => position });
    assert.deepEqual((await readRibSnapshot(join(dir, 'with.rib'))).stream, position);
    await writeRibSnapshot(rib, join(dir, 'without.rib'));
    assert.equal((await readRibSnapshot(join(dir, 'without.rib'))).stream, null);
    for (const bad of [{ positions: { S: -1 }, sessions: [] }, { positions: {}, sessions: [{ router: 1, messages: [] }] }, { positions: null, sessions: [] }]) {
      await writeRibSnapshot(rib, join(dir, 'bad.rib'), { stream: () => bad as never });
      await assert.rejects(readRibSnapshot(join(dir, 'bad.rib')), (error: unknown) => error instanceof RibstoreError && error.code === 'FILE_ERROR' && /stream/.test(error.message));
    }
  });
});
