/**
 * RibFreeze: whatever writes run while a freeze is read (announce, withdraw, flushes and
 * sweeps that free slots, slots reused for other prefixes, attribute sets released), the
 * freeze yields exactly the routes the RIB's own queries showed when it was taken; and a
 * released freeze leaves no reference behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Prefix } from '../../src/ip/prefix.js';
import { PV_STALE, VIEWS, afiSafiName } from '../../src/rib/peer-registry.js';
import type { Rib } from '../../src/rib/rib.js';
import type { RibFreeze } from '../../src/rib/rib-freeze.js';
import { PrefixTable } from '../../src/table/prefix-table.js';
import { Harness, RDS, ROUTERS, opArb } from './support/random-ops.js';
import { decodeTestAttributes } from './support/test-attributes.js';

/** Every visible route, through the public queries, one JSON string each, sorted. */
function queried(rib: Rib): string[] {
  const out: string[] = [];
  for (const rd of RDS) {
    const filter = rd === null ? {} : { rd };
    for (const root of ['0.0.0.0/0', '::/0']) {
      const top = rib.routes(root, filter);
      for (const p of [...(top ? [top] : []), ...rib.moreSpecifics(root, filter)]) {
        for (const r of p.routes) {
          out.push(JSON.stringify([rd, p.prefix, r.router, r.peer.address, r.view, r.afiSafi, r.pathId, r.stale, r.asPath, r.communities, r.localPref, r.med]));
        }
      }
    }
  }
  return out.sort();
}

/** Read a freeze to the end in steps of `budget` entries, running `between` after each step. */
function frozen(f: RibFreeze, budget: () => number, between: () => void): string[] {
  const out: string[] = [];
  const visit = (table: number, family: 4 | 6, w0: number, w1: number, w2: number, w3: number, length: number, routes: Uint32Array, count: number): void => {
    const prefix = new Prefix(family, w0, w1, w2, w3, length).toString();
    for (let i = 0; i < count; i++) {
      const pv = routes[i * 3]!;
      const peer = f.peers[f.pvPeer[pv]!]!;
      const a = decodeTestAttributes(f.attributeBytes(routes[i * 3 + 2]!));
      out.push(
        JSON.stringify([
          f.tables[table],
          prefix,
          f.routers[peer.router]!.name,
          peer.address,
          VIEWS[f.pvView[pv]!],
          afiSafiName(f.pvAfi[pv]!, f.pvSafi[pv]!),
          routes[i * 3 + 1],
          f.pvState[pv] === PV_STALE,
          a.asPath,
          a.communities,
          a.localPref,
          a.med,
        ]),
      );
    }
  };
  while (f.read(budget(), visit)) between();
  return out.sort();
}

test('a freeze read while random writes run yields the routes of the instant it was taken', () => {
  let sawPreImage = 0;
  fc.assert(
    fc.property(
      fc.array(opArb, { minLength: 1, maxLength: 60 }),
      fc.array(opArb, { minLength: 0, maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
      (before, during, budgets) => {
        const h = new Harness(() => new PrefixTable());
        for (const op of before) h.apply(op);
        const expected = queried(h.rib);
        const f = h.rib.freeze();
        const second = h.rib.freeze(); // read only at the end: sees every write as a pre-image
        let step = 0;
        let i = 0;
        const got = frozen(
          f,
          () => budgets[step++ % budgets.length]!,
          () => {
            const op = during[i++];
            if (op !== undefined) h.apply(op);
          },
        );
        for (; i < during.length; i++) h.apply(during[i]!);
        assert.deepEqual(got, expected, 'first freeze');
        assert.deepEqual(frozen(second, () => 1000, () => {}), expected, 'second freeze');
        if (during.length > 0 && JSON.stringify(queried(h.rib)) !== JSON.stringify(expected)) sawPreImage++;
        f.release();
        second.release();
        h.check(); // the live RIB still agrees with the golden model
        for (const r of ROUTERS) h.rib.flushRouter(r);
        while (h.rib.sweepStep(50));
        assert.equal(h.rib.attributes.size, 0, 'no attribute set is left held');
      },
    ),
    { numRuns: 200 },
  );
  assert.ok(sawPreImage > 50, `the RIB changed under a freeze in ${sawPreImage} runs`);
});

test('a released freeze cannot be read, and release is idempotent', () => {
  const h = new Harness(() => new PrefixTable());
  const f = h.rib.freeze();
  f.release();
  f.release();
  assert.throws(() => f.read(10, () => {}), /released/);
});
