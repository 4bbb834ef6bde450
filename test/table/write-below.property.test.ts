/**
 * Writes that start at the first level's depth-2 node (src/table/trie-writer.ts, `startBelow`:
 * a prefix longer than /16, no live snapshot): many prefixes packed into a few /16s, so inserts
 * push leaves down below depth 2 and deletes collapse chains up to and through the depth-2
 * node's own slot (which must then refresh the first level). After every few writes the first
 * level equals a rebuild, lookups (through the compiled blocks) and exact gets agree with the
 * golden model; a snapshot taken now and then must not see later writes; deleting everything
 * returns every block.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Address, Prefix, PrefixTable, type PrefixTableSnapshot } from '../../src/index.js';
import { NODE_WORDS } from '../../src/table/layout.js';
import { assertFirstLevelsFresh } from '../support/first-level-check.js';
import { GoldenPrefixMap } from '../support/golden-prefix-map.js';

// Two /16s per family, one a neighbour of the other, so nodes fill and empty at depth 2 and below.
const V4_SIXTEENS = [0xc0a80000, 0xc0a90000];
const V6_SIXTEENS = [0x20010000, 0x20020000];
const v4Prefix = fc
  .tuple(fc.constantFrom(...V4_SIXTEENS), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 17, max: 32 }))
  .map(([base, low, shift, length]) => new Prefix(4, (base | (low >>> shift)) >>> 0, 0, 0, 0, length));
const v6Prefix = fc
  .tuple(fc.constantFrom(...V6_SIXTEENS), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(17, 24, 32, 33, 40, 48, 56, 64, 96, 127, 128))
  .map(([base, low, shift, tail, length]) => new Prefix(6, (base | (low >>> shift)) >>> 0, tail << 30, 0, tail, length));
// A few short prefixes too, so a write sometimes walks from the root in the same table.
const shortPrefix = fc.constantFrom(new Prefix(4, 0xc0a80000, 0, 0, 0, 16), new Prefix(4, 0xc0000000, 0, 0, 0, 8), new Prefix(6, 0x20010000, 0, 0, 0, 16));
const anyPrefix = fc.oneof({ weight: 6, arbitrary: v4Prefix }, { weight: 6, arbitrary: v6Prefix }, { weight: 1, arbitrary: shortPrefix });

type Op = { kind: 'set'; prefix: Prefix; value: number } | { kind: 'delete'; prefix: Prefix } | { kind: 'snapshot' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('set' as const), prefix: anyPrefix, value: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('delete' as const), prefix: anyPrefix }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
);

/** Exact gets and longest-match lookups (the last address of each prefix) agree with the golden model. */
function check(table: PrefixTable | PrefixTableSnapshot, golden: GoldenPrefixMap<number>, prefixes: Prefix[], context: string): void {
  for (const p of prefixes) {
    assert.equal(table.getWords(p.family, p.w0, p.w1, p.w2, p.w3, p.length), golden.get(p) ?? -1, `get ${p} (${context})`);
    if (p.family === 4) {
      const host = (p.w0 | (p.length === 32 ? 0 : 0xffffffff >>> p.length)) >>> 0;
      assert.equal(table.lookupV4(host), golden.lookup(new Address(4, host, 0, 0, 0)) ?? -1, `lookupV4 in ${p} (${context})`);
    } else {
      assert.equal(table.lookupV6(p.w0, p.w1, p.w2, p.w3), golden.lookup(new Address(6, p.w0, p.w1, p.w2, p.w3)) ?? -1, `lookupV6 ${p} (${context})`);
    }
  }
}

test('writes starting below the first level keep it, the compiled blocks and the trie right, back to empty', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 20, maxLength: 200, size: 'max' }), (ops) => {
      const table = new PrefixTable({ firstLevelFrom: 0 });
      const golden = new GoldenPrefixMap<number>();
      const seen: Prefix[] = [];
      // A snapshot is held for the one write after it: that write walks from the root and copies its path.
      let held: [PrefixTableSnapshot, GoldenPrefixMap<number>] | null = null;
      for (const [i, o] of ops.entries()) {
        if (o.kind === 'snapshot') {
          held ??= [table.snapshot(), golden.snapshot()];
          continue;
        }
        seen.push(o.prefix);
        if (o.kind === 'set') {
          table.set(o.prefix, o.value);
          golden.set(o.prefix, o.value);
        } else {
          assert.equal(table.delete(o.prefix), golden.delete(o.prefix), `delete ${o.prefix}`);
        }
        if (i % 5 === 4) assertFirstLevelsFresh(table, `after op ${i}: ${o.kind} ${o.prefix}`);
        check(table, golden, [o.prefix], `after op ${i}`);
        if (held !== null) {
          check(held[0], held[1], seen, `snapshot before op ${i}`);
          held[0].release();
          held = null;
        }
      }
      held?.[0].release();
      assertFirstLevelsFresh(table, 'end');
      check(table, golden, seen, 'end');
      for (const [key] of golden.entries()) assert.ok(table.delete(key), `delete ${key}`);
      assertFirstLevelsFresh(table, 'empty');
      assert.equal(table.size, 0);
      assert.equal(table.stats().liveWords, 2 * NODE_WORDS, 'only the two empty roots stay allocated');
      assert.equal(table.stats().compiledLiveWords, 0, 'no compiled block left');
    }),
    { numRuns: 60 },
  );
});
