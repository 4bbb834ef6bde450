/**
 * The MRT export without ../shared or external tools: a RIB built with our own codec
 * (export-fixture.ts) is exported and read back with our own MRT reader, and what the file
 * says (prefixes, peers, path ids, AS paths, communities, next hops...) must be exactly what
 * the RIB's queries say; the options (router, view), the PEER_INDEX_TABLE, record layout and
 * splitting; writes during an export do not change it (it reads a freeze); the stream form
 * honours backpressure and releases the freeze when destroyed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type MrtExportSummary, exportMrt } from '../../src/collector/mrt-export.js';
import { MrtExportStream } from '../../src/collector/mrt-export-stream.js';
import { RibstoreError } from '../../src/errors.js';
import { formatIPv4 } from '../../src/ip/address.js';
import { parsePrefix } from '../../src/ip/prefix.js';
import type { PeerKey } from '../../src/rib/peer-registry.js';
import { Rib } from '../../src/rib/rib.js';
import { TableDumpV2Subtype } from '../../src/wire/mrt/constants.js';
import type { PathAttributes } from '../../src/wire/bgp/types.js';
import { parseAddress } from '../../src/ip/address.js';
import { FIXTURE_CLOCK_START, FIXTURE_SKIPPED, PEER_A, PEER_B, PEER_C, PEER_LOC, R1, R2, announce, decodeExport, expectedRoutes, expectedTuples, fixtureRib } from './export-fixture.js';

/** Export to memory; also checks each chunk is a fresh, non-empty array. */
async function exportBytes(rib: Rib, options: Parameters<typeof exportMrt>[2] = {}): Promise<{ bytes: Uint8Array; summary: MrtExportSummary; chunks: number }> {
  const chunks: Uint8Array[] = [];
  const summary = await exportMrt(rib, (chunk) => {
    assert.ok(chunk.length > 0);
    chunks.push(chunk);
  }, options);
  return { bytes: Buffer.concat(chunks), summary, chunks: chunks.length };
}

