/**
 * Persistence end to end, with `ribstore serve --data-dir` as a child process:
 *  - SIGTERM writes a snapshot; a restart restores every route (stale, flagged restored); a
 *    restart with the same MRT file replaces them;
 *  - SIGKILL while snapshots are being written, many times (half the kills the moment a
 *    snapshot's temp file appears, so they land mid-write however fast the machine is; half
 *    at random moments): every restart restores the last complete snapshot, never a
 *    half-written one, and never crash-loops;
 *  - a damaged newest snapshot is reported (file, section, reason) and the previous one used;
 *    a directory of nothing but damaged files starts an empty RIB;
 *  - route ages: routes from a BMP session (stamped by the clock) and from an MRT dump (its
 *    originated times) show the same receivedAt / changedAt through the API after a restart;
 *  - ../shared/data/mrt/rib.bz2 survives snapshot and restore route for route.
 */
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMrtFiles } from '../../src/collector/mrt-loader.js';
import { Prefix } from '../../src/ip/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import type { PrefixRoutesJson } from '../../src/rib/route-json.js';
import { readRibSnapshot } from '../../src/rib/snapshot-restore.js';
import { writeRibSnapshot } from '../../src/rib/snapshot-write.js';
import { readFileBytes } from '../../src/store/atomic-file.js';
import { generatedRibDump } from '../support/generated-mrt.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';
import { EXPECTED, syntheticStream } from '../api/synthetic-router.js';
import { replay } from './bmp-replay.js';
import { waitFor } from './support-service.js';
import { withTempDir } from '../support/temp-dir.js';
import { ServeChild } from '../support/serve-child.js';

