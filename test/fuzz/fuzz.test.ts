/**
 * The short fuzz run of `npm test`: every registered target (fuzz/targets/index.ts, so BMP
 * and MRT targets join automatically) gets its seeds plus a few thousand mutated inputs,
 * in-process, and must produce no finding. `npm run fuzz` is the long run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzTarget } from '../../fuzz/engine.js';
import { bitFlip, lengthLie, MUTATORS, mutate, randomBytes, splice, truncate } from '../../fuzz/mutators.js';
import { FuzzRandom } from '../../fuzz/random.js';
import { targets } from '../../fuzz/targets/index.js';
import { RibstoreError } from '../../src/errors.js';

const INPUTS_PER_TARGET = 3000;

for (const target of targets) {
  test(`fuzz target ${target.name}: ${INPUTS_PER_TARGET} mutated inputs, no findings`, () => {
    const result = fuzzTarget(target, { inputs: INPUTS_PER_TARGET, seed: 20240601, slowMs: 1000 });
    const report = result.findings.map((f) => `${f.kind}: ${f.message}\ninput ${Buffer.from(f.input).toString('hex')}`).join('\n\n');
    assert.equal(result.findings.length, 0, report);
    assert.equal(result.inputs, target.seeds.length + INPUTS_PER_TARGET);
  });
}

test('target names are unique', () => {
  assert.equal(new Set(targets.map((t) => t.name)).size, targets.length);
});

test('the engine reports a non-RibstoreError as a finding and keeps the input', () => {
  const seeds = [new Uint8Array([1, 2, 3, 4])];
  const result = fuzzTarget(
    {
      name: 'planted-bug',
      seeds,
      run(input) {
        if (input.length > 0 && input[0] === 0xff) throw new TypeError('planted');
        throw new RibstoreError('DECODE_ERROR', 'rejected');
      },
    },
    { inputs: 5000, seed: 7 },
  );
  assert.equal(result.findings.length, 1);
  const finding = result.findings[0]!;
  assert.equal(finding.kind, 'exception');
  assert.match(finding.message, /TypeError: planted/);
  assert.equal(finding.input[0], 0xff);
  assert.ok(finding.count >= 1);
  assert.equal(result.rejected + finding.count, result.inputs);
});

test('the same seed gives the same inputs', () => {
  const a = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
  const b = new Uint8Array([9, 9, 9]);
  const run = () => {
    const random = new FuzzRandom(42);
    return Array.from({ length: 50 }, () => Buffer.from(mutate(a, b, random, 64)).toString('hex'));
  };
  assert.deepEqual(run(), run());
});

test('mutators stay within the length bound and leave their input unchanged', () => {
  const random = new FuzzRandom(3);
  const input = new Uint8Array(40).map((_, i) => i);
  const copy = new Uint8Array(input);
  for (let i = 0; i < 2000; i++) {
    const m = MUTATORS[i % MUTATORS.length]!;
    const out = m.mutate(input, copy, random, 48);
    assert.ok(out.length <= 48, `${m.name} made ${out.length} bytes`);
  }
  assert.deepEqual(input, copy);
  assert.ok(truncate(input, input, random, 48).length <= 40);
  assert.notDeepEqual(bitFlip(input, input, random, 48), input);
  assert.ok(randomBytes(input, input, random, 48).length <= 256);
  assert.ok(splice(input, new Uint8Array(100), random, 48).length <= 48);
});

test('a length lie changes a big-endian field by a bounded amount or to an extreme', () => {
  const random = new FuzzRandom(11);
  let changed = 0;
  for (let i = 0; i < 500; i++) {
    const out = lengthLie(new Uint8Array([0, 0x10, 0, 0x20]), new Uint8Array(0), random, 64);
    assert.equal(out.length, 4);
    if (Buffer.compare(out, Buffer.from([0, 0x10, 0, 0x20])) !== 0) changed++;
  }
  assert.ok(changed > 400);
});