describe('exportMrt', () => {
  test('writes exactly the RIB\'s IPv4/IPv6 unicast routes of the global table, one preferred view per peer', async () => {
    const rib = fixtureRib();
    const { bytes, summary } = await exportBytes(rib, { now: 1_700_000_000_000 });
    const decoded = decodeExport(bytes);
    const expected = expectedTuples(rib);
    assert.deepEqual(decoded.tuples, expected);
    // The fixture's own count, so a broken expectation helper cannot make both sides empty.
    assert.equal(expected.length, 5 + 4 + 1 + 5 + 1, "R1: peer A 5, peer B 4, Loc-RIB 1; R2: peer C 5, peer A 1");
    assert.ok(expected.every((t) => !t.includes('65000:9')), 'pre-policy routes are not exported when post-policy exists');
    assert.deepEqual(summary.skipped, { ...FIXTURE_SKIPPED, unencodable: 0 });
    assert.equal(summary.routes, expected.length);
    assert.equal(summary.prefixes, new Set(expected.map((t) => JSON.parse(t)[0])).size);
    assert.equal(summary.records, 1 + decoded.ribs.length);
    assert.equal(summary.bytes, bytes.length);
    assert.equal(summary.peers, decoded.table.peers.length);
    const stale = expectedRoutes(rib).filter(({ route }) => route.stale);
    assert.equal(stale.length, 6, 'the stale routes of the router that went down are exported');
  });

  test('records: ADD-PATH subtypes exactly for path ids, one record of each kind per prefix, times and sequence numbers', async () => {
    const rib = fixtureRib();
    const { bytes } = await exportBytes(rib, { now: 1_700_000_123_456 });
    const { table, ribs } = decodeExport(bytes);
    assert.equal(table.header.timestamp, 1_700_000_123);
    const seen = new Set<string>();
    ribs.forEach((r, i) => {
      assert.equal(r.sequence, i);
      assert.equal(r.header.timestamp, 1_700_000_123);
      assert.equal(r.safi, 1);
      assert.equal(r.afi, r.prefix!.family === 4 ? 1 : 2);
      const addPath = r.header.subtype === TableDumpV2Subtype.RIB_IPV4_UNICAST_ADDPATH || r.header.subtype === TableDumpV2Subtype.RIB_IPV6_UNICAST_ADDPATH;
      assert.equal(r.addPath, addPath);
      const key = `${r.prefix} ${addPath}`;
      assert.ok(!seen.has(key), `one ${addPath ? 'ADD-PATH' : 'plain'} record for ${r.prefix}`);
      seen.add(key);
      const peers = new Set<string>();
      for (const e of r.entries) {
        // The route's changedAt (the fixture's clock), not the export time: the tuples compare the exact value.
        assert.ok(e.originatedTime > FIXTURE_CLOCK_START / 1000 && e.originatedTime < 1_700_000_000, `originated time ${e.originatedTime}`);
        if (addPath) assert.ok(e.pathId !== undefined && e.pathId !== 0);
        else assert.equal(e.pathId, undefined);
        const k = `${e.peerIndex}|${e.pathId}`;
        assert.ok(!peers.has(k), `peer ${e.peerIndex} appears once per path id for ${r.prefix}`);
        peers.add(k);
      }
    });
    assert.ok(seen.has('10.1.2.0/24 false') && seen.has('10.1.2.0/24 true'), 'path id 0 and path ids 1, 2 of one prefix: one record of each kind');
    assert.ok(seen.has('2001:db8:100::/40 true'));
  });

  test('PEER_INDEX_TABLE: the (router, peer) pairs with exported routes, AS4 and IPv6 flags, collector id 0', async () => {
    const rib = fixtureRib();
    // A peer whose only routes are of a skipped family is not listed.
    announce(rib, R1, { ...PEER_A, address: '192.0.2.77', bgpId: 0xc000024d }, 'adj-rib-in-post', 1, 2, '233.252.1.0/24', 0, { origin: 0, asPath: [], mpReach: { afi: 1, safi: 2, nextHop: parseAddress('192.0.2.77'), linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: [], unknownNlri: undefined } });
    const { table } = decodeExport((await exportBytes(rib)).bytes);
    assert.equal(table.collectorId, 0);
    assert.equal(table.viewName, 'ribstore');
    const listed = table.peers.map((p) => [p.address.toString(), p.asn, formatIPv4(p.bgpId), p.fourOctetAs]);
    const row = (p: PeerKey): unknown[] => [p.address, p.asn, formatIPv4(p.bgpId), p.asn > 0xffff];
    // Router order (R1 first), then registration order; peer A twice (seen by both routers).
    assert.deepEqual(listed, [row(PEER_A), row(PEER_B), row(PEER_LOC), row(PEER_C), row(PEER_A)]);
    assert.equal(table.peers[1]!.address.family, 6);
    assert.equal(table.peers[1]!.fourOctetAs, true, '4-octet AS only where it does not fit in 2 bytes');
  });

  test('router and view options', async () => {
    const rib = fixtureRib();
    const r2 = await exportBytes(rib, { router: R2 });
    const decoded = decodeExport(r2.bytes);
    assert.equal(decoded.table.viewName, R2);
    assert.deepEqual(decoded.tuples, expectedTuples(rib, { router: R2 }));
    assert.equal(decoded.table.peers.length, 2);
    assert.deepEqual(r2.summary.skipped, { rdTables: 0, otherFamilies: 0, unencodable: 0 }, 'skips are counted for the selected router only');

    const pre = decodeExport((await exportBytes(rib, { view: 'adj-rib-in-pre' })).bytes);
    assert.deepEqual(pre.tuples, expectedTuples(rib, { view: 'adj-rib-in-pre' }));
    assert.equal(pre.tuples.length, 3);
    assert.ok(pre.tuples.every((t) => t.includes('65000:9')));
    const loc = decodeExport((await exportBytes(rib, { router: R1, view: 'loc-rib' })).bytes);
    assert.deepEqual(loc.tuples, expectedTuples(rib, { router: R1, view: 'loc-rib' }));
    assert.equal(loc.tuples.length, 1);
    assert.deepEqual(loc.table.peers.map((p) => p.address.toString()), ['0.0.0.0']);

    await assert.rejects(exportMrt(rib, () => {}, { router: 'nope' }), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT' && /nope/.test(e.message));
    await assert.rejects(exportMrt(rib, () => {}, { view: 'bogus' as never }), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT');
    await assert.rejects(exportMrt(rib, () => {}, { chunkBytes: 10 }), (e: unknown) => e instanceof RibstoreError && e.code === 'INVALID_ARGUMENT');
  });

  test('an empty RIB gives a PEER_INDEX_TABLE without peers', async () => {
    const { bytes, summary } = await exportBytes(new Rib());
    const { table, ribs } = decodeExport(bytes);
    assert.equal(table.peers.length, 0);
    assert.equal(ribs.length, 0);
    assert.deepEqual([summary.peers, summary.prefixes, summary.routes, summary.records], [0, 0, 0, 1]);
  });

  test('a prefix whose entries exceed 4 MiB is split into records of the same prefix', async () => {
    const rib = new Rib();
    const big: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: parseAddress('192.0.2.1'), communities: Array.from({ length: 1000 }, (_, i) => 65001 * 65536 + i) };
    for (let pathId = 1; pathId <= 1200; pathId++) announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, '192.0.2.0/24', pathId, big);
    const { bytes, summary, chunks } = await exportBytes(rib);
    const { ribs, tuples } = decodeExport(bytes);
    assert.ok(ribs.length >= 2, `${ribs.length} records`);
    assert.ok(ribs.every((r) => r.prefix!.toString() === '192.0.2.0/24' && r.header.length <= 4 * 1024 * 1024 + 64));
    assert.equal(tuples.length, 1200);
    assert.deepEqual(tuples, expectedTuples(rib));
    assert.equal(summary.prefixes, 1);
    assert.ok(chunks >= 2, 'records larger than a chunk go out as their own chunks');
  });
});

