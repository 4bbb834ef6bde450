/** The table's building blocks: popcount and rank, ART indices and their ancestor masks, the arena. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Arena, RESERVED_WORDS, capacityFor } from '../../src/table/arena.js';
import { ANCESTOR_MASKS, artIndex, artLength, artOctet } from '../../src/table/art.js';
import { nextSetBit, popcount32, rank } from '../../src/table/bitset.js';
import {
  CHILD_ARRAY,
  CHILD_BITS,
  CHILD_COUNT,
  CHILD_RANKS,
  NODE_WORDS,
  PREFIX_BITS,
  PREFIX_COUNT,
  PREFIX_RANKS,
} from '../../src/table/layout.js';
import { updateChildRanks, updatePrefixRanks } from '../../src/table/node-rank.js';
import { PrefixTable } from '../../src/index.js';
import { lcg } from './tables.js';

test('popcount32 and rank count bits like a loop does', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 8, maxLength: 8 }), fc.nat(255), (ws, i) => {
      const words = Int32Array.from(ws);
      let slow = 0;
      for (let b = 0; b < i; b++) slow += (words[b >> 5]! >>> (b & 31)) & 1;
      assert.equal(rank(words, 0, i), slow);
      let next = -1;
      for (let b = i; b < 256; b++) {
        if ((words[b >> 5]! >>> (b & 31)) & 1) {
          next = b;
          break;
        }
      }
      assert.equal(nextSetBit(words, 0, 8, i), next);
      for (const w of words) assert.equal(popcount32(w), slowPop(w));
    }),
  );
});

function slowPop(x: number): number {
  let n = 0;
  for (let b = 0; b < 32; b++) n += (x >>> b) & 1;
  return n;
}

test('ART indices round-trip and the ancestor masks hold exactly the covering prefixes', () => {
  for (let octet = 0; octet < 256; octet++) {
    for (let r = 0; r <= 8; r++) {
      const index = artIndex(octet, r);
      assert.equal(artLength(index), r);
      assert.equal(artOctet(index), octet & (0xff00 >> r) & 255);
    }
    for (let index = 1; index < 512; index++) {
      const r = artLength(index);
      const covers = ((artOctet(index) ^ octet) & (0xff00 >> r) & 255) === 0;
      const inMask = ((ANCESTOR_MASKS[octet * 16 + (index >> 5)]! >>> (index & 31)) & 1) === 1;
      assert.equal(inMask, covers, `octet ${octet} index ${index}`);
    }
  }
});

test('arena reuses freed blocks by size and keeps its counters balanced', () => {
  const arena = new Arena({ initialBytes: 4096 });
  const a = arena.alloc(5);
  const b = arena.alloc(5);
  const line = arena.allocLine();
  assert.equal(line % 16, 0, 'node blocks are 64-byte aligned');
  arena.free(a, 5);
  assert.equal(arena.alloc(5), a, 'a freed block is handed out again');
  arena.free(b, 5);
  arena.free(a, 5);
  arena.freeLine(line);
  const s = arena.stats();
  assert.equal(s.liveWords, 0);
  assert.equal(s.liveWords + s.freeWords + RESERVED_WORDS, s.topWords);
  // Growth keeps the contents.
  const big = arena.alloc(500);
  arena.words[big + 499] = 42;
  for (let i = 0; i < 100; i++) arena.alloc(500);
  assert.equal(arena.words[big + 499], 42);
  for (let n = 1; n <= 512; n++) {
    assert.ok(capacityFor(n) >= n && capacityFor(n) <= Math.ceil(n * 1.25) + 1, `capacity of ${n}`);
    assert.ok(capacityFor(n) >= capacityFor(n - 1));
  }
});

test('a shared arena grows in place and old views still read', () => {
  const arena = new Arena({ shared: true, initialBytes: 4096, maxBytes: 1 << 20 });
  const first = arena.words;
  const at = arena.alloc(10);
  first[at] = 7;
  for (let i = 0; i < 100; i++) arena.alloc(100);
  assert.ok(arena.words.length > first.length);
  assert.equal(arena.words.buffer, first.buffer, 'same shared buffer');
  assert.equal(arena.words[at], 7);
  assert.throws(() => {
    for (let i = 0; i < 10000; i++) arena.alloc(500);
  }, /LIMIT|maximum/);
});

test('incrementally kept rank words and counts equal a recomputation in every node', () => {
  const table = new PrefixTable();
  const random = lcg(3);
  const kept: [number, number][] = [];
  for (let i = 0; i < 30_000; i++) {
    const network = random() & 0x0fffffff;
    const length = 1 + (random() % 32);
    table.setWords(4, network, 0, 0, 0, length, i);
    kept.push([network, length]);
    if (i % 3 === 0) {
      const [n, l] = kept[random() % kept.length]!;
      table.deleteWords(4, n, 0, 0, 0, l);
    }
  }
  const internals = table as unknown as { words: Int32Array; rootV4: number };
  const a = internals.words;
  const scratch = new Int32Array(NODE_WORDS);
  let nodes = 0;
  const visit = (node: number): void => {
    nodes++;
    scratch.set(a.subarray(node, node + NODE_WORDS));
    updateChildRanks(scratch, 0);
    updatePrefixRanks(scratch, 0);
    assert.equal(a[node + CHILD_RANKS], scratch[CHILD_RANKS]);
    assert.equal(a[node + CHILD_RANKS + 1], scratch[CHILD_RANKS + 1]);
    assert.equal(a[node + PREFIX_RANKS], scratch[PREFIX_RANKS]);
    let children = 0;
    let prefixes = 0;
    for (let w = 0; w < 8; w++) children += popcount32(a[node + CHILD_BITS + w]!);
    for (let w = 0; w < 16; w++) prefixes += popcount32(a[node + PREFIX_BITS + w]!);
    assert.equal(a[node + CHILD_COUNT], children);
    assert.equal(a[node + PREFIX_COUNT], prefixes);
    for (let i = 0; i < children; i++) {
      const slot = a[a[node + CHILD_ARRAY]! + i]!;
      if (slot > 0) visit(slot);
    }
  };
  visit(internals.rootV4);
  assert.ok(nodes > 100, `a deep enough trie (${nodes} nodes)`);
});
