/**
 * Differential test of the MRT loader's bulk path for TABLE_DUMP_V2 RIB records
 * (collector/mrt-rib-entries.ts: attribute blocks recognised by their raw bytes, each record's
 * routes loaded into their prefix at once) against the plain path (`bulk: false`: every entry
 * decoded, interned and announced on its own). The two RIBs must hold the same routes in the
 * same stored order, with the same attribute bytes and ages, and the same summary counts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMrtFiles } from '../../src/collector/mrt-loader.js';
import { Prefix } from '../../src/ip/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { concatBytes } from '../support/bytes.js';
import { generatedRibDump } from '../support/generated-mrt.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';
import { withTempDir } from '../support/temp-dir.js';

/** One line per prefix: table, prefix, then each route in stored order (router, peer, view, family, path id, ages, attribute bytes). */
function dump(rib: Rib): string[] {
  const freeze = rib.freeze();
  const lines: string[] = [];
  try {
    freeze.read(Infinity, (table, family, w0, w1, w2, w3, length, routes, count, ages) => {
      let line = `${freeze.tables[table]}|${new Prefix(family, w0, w1, w2, w3, length)}`;
      for (let i = 0; i < count; i++) {
        const pv = routes[i * 3]!;
        const peer = freeze.peers[freeze.pvPeer[pv]!]!;
        const bytes = Buffer.from(freeze.attributeBytes(routes[i * 3 + 2]!)).toString('hex');
        line += ` ${freeze.routers[peer.router]!.name}|${peer.address}|${peer.asn}|${peer.bgpId}|${freeze.pvView[pv]}|${freeze.pvAfi[pv]}/${freeze.pvSafi[pv]}|${routes[i * 3 + 1]}|${ages[i * 2]}/${ages[i * 2 + 1]}|${bytes}`;
      }
      lines.push(line);
    });
  } finally {
    freeze.release();
  }
  return lines.sort();
}

async function compare(files: string[]): Promise<{ routes: number; attributeSets: number }> {
  const bulkRib = new Rib();
  const plainRib = new Rib();
  const bulk = await loadMrtFiles(bulkRib, files);
  const plain = await loadMrtFiles(plainRib, files, { bulk: false });
  for (const k of ['records', 'announcements', 'withdrawals', 'skipped', 'routes', 'prefixes', 'peers', 'attributeSets'] as const) {
    assert.equal(bulk[k], plain[k], k);
  }
  const a = dump(bulkRib);
  const b = dump(plainRib);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.equal(a[i], b[i], `prefix line ${i}`);
  // The loader gave back every reference it held: each set is held by its routes only.
  assert.equal(bulkRib.stats().attributeSets, plainRib.stats().attributeSets);
  return { routes: bulk.routes, attributeSets: bulk.attributeSets };
}

test('a generated dump whose attribute sets repeat loads the same in bulk as route by route', async () => {
  await withTempDir('mrt-bulk', async (dir) => {
    const path = join(dir, 'rib.mrt');
    writeFileSync(path, generatedRibDump({ prefixes: 3000, peers: 5, attributeSets: 40 }));
    const { routes, attributeSets } = await compare([path]);
    assert.equal(routes, 5 * (3000 + 750));
    assert.ok(attributeSets <= 5 * 2 * 40, `${attributeSets} sets: the blocks repeat`);
  });
});

test('a prefix repeated in a later record and a file loaded twice fall back to route-by-route updates', async () => {
  await withTempDir('mrt-bulk', async (dir) => {
    const one = generatedRibDump({ prefixes: 200, peers: 3, attributeSets: 7 });
    const other = generatedRibDump({ prefixes: 200, peers: 4, attributeSets: 11 });
    // The second dump's records name the same prefixes (and peer indexes) with other attribute sets.
    const path = join(dir, 'twice.mrt');
    writeFileSync(path, concatBytes([one, other]));
    const first = join(dir, 'one.mrt');
    writeFileSync(first, one);
    await compare([path]);
    await compare([first, first]);
  });
});

test('blocks that never repeat (keying switched off) load the same in bulk', async () => {
  await withTempDir('mrt-bulk', async (dir) => {
    const path = join(dir, 'unique.mrt');
    // Past the hit-rate sample (65536 lookups) with every block its own.
    writeFileSync(path, generatedRibDump({ prefixes: 14000, peers: 5 }));
    await compare([path]);
  });
});

const RIB_BZ2 = ['mrt', 'rib.bz2'];
test('the real multi-peer IPv6 dump (full-form MP_REACH_NLRI) loads the same in bulk', { skip: skipUnlessShared(...RIB_BZ2) }, async () => {
  const { routes } = await compare([sharedData(...RIB_BZ2)]);
  assert.equal(routes, 609246);
});
