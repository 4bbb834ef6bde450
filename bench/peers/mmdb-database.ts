/**
 * A MaxMind DB (MMDB, binary format 2.0) built from one family's prefixes, so that `mmdb-lib`
 * can be asked the same questions as ribstore. No MMDB writer exists on npm; this one writes only
 * what the benchmark needs, straight from the format specification:
 *
 *   [ search tree: nodeCount nodes x 8 bytes (two 32-bit big-endian records: left, right) ]
 *   [ 16 zero bytes: data section separator ]
 *   [ data section: one UTF-8 string per prefix (its canonical text) ]
 *   [ "\xAB\xCD\xEFMaxMind.com" + metadata map ]
 *
 * A record holds: a node number (< nodeCount), nodeCount meaning "no data", or
 * nodeCount + 16 + offset of a value in the data section.
 *
 * The tree is a binary trie of depth 32 (IPv4, `ip_version` 4) or 128 (IPv6). MMDB has no
 * "value on an inner node": a lookup stops at the first data record. So longest-prefix match is
 * encoded by pushing each prefix's value down into every empty record beneath it: while writing,
 * each subtree inherits the value of the nearest stored prefix above it, and an empty branch
 * becomes a data record for that inherited value. The string stored for a prefix is its own
 * canonical text, so the answer names the matched (longest) prefix exactly, whatever depth the
 * lookup ends at.
 */

/** A finished database and what it took to build. */
export interface MmdbDatabase {
  /** The whole database file. */
  readonly bytes: Buffer;
  /** Search-tree nodes written. */
  readonly nodeCount: number;
}

/** Growable struct-of-arrays binary trie: child links and the stored prefix index per node. */
class BinaryTrie {
  left = new Int32Array(1 << 16);
  right = new Int32Array(1 << 16);
  value = new Int32Array(1 << 16).fill(-1);
  size = 1; // node 0 is the root

  private grow(): void {
    const capacity = this.left.length * 2;
    const left = new Int32Array(capacity);
    left.set(this.left);
    const right = new Int32Array(capacity);
    right.set(this.right);
    const value = new Int32Array(capacity).fill(-1);
    value.set(this.value);
    this.left = left;
    this.right = right;
    this.value = value;
  }

  /** Store prefix `index` with network bits `words` (most significant first) and `length`. */
  insert(words: Uint32Array, offset: number, length: number, index: number): void {
    let node = 0;
    for (let depth = 0; depth < length; depth++) {
      const bit = (words[offset + (depth >>> 5)]! >>> (31 - (depth & 31))) & 1;
      const links = bit === 0 ? this.left : this.right;
      let child = links[node]!;
      if (child === 0) {
        if (this.size === this.left.length) this.grow();
        child = this.size++;
        (bit === 0 ? this.left : this.right)[node] = child;
      }
      node = child;
    }
    this.value[node] = index;
  }
}

/** Encode an MMDB control byte (+ size bytes) for `type` and `size` into `out`. */
function control(out: number[], type: number, size: number): void {
  const extended = type > 7;
  const first = (extended ? 0 : type << 5) | (size < 29 ? size : size < 285 ? 29 : size < 65821 ? 30 : 31);
  out.push(first);
  if (extended) out.push(type - 7);
  if (size >= 29 && size < 285) out.push(size - 29);
  else if (size >= 285 && size < 65821) out.push((size - 285) >>> 8, (size - 285) & 255);
  else if (size >= 65821) {
    const s = size - 65821;
    out.push((s >>> 16) & 255, (s >>> 8) & 255, s & 255);
  }
}

function encodeString(out: number[], text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  control(out, 2, bytes.length);
  for (const b of bytes) out.push(b);
}

/** Unsigned integer of MMDB type 5 (uint16), 6 (uint32) or 9 (uint64), minimal big-endian bytes. */
function encodeUnsigned(out: number[], type: 5 | 6 | 9, value: number): void {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  control(out, type, bytes.length);
  out.push(...bytes);
}

type MetadataValue = { uint16: number } | { uint32: number } | { uint64: number } | string | string[] | Record<string, string>;

