/**
 * AttributePool against a model (a Map from byte strings to refcounts): random interns and
 * releases of short and long sets (long ones outgrow the per-length free lists and force
 * arena compaction); bytes, summaries and refcounts must always agree, equal bytes must
 * share one id, and freed ids and byte ranges are reused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AttributePool, emptySummary } from '../../src/rib/attribute-pool.js';

function bytesOf(seed: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 31 + i * 7) & 255;
  return b;
}

test('AttributePool interns, refcounts, frees and reuses like a Map of refcounts', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.constantFrom(0, 3, 4, 20, 64, 5000, 9000), fc.boolean()), { minLength: 1, maxLength: 400 }),
      (ops) => {
        const pool = new AttributePool({ initialSets: 16, initialBytes: 64 });
        const refs = new Map<string, { id: number; refs: number; seed: number; length: number }>();
        const summary = emptySummary();
        for (const [seed, length, add] of ops) {
          const key = Buffer.from(bytesOf(seed, length)).toString('hex'); // equal bytes, one key
          const entry = refs.get(key);
          if (add || entry === undefined) {
            const b = bytesOf(seed, length);
            summary.originAs = seed;
            summary.asPathLength = length;
            const id = pool.intern(b, 0, b.length, summary);
            if (entry) {
              assert.equal(id, entry.id, 'equal bytes share one id');
              entry.refs++;
            } else {
              for (const other of refs.values()) assert.notEqual(other.id, id, 'a live id is never handed out twice');
              refs.set(key, { id, refs: 1, seed, length });
            }
          } else {
            const freed = pool.release(entry.id);
            entry.refs--;
            assert.equal(freed, entry.refs === 0);
            if (entry.refs === 0) refs.delete(key);
          }
          assert.equal(pool.size, refs.size);
          for (const e of refs.values()) {
            assert.equal(pool.refCount(e.id), e.refs);
            assert.deepEqual(pool.bytes(e.id), bytesOf(e.seed, e.length));
            assert.equal(pool.originAs(e.id), e.seed);
            const b = bytesOf(e.seed, e.length);
            assert.equal(pool.find(b, 0, b.length), e.id);
          }
        }
        const bound = pool.idBound;
        for (const e of refs.values()) for (let i = 0; i < e.refs; i++) pool.release(e.id);
        assert.equal(pool.size, 0);
        const b = bytesOf(99, 10);
        assert.ok(pool.intern(b, 0, b.length, summary) < Math.max(bound, 2), 'freed ids are reused');
      },
    ),
    { numRuns: 80 },
  );
});

test('freed byte ranges of a length are reused by new sets of that length', () => {
  const pool = new AttributePool();
  const summary = emptySummary();
  const ids: number[] = [];
  for (let i = 0; i < 1000; i++) ids.push(pool.intern(bytesOf(i, 40), 0, 40, summary));
  const bytesBefore = pool.byteLength;
  for (let round = 0; round < 20; round++) {
    for (const id of ids.splice(0)) pool.release(id);
    for (let i = 0; i < 1000; i++) ids.push(pool.intern(bytesOf(round * 1000 + i + 5000, 40), 0, 40, summary));
  }
  assert.equal(pool.byteLength, bytesBefore, 'no growth under churn of equal-length sets');
});

test('while held, released sets keep their bytes and ids (an intern revives them); the last unhold frees what is still unreferenced', () => {
  const pool = new AttributePool({ initialSets: 16 });
  const summary = emptySummary();
  const ids = Array.from({ length: 100 }, (_, i) => pool.intern(bytesOf(i, 24), 0, 24, summary));
  pool.hold();
  pool.hold();
  for (const id of ids) assert.equal(pool.release(id), false, 'deferred, not freed');
  // Growth and rehashing while held keep the deferred sets findable.
  const fresh = Array.from({ length: 200 }, (_, i) => pool.intern(bytesOf(i, 25), 0, 25, summary)); // other bytes: other length
  for (const id of fresh) assert.ok(!ids.includes(id), 'no deferred id is reused');
  ids.forEach((id, i) => {
    assert.ok(pool.isKept(id));
    assert.deepEqual([...pool.bytes(id)], [...bytesOf(i, 24)], 'bytes intact');
  });
  assert.equal(pool.intern(bytesOf(7, 24), 0, 24, summary), ids[7], 'an intern of the same bytes revives the set');
  const freed: number[] = [];
  pool.unhold((id) => freed.push(id));
  assert.equal(freed.length, 0, 'one hold is still on');
  pool.unhold((id) => freed.push(id));
  assert.deepEqual(freed.sort((a, b) => a - b), ids.filter((_, i) => i !== 7).sort((a, b) => a - b));
  assert.equal(pool.size, 200 + 1);
  assert.ok(!pool.isKept(ids[0]!));
  assert.throws(() => pool.unhold(() => {}), RangeError);
});

test('a stamp names one interning of an id: retainStamped takes a live set again, never a freed, reused or held-unreferenced one', () => {
  const pool = new AttributePool({ initialSets: 16 });
  const summary = emptySummary();
  const a = pool.intern(bytesOf(1, 24), 0, 24, summary);
  const stampA = pool.stampOf(a);
  assert.equal(pool.retainStamped(a, stampA), true);
  assert.equal(pool.refCount(a), 2);
  assert.equal(pool.retainStamped(a, stampA + 1), false, 'another stamp');
  assert.equal(pool.retainStamped(0, pool.stampOf(0)), false, 'id 0 is never a set');
  assert.equal(pool.retainStamped(pool.idBound, 0), false, 'an id never handed out');
  pool.release(a);
  pool.release(a);
  assert.equal(pool.retainStamped(a, stampA), false, 'freed');
  const b = pool.intern(bytesOf(2, 24), 0, 24, summary);
  assert.equal(b, a, 'the freed id is handed out again');
  assert.equal(pool.retainStamped(a, stampA), false, 'reused for other bytes: the old stamp does not name it');
  assert.notEqual(pool.stampOf(b), stampA);
  assert.equal(pool.retainStamped(b, pool.stampOf(b)), true);
  assert.equal(pool.refCount(b), 2);
  // Held: a set whose last reference went stays on its chain; only an intern by bytes revives it.
  const stampB = pool.stampOf(b);
  pool.hold();
  pool.release(b);
  pool.release(b);
  assert.equal(pool.retainStamped(b, stampB), false, 'unreferenced while held');
  assert.equal(pool.intern(bytesOf(2, 24), 0, 24, summary), b, 'revived by its bytes');
  assert.equal(pool.stampOf(b), stampB, 'revived, not re-inserted: same stamp');
  assert.equal(pool.retainStamped(b, stampB), true);
  pool.unhold(() => {});
  assert.equal(pool.refCount(b), 2);
});

test('every interned set keeps its summary however far the id space grows (ids past 1283 once lost theirs)', () => {
  const pool = new AttributePool();
  const summary = emptySummary();
  const ids: number[] = [];
  const n = 40_000;
  for (let i = 0; i < n; i++) {
    summary.originAs = 64_512 + i;
    summary.localPref = i % 300;
    summary.med = i;
    summary.asPathLength = 1 + (i % 9);
    summary.origin = i % 3;
    summary.flags = 7;
    const bytes = new Uint8Array([i & 255, (i >>> 8) & 255, (i >>> 16) & 255, 1, 2, 3]);
    ids.push(pool.intern(bytes, 0, bytes.length, summary));
  }
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    const got = [pool.originAs(id), pool.localPref(id), pool.med(id), pool.asPathLength(id), pool.origin(id), pool.flags(id)];
    assert.deepEqual(got, [64_512 + i, i % 300, i, 1 + (i % 9), i % 3, 7], `set ${i} (id ${id})`);
  }
});

test('releaseLater leaves sets chained until freePending frees them in id order, in budgeted calls; an intern revives one, a hold defers the rest', () => {
  const pool = new AttributePool({ initialSets: 16, initialBytes: 64 });
  const summary = emptySummary();
  const ids = Array.from({ length: 200 }, (_, i) => pool.intern(bytesOf(i, 24), 0, 24, summary));
  pool.retain(ids[5]!);
  for (const id of [...ids].reverse()) pool.releaseLater(id);
  assert.equal(pool.pendingFrees, 199, 'one set keeps a reference');
  assert.equal(pool.size, 200, 'nothing freed yet');
  // Growth and rehashing while pending keep the sets findable and their bytes intact.
  const fresh = Array.from({ length: 200 }, (_, i) => pool.intern(bytesOf(i, 25), 0, 25, summary));
  for (const id of fresh) assert.ok(!ids.includes(id), 'no pending id is reused');
  ids.forEach((id, i) => {
    assert.ok(pool.isKept(id));
    assert.deepEqual([...pool.bytes(id)], [...bytesOf(i, 24)], 'bytes intact');
  });
  assert.equal(pool.intern(bytesOf(7, 24), 0, 24, summary), ids[7], 'an intern of the same bytes revives the set');
  // Revived, then released the ordinary way: freed at once, no longer pending; its id is
  // handed out again and the chains stay sound through a rehash.
  assert.equal(pool.intern(bytesOf(9, 24), 0, 24, summary), ids[9]);
  assert.equal(pool.release(ids[9]!), true);
  assert.equal(pool.pendingFrees, 198);
  const more = Array.from({ length: 250 }, (_, i) => pool.intern(bytesOf(i, 26), 0, 26, summary));
  assert.ok(more.includes(ids[9]!), 'the freed id is reused');
  more.forEach((id, i) => assert.equal(pool.find(bytesOf(i, 26), 0, 26), id));
  for (const id of more) pool.release(id);
  const freed: number[] = [];
  let calls = 0;
  while (pool.pendingFrees > 0 && calls < 100) {
    const units = pool.freePending(10, (id) => freed.push(id));
    assert.ok(units >= 1 && units <= 11, `${units} units for a budget of 10`);
    calls++;
    if (calls === 5) pool.hold();
  }
  assert.ok(calls > 4, `${calls} calls`);
  const before = freed.length;
  assert.deepEqual(freed, [...freed].sort((a, b) => a - b), 'ascending id order');
  assert.ok(before > 1 && before < 198, `${before} freed before the hold`);
  // The hold took the rest as deferred frees: the last unhold frees them.
  pool.unhold((id) => freed.push(id));
  assert.deepEqual(freed.sort((a, b) => a - b), ids.filter((_, i) => i !== 5 && i !== 7 && i !== 9).sort((a, b) => a - b));
  assert.equal(pool.size, 200 + 2);
  assert.equal(pool.refCount(ids[5]!), 1);
  assert.equal(pool.refCount(ids[7]!), 1);
  assert.equal(pool.freePending(10, () => assert.fail('nothing pending')), 0);
  assert.throws(() => pool.releaseLater(ids[0]!), RangeError);
});
