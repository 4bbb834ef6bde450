/**
 * The shared reader's parts in one thread: the slot version protocol (what bumps, what does
 * not), the mirror (routers, peers, tables and peer-view states seen through shared memory and
 * the name log answer exactly as the writer's own queries), and the hostile case of a slot
 * freed and reused in the middle of a read. The concurrent golden test is
 * concurrent-readers.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parsePrefix } from '../../src/ip/prefix.js';
import { emptySummary } from '../../src/rib/attribute-pool.js';
import { Rib } from '../../src/rib/rib.js';
import { SharedRibReader } from '../../src/rib/shared-rib-reader.js';
import { NameLog } from '../../src/rib/shared-names.js';
import { LOG_BYTES, RibVersions, STRUCTURE } from '../../src/rib/shared-versions.js';
import type { AttributesJson } from '../../src/rib/route-json.js';
import { MapIndex } from './support/map-index.js';
import { ADDRESSES, FILTERS, Harness, V4, V6, opArb } from './support/random-ops.js';
import { decodeTestAttributes, makeAttributes, testBytes, testSummary } from './support/test-attributes.js';

const PEER = { type: 0, distinguisher: '0:0', address: '192.0.2.1', asn: 65001, bgpId: 1 };

function intern(rib: Rib, a: AttributesJson): number {
  const bytes = testBytes(a);
  return rib.internAttributes(bytes, 0, bytes.length, testSummary(a, emptySummary()));
}

test('slot versions: odd/even pairs per route write, none for an identical re-announcement; new prefixes take a structure section', () => {
  const rib = new Rib({ decodeAttributes: decodeTestAttributes });
  const pv = rib.peerView({ router: 'r1', peer: PEER, view: 'loc-rib', afi: 1, safi: 1 });
  const p = parsePrefix('10.0.0.0/8');
  const a1 = intern(rib, makeAttributes(64496, 1, null, null, 1));
  const a2 = intern(rib, makeAttributes(64496, 2, null, null, 2));
  const structure = (): number => rib.versions.words[STRUCTURE]!;

  let before = structure();
  rib.announce(pv, 0, p, 0, a1);
  assert.equal(structure(), before + 2, 'a new prefix is one structure section');
  // The first prefix gets slot 0.
  const version = (): number => rib.sets.version[0]!;
  const v0 = version();
  assert.equal(v0 % 2, 0, 'even at rest');

  before = structure();
  rib.announce(pv, 0, p, 0, a1);
  assert.equal(version(), v0, 'identical re-announcement: no version change');
  rib.announce(pv, 0, p, 0, a2);
  assert.equal(version(), v0 + 2, 'attribute change: one odd/even pair');
  rib.announce(pv, 0, p, 1, a1);
  assert.equal(version(), v0 + 4, 'second path: one pair');
  rib.withdraw(pv, 0, p, 1);
  assert.equal(version(), v0 + 6, 'withdraw: one pair');
  assert.equal(structure(), before, 'writes into an existing prefix leave the structure version alone');

  rib.withdraw(pv, 0, p, 0);
  assert.equal(structure(), before + 2, 'the last route going deletes the prefix: one structure section');
  assert.equal(version() % 2, 0, 'a freed slot is even');
  rib.releaseAttributes(a1);
  rib.releaseAttributes(a2);
});

test('a shared reader (same thread) answers exactly as the writer after random operation sequences', () => {
  let compared = 0;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
      const h = new Harness();
      const reader = SharedRibReader.open(h.rib.share(), { decodeAttributes: decodeTestAttributes, attributeCacheSize: 8 });
      try {
        for (const op of ops) {
          h.apply(op);
          for (const f of FILTERS) {
            for (const a of ADDRESSES) assert.deepEqual(reader.lookup(a, f), h.rib.lookup(a, f), `lookup ${a} ${JSON.stringify(f)}`);
            for (const p of [...V4, ...V6]) assert.deepEqual(reader.routes(p, f), h.rib.routes(p, f), `routes ${p}`);
            for (const p of ['0.0.0.0/0', '10.1.0.0/16', '::/0']) {
              assert.deepEqual(reader.moreSpecificsList(p, f), [...h.rib.moreSpecifics(p, f)], `moreSpecifics ${p}`);
            }
            compared++;
          }
        }
        assert.equal(reader.retries, 0, 'nothing changes during a read in one thread');
      } finally {
        reader.close();
      }
    }),
    { numRuns: 40 },
  );
  assert.ok(compared > 1000, `${compared} filter rounds compared`);
});

test('hostile: a slot freed and reused for another prefix in the middle of a read is detected and the read retried', () => {
  const p = parsePrefix('10.1.0.0/16');
  const q = parsePrefix('10.2.0.0/16');
  for (const validate of [true, false]) {
    const rib = new Rib({ decodeAttributes: decodeTestAttributes });
    const pv = rib.peerView({ router: 'r1', peer: PEER, view: 'loc-rib', afi: 1, safi: 1 });
    const a1 = intern(rib, makeAttributes(64496, 1, null, null, 1));
    const a2 = intern(rib, makeAttributes(64497, 3, null, null, 2));
    rib.announce(pv, 0, p, 0, a1);
    let writes = 0;
    // The decoder runs inside the reader's attempt: make the writer free p's slot and give it to q there.
    const decode = (bytes: Uint8Array): AttributesJson => {
      if (writes++ === 0) {
        rib.withdraw(pv, 0, p, 0);
        rib.announce(pv, 0, q, 0, a2);
      }
      return decodeTestAttributes(bytes);
    };
    const reader = SharedRibReader.open(rib.share(), { decodeAttributes: decode, validate });
    const answer = reader.routes('10.1.0.0/16');
    if (validate) {
      assert.equal(answer, undefined, 'the retried read sees p gone');
      assert.ok(reader.retries >= 1, 'the torn attempt was retried');
      assert.equal(reader.routes('10.2.0.0/16')?.routes[0]?.originAs, 64497);
    } else {
      // Without the check, the first attempt's answer stands: a route of p that no version of
      // the RIB had while the answer was returned (its slot now holds q).
      assert.ok(answer !== undefined, 'unvalidated: the torn answer is returned');
      assert.equal(rib.routes('10.1.0.0/16'), undefined);
    }
    reader.close();
  }
});

test('open rejects what is not a shared RIB descriptor with a typed error', () => {
  for (const bad of [null, {}, { control: new ArrayBuffer(8), tables: [] }, 42]) {
    assert.throws(() => SharedRibReader.open(bad as never), { code: 'INVALID_ARGUMENT' });
  }
  const rib = new Rib({ createIndex: () => new MapIndex() });
  assert.throws(() => rib.share(), { code: 'INVALID_ARGUMENT' });
});

test('the name log: records come back in order from where a reader stopped; a log that does not parse is a typed error', () => {
  const versions = new RibVersions();
  const log = new NameLog(versions);
  log.append({ kind: 'router', id: 0, name: 'r1' });
  const first = log.read(0);
  assert.deepEqual(first.records, [{ kind: 'router', id: 0, name: 'r1' }]);
  log.append({ kind: 'table', id: 1, name: '65000:1' });
  const reader = new NameLog(versions, log.shared);
  assert.deepEqual(reader.read(first.next).records, [{ kind: 'table', id: 1, name: '65000:1' }]);
  // Garbage where a log should be: LOG_BYTES says 16 bytes of it.
  const bad = new SharedArrayBuffer(64);
  new Uint8Array(bad).set(new TextEncoder().encode('{not json\n{"x":\n'));
  const badVersions = new RibVersions();
  badVersions.publish(LOG_BYTES, 16);
  assert.throws(() => new NameLog(badVersions, bad).read(0), { code: 'INVALID_ARGUMENT' });
  badVersions.publish(LOG_BYTES, 1000);
  assert.throws(() => new NameLog(badVersions, bad).read(0), { code: 'INVALID_ARGUMENT' });
});