function encodeValue(out: number[], value: MetadataValue): void {
  if (typeof value === 'string') encodeString(out, value);
  else if (Array.isArray(value)) {
    control(out, 11, value.length);
    for (const item of value) encodeString(out, item);
  } else if ('uint16' in value) encodeUnsigned(out, 5, value.uint16 as number);
  else if ('uint32' in value) encodeUnsigned(out, 6, value.uint32 as number);
  else if ('uint64' in value) encodeUnsigned(out, 9, value.uint64 as number);
  else {
    const entries = Object.entries(value as Record<string, string>);
    control(out, 7, entries.length);
    for (const [k, v] of entries) {
      encodeString(out, k);
      encodeString(out, v);
    }
  }
}

/**
 * Build an MMDB over the prefixes `indices[k]` (k = 0..n-1) of numeric columns `words` (1 word
 * per prefix for IPv4, 4 for IPv6) and `lengths`; the value stored for prefix `indices[k]` is
 * `text[k]`, its canonical text.
 */
export function buildMmdb(family: 4 | 6, words: Uint32Array, lengths: Uint8Array, indices: Uint32Array, text: readonly string[]): MmdbDatabase {
  const width = family === 4 ? 1 : 4;
  const trie = new BinaryTrie();
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    trie.insert(words, i * width, lengths[i]!, i);
  }

  // Data section: each stored prefix's text once (ASCII; a prefix text is under 285 bytes, so
  // its control is one byte, or two from 29 bytes on).
  const data = Buffer.alloc(text.reduce((sum, t) => sum + t.length + 2, 0));
  const dataOffset = new Map<number, number>();
  let used = 0;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const t = text[k]!;
    dataOffset.set(i, used);
    if (t.length < 29) data[used++] = (2 << 5) | t.length;
    else {
      data[used++] = (2 << 5) | 29;
      data[used++] = t.length - 29;
    }
    used += data.write(t, used, 'latin1');
  }

  // Number the output nodes: the root and every trie node that has a child (preorder).
  const outNumber = new Int32Array(trie.size).fill(-1);
  let nodeCount = 0;
  const stack: number[] = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    outNumber[node] = nodeCount++;
    const l = trie.left[node]!;
    const r = trie.right[node]!;
    if (r !== 0 && (trie.left[r] !== 0 || trie.right[r] !== 0)) stack.push(r);
    if (l !== 0 && (trie.left[l] !== 0 || trie.right[l] !== 0)) stack.push(l);
  }

  const treeSize = nodeCount * 8;
  const tree = Buffer.alloc(treeSize);
  const dataRecord = (index: number): number => (index < 0 ? nodeCount : nodeCount + 16 + dataOffset.get(index)!);
  // Walk again, carrying the inherited value (nearest stored prefix above) down each subtree.
  const nodes: number[] = [0];
  const inherited: number[] = [-1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const fromAbove = inherited.pop()!;
    const above = trie.value[node]! >= 0 ? trie.value[node]! : fromAbove;
    const at = outNumber[node]! * 8;
    for (let side = 0; side < 2; side++) {
      const child = side === 0 ? trie.left[node]! : trie.right[node]!;
      let record: number;
      if (child === 0) record = dataRecord(above);
      else if (outNumber[child]! >= 0) {
        record = outNumber[child]!;
        nodes.push(child);
        inherited.push(above);
      } else record = dataRecord(trie.value[child]!); // a leaf always holds a prefix
      tree.writeUInt32BE(record, at + side * 4);
    }
  }

  const metadata: number[] = [0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'latin1')];
  const fields: [string, MetadataValue][] = [
    ['binary_format_major_version', { uint16: 2 }],
    ['binary_format_minor_version', { uint16: 0 }],
    ['build_epoch', { uint64: Math.floor(Date.now() / 1000) }],
    ['database_type', 'ribstore-bench-prefixes'],
    ['description', { en: 'prefixes of the ribstore table benchmark; value = matched prefix text' }],
    ['ip_version', { uint16: family }],
    ['languages', ['en']],
    ['node_count', { uint32: nodeCount }],
    ['record_size', { uint16: 32 }],
  ];
  control(metadata, 7, fields.length);
  for (const [key, value] of fields) {
    encodeString(metadata, key);
    encodeValue(metadata, value);
  }
  return { bytes: Buffer.concat([tree, Buffer.alloc(16), data.subarray(0, used), Buffer.from(metadata)]), nodeCount };
}
