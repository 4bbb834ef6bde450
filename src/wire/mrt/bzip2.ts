/**
 * A bzip2 decompressor in plain TypeScript, for the one case the `bzip2` command gets
 * wrong: a truncated file.
 *
 * `bzip2 -dc` decodes a truncated file up to its last complete block but drops the bytes of
 * its final internal read (up to 5000) when it meets the cut, so records that `bgpdump`
 * (which calls libbz2 directly) still prints would be lost. The file reader therefore lets
 * the fast child process do the work and, only when it reports an error, runs this decoder
 * to recover the complete blocks' bytes it withheld.
 *
 * Format (per block, all fields MSB-first bit strings):
 * ```
 * "BZh" level | 0x314159265359 crc32 rand(1) origPtr(24) usedMap(16) used(16 x n)
 *             | groups(3) selectors(15) selectorMTF... code lengths (delta) ...
 *             | Huffman-coded MTF/RLE2 symbols ... | next block or 0x177245385090 crc32
 * ```
 * Invariant: every bit read is bounds-checked; running out of input throws
 * {@link Bzip2TruncatedError} carrying the bytes of the complete blocks, so the caller can
 * still use them; anything else malformed is a {@link DecodeError} at the byte reached.
 * Block CRCs are not verified (the child process already did, for the blocks both produce).
 */
import { DecodeError } from '../../errors.js';

const MESSAGE_TYPE = 'bzip2 stream';

/** Thrown when the input ends inside a block; `output` holds every complete block's bytes. */
export class Bzip2TruncatedError extends DecodeError {
  constructor(
    readonly output: Uint8Array[],
    offset: number,
  ) {
    super(MESSAGE_TYPE, offset, 'the input ends inside a block');
    this.name = 'Bzip2TruncatedError';
  }
}

class BitReader {
  private pos = 0;
  private buffer = 0;
  private count = 0;
  constructor(private readonly bytes: Uint8Array) {}