/** A RIB of a few thousand prefixes from three peers, IPv4 and IPv6, some ADD-PATH. */
function largerRib(): Rib {
  const rib = new Rib({ keepMs: 3_600_000 });
  const sets: PathAttributes[] = [];
  for (let i = 0; i < 40; i++) sets.push({ origin: (i % 3) as 0 | 1 | 2, asPath: [{ type: 2, asns: [65001, 64600 + i] }], nextHop: parseAddress('192.0.2.1'), med: i, communities: [65001 * 65536 + i] });
  const v6 = { origin: 0 as const, asPath: [{ type: 2 as const, asns: [4_200_000_001, 6939] }], mpReach: { afi: 2, safi: 1, nextHop: parseAddress('2001:db8::2'), linkLocalNextHop: undefined, nextHopRd: undefined, nextHopBytes: new Uint8Array(0), nlri: [], unknownNlri: undefined } };
  for (let i = 0; i < 3000; i++) {
    const prefix = `10.${i >> 8}.${i & 255}.0/24`;
    announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, prefix, 0, sets[i % 40]!);
    announce(rib, R2, PEER_C, 'adj-rib-in-post', 1, 1, prefix, 1 + (i % 2), sets[(i * 7) % 40]!);
  }
  for (let i = 0; i < 800; i++) announce(rib, R1, PEER_B, 'adj-rib-in-post', 2, 1, `2001:db8:${i.toString(16)}::/48`, 0, v6);
  return rib;
}

