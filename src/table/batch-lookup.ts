/**
 * Batch longest-prefix match: many addresses walked through the trie side by side, one level
 * at a time, so the cache misses of different lookups overlap (see DESIGN.md, "Batch
 * lookups"). {@link PrefixTableReader.lookupBatchV4} / `lookupBatchV6` call these with the
 * view's words, root and first level.
 */
import { RibstoreError } from '../errors.js';
import { LEAF_KEY, LEAF_META, LEAF_VALUE, CHILD_ARRAY, CHILD_BITS, PREFIX_ARRAY, PREFIX_COUNT, topBits } from './layout.js';
import { leafContainsV6 } from './leaf-match.js';
import { childRankIn, longestInNode, prefixRank } from './node-rank.js';
import { type CompiledLevel, DEEPER, STALE, runAt } from './compiled-level.js';
import type { CompiledV6 } from './compiled-v6.js';

/** Addresses a batch lookup walks through the trie side by side. */
export const BATCH_LANES = 16;

/** Per-lane state of a batch lookup, kept by each reader so batches allocate nothing. */
export class BatchLanes {
  /** Node the lane stands on, 0 once the lane has finished its descent. */
  readonly node = new Int32Array(BATCH_LANES);
  /** Deepest node with a match so far (0 none, -1 answered already). */
  readonly best = new Int32Array(BATCH_LANES);
  /** ART index of that match. */
  readonly index = new Int32Array(BATCH_LANES);
  /** Value when the lane's subtree below the first level matches nothing. */
  readonly otherwise = new Int32Array(BATCH_LANES);
}

/**
 * Batch IPv4 lookup: `out[i] = lookupV4(addresses[i])` (-1 for no match). Returns `out`.
 *
 * Addresses go through the trie in groups of {@link BATCH_LANES}, one level at a time for
 * the whole group, so the cache misses of different addresses overlap instead of queueing
 * behind each other (a lookup is a chain of dependent loads; a group is many chains).
 *
 * Why, in numbers (this VM, 14 MiB working set): a dependent pointer chase costs about
 * 170 ns per load, 16 independent chases stepped in lockstep about 15 ns per load. On the
 * full table (1.06 M prefixes, 1 M addresses inside stored prefixes,
 * bench/table-batch-micro.ts, medians) this walk gets only part of that: 238–298 ns per
 * address against 285–321 ns for single lookups, likely because a lane's step is long and
 * branches on its own misses (see src/table/DESIGN.md, "Batch lookups").
 * @throws RibstoreError `INVALID_ARGUMENT` if `out` is shorter than `addresses`.
 */
