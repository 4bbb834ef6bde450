/** prefaultPages: touching pages in a worker never changes what the loading thread writes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrowableArray } from '../../src/rib/growable.js';
import { prefaultPages } from '../../src/rib/prefault-pages.js';

test('prefaultPages touches the ranges without changing a byte, while this thread writes into them', async () => {
  const words = new GrowableArray(Uint32Array, 16);
  const n = 1 << 22; // 16 MiB: the worker is still touching while the writes below run
  const view = words.ensure(n);
  for (let i = 0; i < 1024; i++) view[i * 997] = i + 1; // written before
  const done = prefaultPages([
    { buffer: words.shared, start: 0, end: n * 4 },
    { buffer: words.shared, start: 10, end: 10 }, // empty, unaligned: nothing to do
  ]);
  for (let i = 0; i < n; i += 1031) view[i] = (i ^ 0x5a5a5a5a) >>> 0; // written meanwhile
  await done;
  for (let i = 0; i < 1024; i++) if (i * 997 % 1031 !== 0) assert.equal(view[i * 997], i + 1);
  for (let i = 0; i < n; i += 1031) assert.equal(view[i], (i ^ 0x5a5a5a5a) >>> 0);
  let others = 0;
  for (let i = 0; i < n; i++) if (i % 1031 !== 0 && i % 997 !== 0 && view[i] !== 0) others++;
  assert.equal(others, 0, 'untouched words stay zero');
  await prefaultPages([]);
});