describe('exportMrt on a moving RIB', () => {
  test('writes during an export do not change what it exports (it reads a freeze)', async () => {
    const rib = largerRib();
    const before = expectedTuples(rib);
    let step = 0;
    const mutate = (): void => {
      step++;
      const i = (step * 37) % 3000;
      const prefix = `10.${i >> 8}.${i & 255}.0/24`;
      // Withdraw (ahead of or behind the cursor), re-announce with other attributes, add new prefixes.
      rib.withdraw(rib.peerView({ router: R1, peer: PEER_A, view: 'adj-rib-in-post', afi: 1, safi: 1 }), 0, parsePrefix(prefix), 0);
      announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, `10.${(i + 1) >> 8}.${(i + 1) & 255}.0/24`, 0, { origin: 0, asPath: [{ type: 2, asns: [65099, step] }], nextHop: parseAddress('192.0.2.99') });
      announce(rib, R1, PEER_A, 'adj-rib-in-post', 1, 1, `172.16.${step & 255}.${(step >> 8) & 255}/32`, 0, { origin: 0, asPath: [{ type: 2, asns: [65098] }], nextHop: parseAddress('192.0.2.98') });
      if (step === 5) {
        // Flush a whole peer and sweep: slots are freed, then reused by new prefixes.
        rib.peerDown(R1, PEER_B);
        while (rib.sweepStep(100_000));
      }
    };
    let writes = 0;
    const chunks: Uint8Array[] = [];
    const exporting = exportMrt(rib, async (chunk) => {
      writes++;
      chunks.push(chunk);
      mutate();
      await new Promise((resolve) => setImmediate(resolve));
    }, { chunkBytes: 4096, sliceMs: 0 });
    // Started after the call (which took the freeze): writes between the export's slices too.
    let concurrent = true;
    const background = (async () => {
      while (concurrent) {
        mutate();
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const summary = await exporting;
    concurrent = false;
    await background;
    assert.ok(writes > 20 && summary.slices > 5, `${writes} writes, ${summary.slices} slices: the export was interleaved with writes`);
    assert.ok(step > 20);
    const after = expectedTuples(rib);
    assert.notDeepEqual(after, before, 'the RIB did change meanwhile');
    assert.deepEqual(decodeExport(Buffer.concat(chunks)).tuples, before);
    assert.equal(summary.routes, before.length);
  });

  test('MrtExportStream: produces only as fast as it is read; destroying it stops the export and releases the freeze', async () => {
    const rib = largerRib();
    const refCounts = (): number[] => Array.from({ length: rib.attributes.idBound }, (_, id) => (id === 0 ? 0 : rib.attributes.refCount(id)));
    const baseline = refCounts();
    // Read to the end: the same bytes as exportMrt.
    const whole: Buffer[] = [];
    for await (const chunk of new MrtExportStream(rib, { chunkBytes: 4096 })) whole.push(chunk as Buffer);
    assert.deepEqual(decodeExport(Buffer.concat(whole)).tuples, expectedTuples(rib));
    assert.deepEqual(refCounts(), baseline, 'a finished export leaves no reference behind');
    assert.equal(rib.openFreezes, 0, 'a finished export released its freeze');

    const stream = new MrtExportStream(rib, { chunkBytes: 4096, sliceMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Nobody reads: the export waits once the stream's buffer is full (a few chunks), not the whole file.
    assert.ok(stream.readableLength <= 4 * 4096, `${stream.readableLength} bytes buffered while unread`);
    assert.equal(rib.openFreezes, 1, 'the export holds its freeze while it waits');
    const first = stream.read() as Buffer | null;
    assert.ok(first !== null && first.length > 0);
    stream.destroy();
    await assert.rejects(stream.summary, RibstoreError);
    assert.equal(rib.openFreezes, 0, 'destroying the stream released the freeze');
    assert.deepEqual(refCounts(), baseline, 'and left no reference behind');
    assert.throws(() => new MrtExportStream(rib, { router: 'nope' }), RibstoreError);
  });
});