export function lookupBatchV4(
  a: Int32Array,
  root: number,
  first: Int32Array | null,
  compiled: CompiledLevel | null,
  lanes: BatchLanes,
  addresses: Uint32Array,
  out: Int32Array,
): Int32Array {
  if (out.length < addresses.length) {
    throw new RibstoreError('INVALID_ARGUMENT', `result array holds ${out.length}, needs ${addresses.length}`);
  }
  const laneNode = lanes.node;
  const laneBest = lanes.best;
  const laneIndex = lanes.index;
  const laneOtherwise = lanes.otherwise;
  const n = addresses.length;
  for (let base = 0; base < n; base += BATCH_LANES) {
    const m = Math.min(BATCH_LANES, n - base);
    let active = m;
    // Most groups are answered by the compiled slots alone (CONSTANT slots and block runs).
    if (compiled !== null && first !== null && compiledStep(a, first, compiled, lanes, addresses, base, m, out) === 0) continue;
    for (let i = 0; i < m; i++) {
      if (compiled !== null && laneBest[i] === -1) {
        // Answered by its compiled block.
        laneNode[i] = 0;
        active--;
        continue;
      }
      laneNode[i] = root;
      laneBest[i] = 0;
      laneOtherwise[i] = -1;
      if (first === null) continue;
      const address = addresses[base + i]!;
      const h = (address >>> 16) << 1;
      const subtree = first[h]!;
      const otherwise = first[h + 1]!;
      laneOtherwise[i] = otherwise;
      laneNode[i] = subtree > 0 ? subtree : 0;
      if (subtree > 0) continue;
      active--;
      laneBest[i] = -1;
      out[base + i] =
        subtree < 0 && ((address ^ a[-subtree + LEAF_KEY]!) & topBits(a[-subtree + LEAF_META]! & 255)) === 0
          ? a[-subtree + LEAF_VALUE]!
          : otherwise;
    }
    for (let shift = first === null ? 24 : 8; active > 0; shift -= 8) {
      for (let i = 0; i < m; i++) {
        const node = laneNode[i]!;
        if (node === 0) continue;
        const address = addresses[base + i]!;
        const o = (address >>> shift) & 255;
        if (a[node + PREFIX_COUNT] !== 0) {
          const index = longestInNode(a, node, o);
          if (index !== 0) {
            laneBest[i] = node;
            laneIndex[i] = index;
          }
        }
        const bits = a[node + CHILD_BITS + (o >> 5)]!;
        if (((bits >>> o) & 1) === 0) {
          laneNode[i] = 0;
          active--;
          continue;
        }
        const r = childRankIn(a, node, o, bits);
        const slot = a[a[node + CHILD_ARRAY]! + r]!;
        if (slot > 0) {
          laneNode[i] = slot;
          continue;
        }
        const leaf = -slot;
        if (((address ^ a[leaf + LEAF_KEY]!) & topBits(a[leaf + LEAF_META]! & 255)) === 0) {
          out[base + i] = a[leaf + LEAF_VALUE]!;
          laneBest[i] = -1;
        }
        laneNode[i] = 0;
        active--;
      }
    }
    for (let i = 0; i < m; i++) {
      const best = laneBest[i]!;
      if (best === -1) continue;
      out[base + i] = best === 0 ? laneOtherwise[i]! : a[a[best + PREFIX_ARRAY]! + prefixRank(a, best, laneIndex[i]!)]!;
    }
  }
  return out;
}

/**
 * The compiled blocks' part of a group (compiled-level.ts), in three passes over the lanes so
 * that each pass's loads are independent of each other: the slot word of each lane's /16 (a
 * stale slot is compiled here), then the block's bitmap and base words, then the run value.
 * A lane answered there (a CONSTANT slot, or a run value other than DEEPER) gets `laneBest` -1
 * and its value in `out`; the others (a DEEPER run) get `laneBest` 0 and go through the trie
 * walk. Returns the number of those others.
 */
function compiledStep(
  a: Int32Array,
  first: Int32Array,
  compiled: CompiledLevel,
  lanes: BatchLanes,
  addresses: Uint32Array,
  base: number,
  m: number,
  out: Int32Array,
): number {
  const slot = lanes.node;
  const at = lanes.index;
  const laneBest = lanes.best;
  for (let i = 0; i < m; i++) {
    const h = addresses[base + i]! >>> 16;
    let block = compiled.words[h]!;
    if (block === STALE) block = compiled.compile(a, h, first[2 * h]!, first[2 * h + 1]!);
    slot[i] = block;
  }
  const f = compiled.words;
  for (let i = 0; i < m; i++) {
    const block = slot[i]!;
    if (block <= STALE) continue;
    at[i] = runAt(f, block, (addresses[base + i]! >>> 8) & 255);
  }
  let deeper = 0;
  for (let i = 0; i < m; i++) {
    const s = slot[i]!;
    const v = s > STALE ? f[at[i]!]! : ~s;
    out[base + i] = v;
    if (v !== DEEPER) laneBest[i] = -1;
    else {
      laneBest[i] = 0;
      deeper++;
    }
  }
  return deeper;
}

/**
 * Batch IPv6 lookup: `addresses` holds four words per address, `out[i]` gets the value for
 * address i (words 4i..4i+3), -1 for no match. Interleaved like
 * {@link lookupBatchV4}. Returns `out`.
 * @throws RibstoreError `INVALID_ARGUMENT` if the lengths do not fit.
 */
