/**
 * RouteSets against a model (arrays of entries per slot, in order): random appends, removals
 * (one entry, or every entry of some peer-views in one pass) and entry moves over many slots, blocks moving between size classes and pages, large
 * blocks; every slot keeps its entries in the order the writer gave them; after everything
 * is removed every page is free and reused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CHANGED_WORD, ENTRY_WORDS, PV_MASK, RECEIVED_WORD, RouteSets } from '../../src/rib/route-sets.js';

function contents(sets: RouteSets, s: number): string[] {
  const out: string[] = [];
  const base = sets.offset[s]!;
  for (let i = 0; i < sets.count[s]!; i++) {
    const at = base + i * ENTRY_WORDS;
    out.push(`${sets.entries[at]! & PV_MASK}/${sets.entries[at + 1]}/${sets.entries[at + 2]}/${sets.entries[at + RECEIVED_WORD]}/${sets.entries[at + CHANGED_WORD]}`);
  }
  return out;
}

/** Peer-view states for removeWhere (entry pvs are serial numbers, below 2^20 here). */
const doomed = new Uint8Array(1 << 20);

test('RouteSets keeps every slot\'s entries, in order, through growth, shrinking, moves, removals one by one or by peer-view state, and page reuse', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3000 }), fc.boolean()), { minLength: 1, maxLength: 300 }),
      (ops) => {
        const sets = new RouteSets();
        const model = new Map<number, string[]>();
        const slotOf = new Map<number, number>();
        let serial = 0;
        for (const [key, n, add] of ops) {
          let s = slotOf.get(key);
          if (add || s === undefined) {
            if (s === undefined) {
              s = sets.allocSlot(0, false, 24, key, 0, 0, 0);
              slotOf.set(key, s);
              model.set(key, []);
            }
            // A burst of appends (n up to 3000 crosses the page size for a few slots).
            const burst = n % 7 === 0 ? n : n % 13;
            for (let i = 0; i < burst; i++) {
              serial++;
              // The times are distinct per entry so a move that dropped or swapped them shows.
              sets.append(s, serial & PV_MASK, key, serial, serial * 2, serial * 3);
              model.get(key)!.push(`${serial & PV_MASK}/${key}/${serial}/${serial * 2}/${serial * 3}`);
            }
          } else if (n % 5 === 0) {
            // Move one entry to another rank, as the RIB does when a route's rank changes.
            const list = model.get(key)!;
            const from = (n >> 3) % list.length;
            const to = (n * 7) % list.length;
            sets.moveEntry(s, from, to);
            list.splice(to, 0, ...list.splice(from, 1));
          } else if (n % 5 === 1) {
            // Remove the entries of some peer-views in one pass, as the sweeper does.
            const list = model.get(key)!;
            const victims = list.filter((_, i) => (i * 7 + n) % 3 === 0);
            for (const text of victims) doomed[Number(text.split('/')[0])] = 3;
            const pvs = new Uint32Array(list.length);
            const attrs = new Uint32Array(list.length);
            const end = sets.removeWhere(s, doomed, 3, pvs, attrs, 0);
            for (const text of victims) doomed[Number(text.split('/')[0])] = 0;
            assert.deepEqual([...pvs.subarray(0, end)].map((pv, i) => `${pv}/${attrs[i]}`), victims.map((t) => `${t.split('/')[0]}/${t.split('/')[2]}`));
            model.set(key, list.filter((_, i) => (i * 7 + n) % 3 !== 0));
          } else {
            const list = model.get(key)!;
            for (let i = 0; i < Math.min(n % 17, list.length); i++) {
              const victim: number = sets.offset[s]! + (n % sets.count[s]!) * ENTRY_WORDS;
              const text: string = `${sets.entries[victim]! & PV_MASK}/${sets.entries[victim + 1]}/${sets.entries[victim + 2]}/${sets.entries[victim + RECEIVED_WORD]}/${sets.entries[victim + CHANGED_WORD]}`;
              assert.equal(list.indexOf(text), n % sets.count[s]!);
              list.splice(n % sets.count[s]!, 1);
              sets.removeAt(s, victim);
            }
          }
          const list = model.get(key)!;
          if (list.length === 0) {
            sets.freeSlot(s);
            slotOf.delete(key);
            model.delete(key);
          }
          for (const [k, slot] of slotOf) assert.deepEqual(contents(sets, slot), model.get(k)!);
        }
        for (const [k, slot] of slotOf) {
          while (sets.count[slot]! > 0) sets.removeAt(slot, sets.offset[slot]!);
          sets.freeSlot(slot);
          slotOf.delete(k);
        }
        assert.equal(sets.routes, 0);
        assert.equal(sets.slots, 0);
        assert.equal(sets.pageUsage()[0], 0, 'every page free');
      },
    ),
    { numRuns: 60 },
  );
});

test('pages a size class empties are reused by the next class (peer-by-peer growth)', () => {
  const sets = new RouteSets();
  const slots: number[] = [];
  for (let i = 0; i < 20000; i++) slots.push(sets.allocSlot(0, false, 24, i, 0, 0, 0));
  for (let peer = 1; peer <= 10; peer++) for (const s of slots) sets.append(s, peer, 0, 1, 0, 0);
  const [used, free] = sets.pageUsage();
  const liveWords = 20000 * 10 * ENTRY_WORDS;
  const capacityWords = 20000 * 12 * ENTRY_WORDS; // 10 routes live in blocks of capacity 12
  const pageWords = (used + free) * 4096 * ENTRY_WORDS;
  assert.ok(pageWords < capacityWords * 1.25, `arena ${pageWords} words for ${liveWords} live (${capacityWords} in blocks)`);
});