/** Every route through the API, one JSON string each without the stale/restored flags, sorted. */
async function routesOf(serve: ServeChild): Promise<string[]> {
  const out: string[] = [];
  for (const root of ['0.0.0.0/0', '::/0']) {
    let cursor = '';
    do {
      const page = await serve.get<{ prefixes: PrefixRoutesJson[]; nextCursor: string | null }>(
        `/api/v1/routes?prefix=${encodeURIComponent(root)}&match=more-specifics&limit=10000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const p of page.prefixes) for (const { stale: _s, restored: _r, lostAt: _l, ...route } of p.routes) out.push(JSON.stringify([p.prefix, route]));
      cursor = page.nextCursor ?? '';
    } while (cursor !== '');
  }
  return out.sort();
}

/** Every route of a RIB read through a freeze: one line per route, sorted. */
function frozenRoutes(rib: Rib): string[] {
  const f = rib.freeze();
  const out: string[] = [];
  try {
    while (
      f.read(1 << 16, (table, family, w0, w1, w2, w3, length, routes, count) => {
        const prefix = `${f.tables[table]} ${new Prefix(family, w0, w1, w2, w3, length)}`;
        for (let i = 0; i < count; i++) {
          const pv = routes[i * 3]!;
          const peer = f.peers[f.pvPeer[pv]!]!;
          const attrs = Buffer.from(f.attributeBytes(routes[i * 3 + 2]!)).toString('hex');
          out.push(`${prefix} ${f.routers[peer.router]!.name} ${peer.address} ${peer.asn} ${f.pvView[pv]} ${f.pvAfi[pv]}/${f.pvSafi[pv]} ${routes[i * 3 + 1]} ${attrs}`);
        }
      })
    );
  } finally {
    f.release();
  }
  return out.sort();
}

const snapshotFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => n.endsWith('.snap')).sort();

test('serve --data-dir: SIGTERM writes a snapshot, a restart restores every route, the same MRT file replaces them', async () => {
  await withTempDir('persist', async (dir) => {
    const mrt = join(dir, 'table.mrt');
    await writeFile(mrt, generatedRibDump({ prefixes: 2000, peers: 3 }));
    const data = join(dir, 'data');
    const first = await ServeChild.start(['--mrt', mrt, '--data-dir', data, '--snapshot-interval', '0']);
    const loaded = await routesOf(first);
    assert.equal(loaded.length, 2500 * 3);
    assert.equal(await first.stop(), 0);
    assert.equal((await snapshotFiles(data)).length, 1, 'one snapshot written at SIGTERM');

    const second = await ServeChild.start(['--data-dir', data, '--snapshot-interval', '0', '--keep', '1h']);
    const restoredLog = second.logs.find((l) => l.msg === 'RIB restored from snapshot');
    assert.ok(restoredLog, 'the restore is logged');
    assert.equal(restoredLog.routes, 7500);
    assert.deepEqual(await routesOf(second), loaded, 'every route is back');
    const one = await second.get<{ routes: { stale: boolean; restored: boolean }[] }>('/api/v1/lookup?address=10.0.7.1');
    assert.ok(one.routes.every((r) => r.stale && r.restored), 'restored routes are stale and flagged');
    const routers = await second.get<{ routers: { name: string; state: string; flushAt: string | null }[] }>('/api/v1/routers');
    assert.equal(routers.routers[0]!.state, 'down');
    assert.ok(routers.routers[0]!.flushAt !== null, 'kept for the keep time');
    const stats = await second.get<{ snapshots: { restored: { routes: number } } }>('/api/v1/stats');
    assert.equal(stats.snapshots.restored.routes, 7500);
    assert.equal(await second.stop('SIGINT'), 0);
    assert.equal((await snapshotFiles(data)).length, 2, 'SIGINT wrote another');

    const third = await ServeChild.start(['--mrt', mrt, '--data-dir', data, '--snapshot-interval', '0']);
    assert.deepEqual(await routesOf(third), loaded);
    const fresh = await third.get<{ routes: { stale: boolean; restored: boolean }[] }>('/api/v1/lookup?address=10.0.7.1');
    assert.ok(fresh.routes.every((r) => !r.stale && !r.restored), 'the MRT file replaced the restored routes');
    assert.match(await (await fetch(`${third.url}/metrics`)).text(), /ribstore_snapshot_restored_routes 7500/);
    assert.equal(await third.stop(), 0);
  });
});

test('route ages across a restart: the API shows the same receivedAt / changedAt before and after', async () => {
  await withTempDir('persist-ages', async (dir) => {
    const mrt = join(dir, 'table.mrt');
    await writeFile(mrt, generatedRibDump({ prefixes: 300, peers: 2 }));
    const data = join(dir, 'data');
    const first = await ServeChild.start(['--mrt', mrt, '--data-dir', data, '--snapshot-interval', '0', '--keep', '1h']);
    const before = Math.floor(Date.now() / 1000);
    await replay(syntheticStream(), first.bmpPort, '127.0.0.1');
    const after = Math.ceil(Date.now() / 1000);
    type Answer = { routes: { router: string; peer: { address: string }; receivedAt: string | null; changedAt: string | null }[] };
    const bmpRoute = async (serve: ServeChild): Promise<Answer['routes']> => (await serve.get<{ prefixes: Answer[] }>(`/api/v1/routes?prefix=${EXPECTED.peerA[3]}`)).prefixes[0]!.routes;
    await waitFor('the BMP routes', async () => (await first.get<{ prefixes: unknown[] }>(`/api/v1/routes?prefix=${EXPECTED.peerA[3]}`)).prefixes.length > 0);
    const bmp = await bmpRoute(first);
    assert.ok(bmp.length > 0);
    for (const r of bmp) {
      const t = Date.parse(r.receivedAt!) / 1000;
      assert.ok(t >= before && t <= after, `BMP route first seen ${r.receivedAt}, while the stream was replayed (${before}..${after})`);
      assert.equal(r.changedAt, r.receivedAt);
    }
    // The generated dump's originated times: 1,760,000,000 s minus the peer's index.
    const dump = (await first.get<Answer>('/api/v1/lookup?address=10.0.7.1')).routes;
    assert.deepEqual(
      dump.map((r) => r.receivedAt).sort(),
      [new Date((1_760_000_000 - 1) * 1000).toISOString(), new Date(1_760_000_000 * 1000).toISOString()],
      'MRT routes take the dump\'s originated times',
    );
    const all = await routesOf(first);
    assert.ok(all.every((line) => JSON.parse(line)[1].receivedAt !== null), 'every route has its ages');
    assert.equal(await first.stop(), 0);

    const second = await ServeChild.start(['--data-dir', data, '--snapshot-interval', '0', '--keep', '1h']);
    assert.ok(second.logs.some((l) => l.msg === 'RIB restored from snapshot'));
    const restoredBmp = (await bmpRoute(second)).map((r) => [r.router, r.peer.address, r.receivedAt, r.changedAt]);
    assert.deepEqual(restoredBmp, bmp.map((r) => [r.router, r.peer.address, r.receivedAt, r.changedAt]), 'BMP routes keep their ages through the restart');
    assert.deepEqual(await routesOf(second), all, 'every route, ages included, is back as it was');
    assert.equal(await second.stop(), 0);
  });
});

/** Resolve once a file whose name contains `.tmp-` (a snapshot being written) appears in `dir`. */
function tempFileAppears(dir: string): { appeared: Promise<void>; close(): void } {
  const watcher = watch(dir);
  const appeared = new Promise<void>((resolve) => {
    watcher.on('change', (_event, name) => {
      if (String(name).includes('.tmp-')) resolve();
    });
  });
  return { appeared, close: () => watcher.close() };
}

test('SIGKILL during snapshot writes: every restart restores the last complete snapshot', async () => {
  await withTempDir('persist', async (dir) => {
    const mrt = join(dir, 'table.mrt');
    await writeFile(mrt, generatedRibDump({ prefixes: 40_000, peers: 4 }));
    const data = join(dir, 'data');
    const routes = 50_000 * 4;
    let interrupted = 0;
    let triggered = 0;
    let triggeredInterrupted = 0;
    for (let i = 0; i < 16; i++) {
      // The first run loads the MRT file; later ones start from what the last one left.
      const args = i === 0 ? ['--mrt', mrt] : [];
      const serve = await ServeChild.start([...args, '--data-dir', data, '--snapshot-interval', '10ms']);
      const logs = serve.logs;
      assert.ok(!logs.some((l) => l.msg?.startsWith('snapshot file rejected')), `run ${i}: no snapshot was rejected: ${JSON.stringify(logs)}`);
      if (i > 0) assert.equal(logs.find((l) => l.msg === 'RIB restored from snapshot')?.routes, routes, `run ${i} restored every route`);
      else await waitFor('the first snapshot', async () => (await serve.get('/api/v1/stats')).snapshots.lastWrite, 30_000);
      if (i % 2 === 1) {
        // Killed the moment a snapshot's temp file appears: mid-write on any machine.
        const temp = tempFileAppears(data);
        try {
          await temp.appeared;
        } finally {
          temp.close();
        }
        triggered++;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 400)));
      }
      assert.equal(await serve.stop('SIGKILL'), 'SIGKILL');
      const midWrite = (await readdir(data)).some((n) => n.includes('.tmp-'));
      if (midWrite) interrupted++;
      if (midWrite && i % 2 === 1) triggeredInterrupted++;
      assert.ok((await snapshotFiles(data)).length >= 1, 'a complete snapshot is always there');
    }
    // A write of 200k routes takes far longer than delivering a file-watch event and a signal.
    assert.ok(triggeredInterrupted >= triggered - 1, `${triggeredInterrupted} of ${triggered} kills on a temp file's appearance landed in the middle of a write`);
    assert.ok(interrupted >= triggeredInterrupted);
  });
});