export function lookupBatchV6(
  a: Int32Array,
  root: number,
  first: Int32Array | null,
  lanes: BatchLanes,
  addresses: Uint32Array,
  out: Int32Array,
): Int32Array {
  const n = addresses.length >> 2;
  if ((addresses.length & 3) !== 0 || out.length < n) {
    throw new RibstoreError(
      'INVALID_ARGUMENT',
      `IPv6 batch needs 4 words per address (got ${addresses.length}) and room for ${n} results (got ${out.length})`,
    );
  }
  const laneNode = lanes.node;
  const laneBest = lanes.best;
  const laneIndex = lanes.index;
  const laneOtherwise = lanes.otherwise;
    for (let base = 0; base < n; base += BATCH_LANES) {
    const m = Math.min(BATCH_LANES, n - base);
    let active = m;
    for (let i = 0; i < m; i++) {
      laneNode[i] = root;
      laneBest[i] = 0;
      laneOtherwise[i] = -1;
      if (first === null) continue;
      const j = (base + i) << 2;
      const h = (addresses[j]! >>> 16) << 1;
      const subtree = first[h]!;
      const otherwise = first[h + 1]!;
      laneOtherwise[i] = otherwise;
      laneNode[i] = subtree > 0 ? subtree : 0;
      if (subtree > 0) continue;
      active--;
      laneBest[i] = -1;
      out[base + i] =
        subtree < 0 && leafContainsV6(a, -subtree, addresses[j]!, addresses[j + 1]!, addresses[j + 2]!, addresses[j + 3]!)
          ? a[-subtree + LEAF_VALUE]!
          : otherwise;
    }
    for (let depth = first === null ? 0 : 2; active > 0; depth++) {
      const wordOffset = depth >> 2;
      const shift = 24 - ((depth & 3) << 3);
      for (let i = 0; i < m; i++) {
        const node = laneNode[i]!;
        if (node === 0) continue;
        const j = (base + i) << 2;
        const o = (addresses[j + wordOffset]! >>> shift) & 255;
        if (a[node + PREFIX_COUNT] !== 0) {
          const index = longestInNode(a, node, o);
          if (index !== 0) {
            laneBest[i] = node;
            laneIndex[i] = index;
          }
        }
        const bits = a[node + CHILD_BITS + (o >> 5)]!;
        if (((bits >>> o) & 1) === 0) {
          laneNode[i] = 0;
          active--;
          continue;
        }
        const r = childRankIn(a, node, o, bits);
        const slot = a[a[node + CHILD_ARRAY]! + r]!;
        if (slot > 0) {
          laneNode[i] = slot;
          continue;
        }
        const leaf = -slot;
        if (leafContainsV6(a, leaf, addresses[j]!, addresses[j + 1]!, addresses[j + 2]!, addresses[j + 3]!)) {
          out[base + i] = a[leaf + LEAF_VALUE]!;
          laneBest[i] = -1;
        }
        laneNode[i] = 0;
        active--;
      }
    }
    for (let i = 0; i < m; i++) {
      const best = laneBest[i]!;
      if (best === -1) continue;
      out[base + i] = best === 0 ? laneOtherwise[i]! : a[a[best + PREFIX_ARRAY]! + prefixRank(a, best, laneIndex[i]!)]!;
    }
  }
  return out;
}

/**
 * Batch IPv6 lookup through the compiled IPv6 blocks (compiled-v6.ts) below a first level:
 * `out[i]` = the longest match of address i (words 4i..4i+3), -1 for none. Returns `out`.
 * @throws RibstoreError `INVALID_ARGUMENT` if the lengths do not fit.
 */
export function lookupBatchCompiledV6(a: Int32Array, first: Int32Array, compiled: CompiledV6, addresses: Uint32Array, out: Int32Array): Int32Array {
  const n = addresses.length >> 2;
  if ((addresses.length & 3) !== 0 || out.length < n) {
    throw new RibstoreError(
      'INVALID_ARGUMENT',
      `IPv6 batch needs 4 words per address (got ${addresses.length}) and room for ${n} results (got ${out.length})`,
    );
  }
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const w0 = addresses[j]!;
    const h = (w0 >>> 16) << 1;
    const subtree = first[h]!;
    const otherwise = first[h + 1]!;
    if (subtree === 0) out[i] = otherwise;
    else if (subtree < 0) {
      out[i] = leafContainsV6(a, -subtree, w0, addresses[j + 1]!, addresses[j + 2]!, addresses[j + 3]!) ? a[-subtree + LEAF_VALUE]! : otherwise;
    } else out[i] = compiled.lookup(a, h >>> 1, subtree, otherwise, w0, addresses[j + 1]!, addresses[j + 2]!, addresses[j + 3]!);
  }
  return out;
}
