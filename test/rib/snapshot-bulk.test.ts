/**
 * Restore through the table's bulk build (Rib.beginSortedLoad / endSortedLoad): a RIB loaded in
 * sorted order and built in one pass per table answers every lookup and walk as one loaded
 * prefix by prefix; out-of-order input still loads (falling back to inserts) and a repeated
 * prefix is still refused; a snapshot of a sorted RIB restores through the bulk build, and a
 * snapshot file holding a repeated prefix out of order is a FILE_ERROR.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Family } from '../../src/ip/address.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import type { PeerKey } from '../../src/rib/peer-registry.js';
import { Rib, type RibOptions } from '../../src/rib/rib.js';
import { ATTR, ATTR_HEAD_WORDS, ROUT, routeRecordWords, SNAPSHOT_VERSION } from '../../src/rib/snapshot-format.js';
import { readRibSnapshot, restoreRibSnapshot } from '../../src/rib/snapshot-restore.js';
import { writeRibSnapshot } from '../../src/rib/snapshot-write.js';
import { sortColumns } from '../../src/rib/sorted-load.js';
import { SortedEntries } from '../../src/table/bulk-build.js';
import { PrefixTable } from '../../src/table/prefix-table.js';
import { readFileBytes } from '../../src/store/atomic-file.js';
import { decodeContainer, encodeContainer } from '../../src/store/container.js';
import { withTempDir } from '../support/temp-dir.js';
import { decodeTestAttributes, makeAttributes, testBytes, testSummary } from './support/test-attributes.js';

const OPTIONS: RibOptions = { decodeAttributes: decodeTestAttributes, keepMs: 60_000 };
const PEER: PeerKey = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 0xc0000201 };
const RDS = [null, '65000:1'];

interface P { table: number; family: Family; w: [number, number, number, number]; length: number; peers: number; salt: number }

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
}

const mask = (w: number, bits: number): number => (bits <= 0 ? 0 : bits >= 32 ? w >>> 0 : (w & ~(0xffffffff >>> bits)) >>> 0);

/** `n` distinct random prefixes (nested ones included: few top octets) over two tables, in random order. */
function randomPrefixes(n: number, seed: number): P[] {
  const random = lcg(seed);
  const seen = new Set<string>();
  const out: P[] = [];
  while (out.length < n) {
    const table = random() % 2;
    const family: Family = random() % 3 === 0 ? 6 : 4;
    const length = family === 4 ? random() % 33 : random() % 129;
    const top = family === 4 ? 0x0a000000 + ((random() % 4) << 16) : 0x20010db8;
    const raw = [top | (random() & 0xffff), random(), random(), random()];
    if (family === 4) raw[1] = raw[2] = raw[3] = 0;
    const w = raw.map((x, k) => mask(x, length - 32 * k)) as P['w'];
    const key = `${table} ${family} ${w.join('.')}/${length}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ table, family, w, length, peers: 1 + (random() % 3), salt: random() % 5 });
  }
  return out;
}

function sorted(list: P[]): P[] {
  return [...list].sort((a, b) => {
    if (a.table !== b.table) return a.table - b.table;
    if (a.family !== b.family) return a.family - b.family;
    for (let k = 0; k < 4; k++) if (a.w[k] !== b.w[k]) return a.w[k]! - b.w[k]!;
    return a.length - b.length;
  });
}

/** A RIB holding `list` loaded in the order given, between begin/endSortedLoad when `bulk`. */
function load(list: P[], bulk: boolean): Rib {
  const rib = new Rib(OPTIONS);
  rib.table(RDS[1]);
  const pvs = [0, 1, 2].map((p) => [1, 2].map((afi) => rib.peerView({ router: 'r1', peer: { ...PEER, address: `192.0.2.${p + 1}` }, view: 'adj-rib-in-post', afi, safi: 1 })));
  const summary = emptySummary();
  const attrs = [0, 1, 2, 3, 4].map((i) => {
    const a = makeAttributes(64500 + i, 1 + i, 100, null, i);
    const bytes = testBytes(a);
    return rib.internAttributes(bytes, 0, bytes.length, testSummary(a, summary));
  });
  if (bulk) rib.beginSortedLoad();
  for (const p of list) {
    const routes = new Uint32Array(3 * p.peers);
    for (let r = 0; r < p.peers; r++) routes.set([pvs[r]![p.family === 4 ? 0 : 1]!, 0, attrs[(p.salt + r) % attrs.length]!], 3 * r);
    rib.loadPrefix(p.table, p.family, p.w[0], p.w[1], p.w[2], p.w[3], p.length, routes, p.peers);
  }
  if (bulk) rib.endSortedLoad();
  for (const a of attrs) rib.releaseAttributes(a);
  return rib;
}

/** Every route by a walk of each table, and longest-match answers for addresses in and around the prefixes. */
function answers(rib: Rib, list: P[], seed: number): string[] {
  const out: string[] = [];
  for (const rd of RDS) {
    const filter = rd === null ? {} : { rd };
    for (const root of ['0.0.0.0/0', '::/0']) {
      const top = rib.routes(root, filter);
      for (const p of [...(top ? [top] : []), ...rib.moreSpecifics(root, filter)]) {
        for (const { stale: _s, restored: _r, lostAt: _l, receivedAt: _a, changedAt: _c, ...route } of p.routes) out.push(JSON.stringify([rd, p.prefix, route]));
      }
    }
  }
  const random = lcg(seed);
  for (const p of list) {
    const filter = p.table === 0 ? {} : { rd: RDS[1]! };
    const address =
      p.family === 4
        ? [24, 16, 8, 0].map((s) => ((p.w[0] | (random() >>> Math.min(31, p.length))) >>> s) & 255).join('.')
        : p.w.map((x, k) => (x | (k === 3 ? random() & 0xff : 0)) >>> 0).flatMap((x) => [x >>> 16, x & 0xffff]).map((x) => x.toString(16)).join(':');
    const hit = rib.lookup(address, filter);
    out.push(JSON.stringify([address, hit?.prefix ?? null, hit?.routes.length ?? 0]));
  }
  return out;
}

test('a sorted load built per table in one pass answers every walk and lookup as prefix-by-prefix inserts, in any order', () => {
  for (const seed of [1, 2, 3]) {
    const list = randomPrefixes(3000, seed);
    const oneByOne = answers(load(list, false), list, seed);
    assert.deepEqual(answers(load(sorted(list), true), list, seed), oneByOne);
    assert.deepEqual(answers(load(list, true), list, seed), oneByOne, 'random order is sorted, then built');
    const late = sorted(list);
    late.push(late.splice(10, 1)[0]!); // sorted but for one prefix at the end
    assert.deepEqual(answers(load(late, true), list, seed), oneByOne);
  }
});

test('a sorted load shows its prefixes only once built, and refuses a repeated prefix whatever the order', () => {
  const list = sorted(randomPrefixes(200, 7));
  const rib = new Rib(OPTIONS);
  rib.table(RDS[1]);
  const pv = rib.peerView({ router: 'r1', peer: PEER, view: 'adj-rib-in-post', afi: 1, safi: 1 });
  const a = makeAttributes(64500, 1, 100, null, 0);
  const bytes = testBytes(a);
  const attr = rib.internAttributes(bytes, 0, bytes.length, testSummary(a, emptySummary()));
  const v4 = list.filter((p) => p.family === 4 && p.table === 0);
  rib.beginSortedLoad();
  for (const p of v4) rib.loadPrefix(0, 4, p.w[0], 0, 0, 0, p.length, Uint32Array.of(pv, 0, attr), 1);
  assert.equal([...rib.moreSpecifics('0.0.0.0/0')].length + (rib.routes('0.0.0.0/0') ? 1 : 0), 0, 'collected, not yet in the table');
  const last = v4[v4.length - 1]!;
  assert.throws(() => rib.loadPrefix(0, 4, last.w[0], 0, 0, 0, last.length, Uint32Array.of(pv, 0, attr), 1), { code: 'INVALID_ARGUMENT', message: /is loaded twice/ }, 'a repeat of the prefix just before is refused at once');
  rib.endSortedLoad();
  assert.equal([...rib.moreSpecifics('0.0.0.0/0')].length + (rib.routes('0.0.0.0/0') ? 1 : 0), v4.length, 'every prefix once, the refused one not added');
  const again = new Rib(OPTIONS);
  again.table(RDS[1]);
  const pv2 = again.peerView({ router: 'r1', peer: PEER, view: 'adj-rib-in-post', afi: 1, safi: 1 });
  const attr2 = again.internAttributes(bytes, 0, bytes.length, testSummary(a, emptySummary()));
  again.beginSortedLoad();
  for (const q of [...v4, v4[3]!]) again.loadPrefix(0, 4, q.w[0], 0, 0, 0, q.length, Uint32Array.of(pv2, 0, attr2), 1);
  assert.throws(() => again.endSortedLoad(), { code: 'INVALID_ARGUMENT', message: /is loaded twice/ }, 'a repeat out of order is found by the sort');
  rib.releaseAttributes(attr);
});

/** Run `body` with PrefixTable.loadSorted recording the size of each bulk build in `built`. */
async function withBulkBuilds(body: (built: number[]) => Promise<void>): Promise<void> {
  const built: number[] = [];
  const loadSorted = PrefixTable.prototype.loadSorted;
  PrefixTable.prototype.loadSorted = function (this: PrefixTable, ...args: Parameters<typeof loadSorted>) {
    built.push(args[0].size);
    return loadSorted.apply(this, args);
  };
  try {
    await body(built);
  } finally {
    PrefixTable.prototype.loadSorted = loadSorted;
  }
}

test('a snapshot of a sorted RIB restores through the bulk build, with the same walks and lookups', async () => {
  const list = randomPrefixes(5000, 11);
  const original = load(sorted(list), false);
  await withBulkBuilds(async (built) => {
    await withTempDir('snapshot-bulk', async (dir) => {
      const path = join(dir, 'sorted.snap');
      await writeRibSnapshot(original, path);
      const restored = await readRibSnapshot(path, OPTIONS);
      assert.deepEqual(answers(restored.rib, list, 11), answers(original, list, 11));
      assert.equal(restored.prefixes, list.length);
      assert.deepEqual(built.sort((x, y) => x - y), [0, 1].map((t) => list.filter((p) => p.table === t).length).sort((x, y) => x - y), 'each table bulk-built');
    });
  });
});

test('a snapshot in slot order (not prefix order) restores through the bulk build', async () => {
  const list = randomPrefixes(5000, 12);
  const original = load(list, false); // slots in random prefix order
  await withBulkBuilds(async (built) => {
    await withTempDir('snapshot-bulk', async (dir) => {
      const path = join(dir, 'shuffled.snap');
      await writeRibSnapshot(original, path);
      const restored = await readRibSnapshot(path, OPTIONS);
      assert.deepEqual(answers(restored.rib, list, 12), answers(original, list, 12));
      assert.deepEqual(built.sort((x, y) => x - y), [0, 1].map((t) => list.filter((p) => p.table === t).length).sort((x, y) => x - y), 'each table bulk-built');
    });
  });
});

/** The byte offset of each route record in a ROUT payload (layout: snapshot-format.ts), with its head word. */
function routeRecords(payload: Uint8Array): { at: number; head: number }[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const rw = routeRecordWords(SNAPSHOT_VERSION);
  const out: { at: number; head: number }[] = [];
  for (let at = 0; at < payload.byteLength; ) {
    const head = view.getUint32(at, true);
    const keyWords = (head & 256) !== 0 ? 4 : 1;
    const count = view.getUint32(at + 4 + 4 * keyWords, true);
    out.push({ at, head });
    at += 4 * (2 + keyWords + count * rw);
  }
  return out;
}

test('a snapshot numbers attribute sets in the order its routes first name them, and lists them so', async () => {
  const list = randomPrefixes(3000, 14);
  const original = load(list, false);
  await withTempDir('snapshot-bulk', async (dir) => {
    const path = join(dir, 'numbered.snap');
    await writeRibSnapshot(original, path);
    const sections = decodeContainer(await readFileBytes(path), path);
    const rw = routeRecordWords(SNAPSHOT_VERSION);
    let next = 1;
    let routes = 0;
    for (const s of sections.filter((x) => x.id === ROUT)) {
      const view = new DataView(s.payload.buffer, s.payload.byteOffset, s.payload.byteLength);
      for (const { at, head } of routeRecords(s.payload)) {
        const keyWords = (head & 256) !== 0 ? 4 : 1;
        const count = view.getUint32(at + 4 + 4 * keyWords, true);
        for (let i = 0; i < count; i++) {
          const attr = view.getUint32(at + 4 * (2 + keyWords + i * rw + 2), true);
          assert.ok(attr >= 1 && attr <= next, `route ${routes}: attribute id ${attr} after ${next - 1} named`);
          if (attr === next) next++;
          routes++;
        }
      }
    }
    assert.equal(next - 1, 5, 'the five sets of the RIB');
    const listed: number[] = [];
    for (const s of sections.filter((x) => x.id === ATTR)) {
      const view = new DataView(s.payload.buffer, s.payload.byteOffset, s.payload.byteLength);
      for (let at = 0; at < s.payload.byteLength; at += 4 * ATTR_HEAD_WORDS + Math.ceil(view.getUint32(at + 4, true) / 4) * 4) listed.push(view.getUint32(at, true));
    }
    assert.deepEqual(listed, [1, 2, 3, 4, 5]);
    const restored = await readRibSnapshot(path, OPTIONS);
    assert.equal(restored.routes, routes);
    assert.deepEqual(answers(restored.rib, list, 14), answers(original, list, 14));
  });
});

test('a snapshot file holding a repeated prefix out of order is a FILE_ERROR on restore', async () => {
  const list = randomPrefixes(2000, 13);
  const original = load(list, false); // slot order: the file's prefixes are out of order already
  await withTempDir('snapshot-bulk', async (dir) => {
    const path = join(dir, 'repeat.snap');
    await writeRibSnapshot(original, path);
    const sections = decodeContainer(await readFileBytes(path), path).map((s) => ({ id: s.id, payload: s.payload.slice() }));
    const rout = sections.find((s) => s.id === ROUT)!;
    // Two IPv4 records of table 0 with the same length, far apart: the later one gets the
    // earlier one's prefix (its routes stay), so the repeat is neither adjacent nor in order.
    const records = routeRecords(rout.payload).filter((r) => r.head === ((0 << 9) | 24));
    assert.ok(records.length > 10, `${records.length} IPv4 /24 records of table 0`);
    const first = records[0]!;
    const later = records[records.length - 1]!;
    const view = new DataView(rout.payload.buffer);
    view.setUint32(later.at + 4, view.getUint32(first.at + 4, true), true);
    const bytes = encodeContainer(sections); // section checksums recomputed: only the content is wrong
    assert.doesNotThrow(() => decodeContainer(bytes, 'edited'));
    assert.throws(() => restoreRibSnapshot(bytes, 'edited.snap', OPTIONS), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'FILE_ERROR');
      assert.match(error.message, /^edited\.snap: sections ROUT: .* is loaded twice/);
      return true;
    });
    // The unedited file still restores (the edit, not the file, is what is refused).
    const restored = await readRibSnapshot(path, OPTIONS);
    assert.equal(restored.prefixes, list.length);
  });
});

test('radix sort of collected columns: network then length, repeats refused', () => {
  const entries = new SortedEntries();
  const list = randomPrefixes(4000, 5).filter((p) => p.table === 0);
  for (const p of list) entries.add(p.family, p.w[0], p.w[1], p.w[2], p.w[3], p.length, 0);
  sortColumns(entries.v4, 4);
  sortColumns(entries.v6, 6);
  const seen: string[] = [];
  entries.forEach((f, a, b, c, d, l) => seen.push(`${f} ${[a, b, c, d].map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('')} ${String(l).padStart(3, '0')}`));
  const expected = [...new Set(seen)].sort((x, y) => (x[0] !== y[0] ? 0 : x < y ? -1 : 1));
  assert.deepEqual(seen.filter((x) => x[0] === '4'), expected.filter((x) => x[0] === '4'));
  assert.deepEqual(seen.filter((x) => x[0] === '6'), expected.filter((x) => x[0] === '6'));
  const twice = new SortedEntries();
  for (const w of [0x0a000000, 0x0b000000, 0x0a000000]) twice.add(4, w, 0, 0, 0, 8, 1);
  assert.throws(() => sortColumns(twice.v4, 4), { code: 'INVALID_ARGUMENT', message: /10\.0\.0\.0\/8 is loaded twice/ });
});