  bits(n: number): number {
    while (this.count < n) {
      if (this.pos >= this.bytes.length) throw new RangeError('end of input');
      this.buffer = ((this.buffer << 8) | this.bytes[this.pos++]!) >>> 0;
      this.count += 8;
    }
    this.count -= n;
    return (this.buffer >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    return this.bits(1);
  }

  alignToByte(): void {
    this.count -= this.count & 7;
  }

  /** Bytes of input read so far. */
  get offset(): number {
    return this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.bytes.length && this.count < 8;
  }
}

const MAX_GROUPS = 6;
const MAX_ALPHA = 258;
const MAX_CODE_LENGTH = 20;

/**
 * Decompress a whole .bz2 file (concatenated streams included).
 * @throws Bzip2TruncatedError when the data ends inside a block (with the complete blocks' bytes);
 *   DecodeError for data that is not bzip2 or a malformed block.
 */
export function bunzip2(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = new BitReader(input);
  try {
    let first = true;
    while (first || !r.atEnd()) {
      first = false;
      if (r.bits(8) !== 0x42 || r.bits(8) !== 0x5a || r.bits(8) !== 0x68) throw corrupt(r, 'not a bzip2 stream');
      const level = r.bits(8) - 0x30;
      if (level < 1 || level > 9) throw corrupt(r, 'bad bzip2 block size');
      const tt = new Uint32Array(level * 100000);
      for (;;) {
        const magicHigh = r.bits(24);
        const magicLow = r.bits(24);
        r.bits(16);
        r.bits(16); // CRC
        if (magicHigh === 0x177245 && magicLow === 0x385090) break;
        if (magicHigh !== 0x314159 || magicLow !== 0x265359) throw corrupt(r, 'bad bzip2 block magic');
        out.push(decodeBlock(r, tt));
      }
      r.alignToByte();
    }
  } catch (error) {
    if (error instanceof RangeError) throw new Bzip2TruncatedError(out, input.length);
    throw error;
  }
  return out;
}

/** A malformed-stream error at the byte `r` has reached. */
function corrupt(r: BitReader, message: string): DecodeError {
  return new DecodeError(MESSAGE_TYPE, r.offset, message);
}

function decodeBlock(r: BitReader, tt: Uint32Array): Uint8Array {
  if (r.bit()) throw corrupt(r, 'randomised bzip2 blocks are not supported');
  const origPtr = r.bits(24);
  const seqToUnseq = new Uint8Array(256);
  let inUse = 0;
  const groupsUsed = r.bits(16);
  for (let i = 0; i < 16; i++) {
    if (groupsUsed & (0x8000 >>> i)) {
      const bits = r.bits(16);
      for (let j = 0; j < 16; j++) if (bits & (0x8000 >>> j)) seqToUnseq[inUse++] = i * 16 + j;
    }
  }
  if (inUse === 0) throw corrupt(r, 'bzip2 block uses no symbols');
  const alphaSize = inUse + 2;
  const nGroups = r.bits(3);
  if (nGroups < 2 || nGroups > MAX_GROUPS) throw corrupt(r, 'bad bzip2 group count');
  const nSelectors = r.bits(15);
  if (nSelectors < 1) throw corrupt(r, 'bad bzip2 selector count');
  const mtfGroups = [0, 1, 2, 3, 4, 5];
  const selectors = new Uint8Array(nSelectors);
  for (let i = 0; i < nSelectors; i++) {
    let j = 0;
    while (r.bit()) if (++j >= nGroups) throw corrupt(r, 'bad bzip2 selector');
    const v = mtfGroups[j]!;
    for (; j > 0; j--) mtfGroups[j] = mtfGroups[j - 1]!;
    mtfGroups[0] = v;
    selectors[i] = v;
  }
  // Code lengths and canonical Huffman tables (limit/base/perm per group).
  const limits: Int32Array[] = [];
  const bases: Int32Array[] = [];
  const perms: Uint16Array[] = [];
  const minLens: number[] = [];
  const length = new Uint8Array(MAX_ALPHA);
  for (let t = 0; t < nGroups; t++) {
    let len = r.bits(5);
    for (let i = 0; i < alphaSize; i++) {
      for (;;) {
        if (len < 1 || len > MAX_CODE_LENGTH) throw corrupt(r, 'bad bzip2 code length');
        if (!r.bit()) break;
        len += r.bit() ? -1 : 1;
      }
      length[i] = len;
    }
    let minLen = 32;
    let maxLen = 0;
    for (let i = 0; i < alphaSize; i++) {
      if (length[i]! > maxLen) maxLen = length[i]!;
      if (length[i]! < minLen) minLen = length[i]!;
    }
    const perm = new Uint16Array(MAX_ALPHA);
    const limit = new Int32Array(MAX_CODE_LENGTH + 2);
    const base = new Int32Array(MAX_CODE_LENGTH + 2);
    let pp = 0;
    for (let l = minLen; l <= maxLen; l++) for (let s = 0; s < alphaSize; s++) if (length[s] === l) perm[pp++] = s;
    const countAt = new Int32Array(MAX_CODE_LENGTH + 2);
    for (let s = 0; s < alphaSize; s++) countAt[length[s]!]!++;
    let code = 0;
    let index = 0;
    for (let l = minLen; l <= maxLen; l++) {
      base[l] = index - code; // symbol index = code + base[l]
      code += countAt[l]!;
      index += countAt[l]!;
      limit[l] = code - 1;
      code <<= 1;
    }
    limits.push(limit);
    bases.push(base);
    perms.push(perm);
    minLens.push(minLen);
  }
  // Huffman -> MTF/RLE2 -> bytes in tt (low 8 bits), with per-byte counts.
  const eob = inUse + 1;
  const mtf = new Uint8Array(256);
  for (let i = 0; i < 256; i++) mtf[i] = i;
  const unzftab = new Int32Array(256);
  const capacity = tt.length;
  let nblock = 0;
  let groupIndex = -1;
  let groupLeft = 0;
  let runLength = 0;
  let runWeight = 1;
  let limit = limits[0]!;
  let base = bases[0]!;
  let perm = perms[0]!;
  let minLen = 0;
  for (;;) {
    if (groupLeft === 0) {
      groupIndex++;
      if (groupIndex >= nSelectors) throw corrupt(r, 'bzip2 selectors exhausted');
      const g = selectors[groupIndex]!;
      limit = limits[g]!;
      base = bases[g]!;
      perm = perms[g]!;
      minLen = minLens[g]!;
      groupLeft = 50;
    }
    groupLeft--;
    let l = minLen;
    let v = r.bits(l);
    while (l <= MAX_CODE_LENGTH && v > limit[l]!) {
      l++;
      v = (v << 1) | r.bit();
    }
    if (l > MAX_CODE_LENGTH) throw corrupt(r, 'bad bzip2 Huffman code');
    const sym = perm[v + base[l]!]!;
    if (sym <= 1) {
      runLength += sym === 0 ? runWeight : 2 * runWeight;
      runWeight <<= 1;
      if (runLength > capacity) throw corrupt(r, 'bzip2 run too long');
      continue;
    }
    if (runLength > 0) {
      const byte = seqToUnseq[mtf[0]!]!;
      if (nblock + runLength > capacity) throw corrupt(r, 'bzip2 block too long');
      unzftab[byte]! += runLength;
      tt.fill(byte, nblock, nblock + runLength);
      nblock += runLength;
      runLength = 0;
      runWeight = 1;
    }
    if (sym === eob) break;
    const index = sym - 1;
    const value = mtf[index]!;
    mtf.copyWithin(1, 0, index);
    mtf[0] = value;
    const byte = seqToUnseq[value]!;
    if (nblock >= capacity) throw corrupt(r, 'bzip2 block too long');
    unzftab[byte]!++;
    tt[nblock++] = byte;
  }
  if (origPtr >= nblock) throw corrupt(r, 'bad bzip2 origin pointer');
  // Inverse BWT.
  const cftab = new Int32Array(256);
  for (let i = 0, sum = 0; i < 256; i++) {
    cftab[i] = sum;
    sum += unzftab[i]!;
  }
  for (let i = 0; i < nblock; i++) {
    const b = tt[i]! & 0xff;
    tt[cftab[b]!]! |= i << 8;
    cftab[b]!++;
  }
  // Walk the permutation, undoing the initial run-length encoding (4 equal bytes + count).
  let out = new Uint8Array(nblock + (nblock >>> 2) + 256);
  let o = 0;
  let pos = tt[origPtr]! >>> 8;
  let last = -1;
  let same = 0;
  for (let k = 0; k < nblock; k++) {
    const entry = tt[pos]!;
    const byte = entry & 0xff;
    pos = entry >>> 8;
    if (same === 4) {
      if (o + byte > out.length) {
        const grown = new Uint8Array((out.length + byte) * 2);
        grown.set(out.subarray(0, o));
        out = grown;
      }
      out.fill(last, o, o + byte);
      o += byte;
      same = 0;
      last = -1;
      continue;
    }
    if (byte === last) same++;
    else {
      last = byte;
      same = 1;
    }
    if (o >= out.length) {
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[o++] = byte;
  }
  tt.fill(0, 0, nblock);
  return out.subarray(0, o);
}