test('a damaged newest snapshot is reported and the previous one restored; only damaged files: an empty RIB', async () => {
  await withTempDir('persist', async (dir) => {
    const mrt = join(dir, 'table.mrt');
    await writeFile(mrt, generatedRibDump({ prefixes: 500, peers: 2 }));
    const data = join(dir, 'data');
    const first = await ServeChild.start(['--mrt', mrt, '--data-dir', data, '--snapshot-interval', '0']);
    await first.stop();
    const more = await ServeChild.start(['--data-dir', data, '--snapshot-interval', '0']);
    await more.stop();
    const [older, newest] = await snapshotFiles(data);
    const bytes = await readFileBytes(join(data, newest!));
    await writeFile(join(data, newest!), bytes.subarray(0, bytes.length - 100)); // truncated

    const serve = await ServeChild.start(['--data-dir', data, '--snapshot-interval', '0']);
    const logs = serve.logs;
    const rejected = logs.filter((l) => l.msg === 'snapshot file rejected; trying an older one');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.file, join(data, newest!));
    assert.match(rejected[0]!.err, /section \d+ of \d+ \(\w{4}\).*truncated/);
    assert.equal(logs.find((l) => l.msg === 'RIB restored from snapshot')?.file, join(data, older!));
    assert.equal((await serve.get<{ routes: number }>('/healthz')).routes, 625 * 2);
    const stats = await serve.get<{ snapshots: { rejected: { file: string }[] } }>('/api/v1/stats');
    assert.equal(stats.snapshots.rejected.length, 1);
    await serve.stop('SIGKILL');

    for (const name of await snapshotFiles(data)) {
      const b = await readFileBytes(join(data, name));
      b[40]! ^= 0xff;
      await writeFile(join(data, name), b);
    }
    const empty = await ServeChild.start(['--data-dir', data, '--snapshot-interval', '0']);
    const emptyLogs = empty.logs;
    assert.equal(emptyLogs.filter((l) => l.msg === 'snapshot file rejected; trying an older one').length, (await snapshotFiles(data)).length);
    assert.ok(emptyLogs.some((l) => l.msg === 'no snapshot to restore; starting with an empty RIB'));
    assert.equal((await empty.get<{ routes: number }>('/healthz')).routes, 0);
    await empty.stop('SIGKILL');
  });
});

test('rib.bz2 survives snapshot and restore route for route', { skip: skipUnlessShared('mrt', 'rib.bz2') }, async () => {
  await withTempDir('persist', async (dir) => {
    const rib = new Rib();
    await loadMrtFiles(rib, [sharedData('mrt', 'rib.bz2')]);
    const report = await writeRibSnapshot(rib, join(dir, 'rib.snap'));
    assert.equal(report.routes, rib.stats().routes);
    const { rib: back } = await readRibSnapshot(join(dir, 'rib.snap'));
    assert.deepEqual(back.stats().routes, rib.stats().routes);
    assert.deepEqual(back.stats().prefixes, rib.stats().prefixes);
    // Every route as (prefix, router, peer, view, family, path id, canonical attribute bytes).
    assert.deepEqual(frozenRoutes(back), frozenRoutes(rib));
  });
});
