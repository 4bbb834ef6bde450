/**
 * Input mutators: each takes an input and returns a new one (never changing its argument).
 *
 * - bit flips (1-4 bits), byte sets (to random or boundary values 0x00 0x01 0x7f 0x80 0xff),
 * - truncation, insertion and deletion of byte runs,
 * - length-field lies: read a 1-, 2- or 4-byte big-endian field at a random offset and bump
 *   or shrink it (by 1, 2, a random small amount, or to 0 / all ones), which is what breaks
 *   decoders that trust lengths,
 * - splicing the head of one seed onto the tail of another,
 * - random bytes (a fresh input, or a run of random bytes overwriting part of the input).
 *
 * All output is at most `maxLength` bytes, so memory stays bounded whatever the seeds.
 */
import type { FuzzRandom } from './random.js';

/** One mutation: `input` and another seed (for splicing) in, a new input out. */
export type Mutator = (input: Uint8Array, other: Uint8Array, random: FuzzRandom, maxLength: number) => Uint8Array;

const BOUNDARY = [0x00, 0x01, 0x7f, 0x80, 0xff];

function copyOf(input: Uint8Array): Uint8Array {
  return new Uint8Array(input);
}

/** Flip 1-4 random bits. */
export const bitFlip: Mutator = (input, _other, random) => {
  const out = copyOf(input);
  if (out.length === 0) return out;
  const n = 1 + random.below(4);
  for (let i = 0; i < n; i++) out[random.below(out.length)]! ^= 1 << random.below(8);
  return out;
};

/** Set 1-4 random bytes to a random or boundary value. */
export const byteSet: Mutator = (input, _other, random) => {
  const out = copyOf(input);
  if (out.length === 0) return out;
  const n = 1 + random.below(4);
  for (let i = 0; i < n; i++) {
    out[random.below(out.length)] = random.oneIn(2) ? BOUNDARY[random.below(BOUNDARY.length)]! : random.below(256);
  }
  return out;
};

/** Cut the input at a random length. */
export const truncate: Mutator = (input, _other, random) => input.slice(0, random.below(input.length + 1));

/** Delete a run of 1-16 bytes. */
export const deleteRun: Mutator = (input, _other, random) => {
  if (input.length === 0) return copyOf(input);
  const at = random.below(input.length);
  const n = Math.min(input.length - at, 1 + random.below(16));
  const out = new Uint8Array(input.length - n);
  out.set(input.subarray(0, at));
  out.set(input.subarray(at + n), at);
  return out;
};

/** Insert a run of 1-16 random bytes. */
export const insertRun: Mutator = (input, _other, random, maxLength) => {
  const n = Math.min(1 + random.below(16), Math.max(0, maxLength - input.length));
  const at = random.below(input.length + 1);
  const out = new Uint8Array(input.length + n);
  out.set(input.subarray(0, at));
  for (let i = 0; i < n; i++) out[at + i] = random.below(256);
  out.set(input.subarray(at), at + n);
  return out;
};

/** Bump or shrink a 1-, 2- or 4-byte big-endian field at a random offset. */
export const lengthLie: Mutator = (input, _other, random) => {
  const out = copyOf(input);
  const size = [1, 2, 4][random.below(3)]!;
  if (out.length < size) return out;
  const at = random.below(out.length - size + 1);
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + out[at + i]!;
  const max = size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
  switch (random.below(6)) {
    case 0:
      value += 1;
      break;
    case 1:
      value -= 1;
      break;
    case 2:
      value += random.oneIn(2) ? 2 : -2;
      break;
    case 3:
      value += (random.oneIn(2) ? 1 : -1) * (1 + random.below(64));
      break;
    case 4:
      value = 0;
      break;
    default:
      value = max;
  }
  value = ((value % (max + 1)) + (max + 1)) % (max + 1);
  for (let i = size - 1; i >= 0; i--) {
    out[at + i] = value % 256;
    value = Math.floor(value / 256);
  }
  return out;
};

/** The head of `input` followed by the tail of `other`, cut at random points. */
export const splice: Mutator = (input, other, random, maxLength) => {
  const head = random.below(input.length + 1);
  const tailStart = random.below(other.length + 1);
  const tail = Math.min(other.length - tailStart, Math.max(0, maxLength - head));
  const out = new Uint8Array(head + tail);
  out.set(input.subarray(0, head));
  out.set(other.subarray(tailStart, tailStart + tail), head);
  return out;
};

/** A fresh input of 0-256 random bytes, or random bytes over part of the input. */
export const randomBytes: Mutator = (input, _other, random, maxLength) => {
  if (random.oneIn(2) || input.length === 0) {
    const out = new Uint8Array(random.below(Math.min(256, maxLength) + 1));
    for (let i = 0; i < out.length; i++) out[i] = random.below(256);
    return out;
  }
  const out = copyOf(input);
  const at = random.below(out.length);
  const n = Math.min(out.length - at, 1 + random.below(32));
  for (let i = 0; i < n; i++) out[at + i] = random.below(256);
  return out;
};

/** Every mutator with a relative weight: structure-preserving ones more often. */
export const MUTATORS: readonly { name: string; weight: number; mutate: Mutator }[] = [
  { name: 'bit-flip', weight: 5, mutate: bitFlip },
  { name: 'byte-set', weight: 4, mutate: byteSet },
  { name: 'length-lie', weight: 6, mutate: lengthLie },
  { name: 'truncate', weight: 2, mutate: truncate },
  { name: 'delete-run', weight: 2, mutate: deleteRun },
  { name: 'insert-run', weight: 2, mutate: insertRun },
  { name: 'splice', weight: 2, mutate: splice },
  { name: 'random-bytes', weight: 1, mutate: randomBytes },
];

const TOTAL_WEIGHT = MUTATORS.reduce((sum, m) => sum + m.weight, 0);

/** Pick a mutator by weight. */
export function pickMutator(random: FuzzRandom): Mutator {
  let r = random.below(TOTAL_WEIGHT);
  for (const m of MUTATORS) {
    if (r < m.weight) return m.mutate;
    r -= m.weight;
  }
  return MUTATORS[0]!.mutate;
}

/** Apply 1-3 stacked mutations to `input`, splicing with `other` when picked. */
export function mutate(input: Uint8Array, other: Uint8Array, random: FuzzRandom, maxLength: number): Uint8Array {
  let out = input.length > maxLength ? input.subarray(0, maxLength) : input;
  const rounds = 1 + random.below(3);
  for (let i = 0; i < rounds; i++) out = pickMutator(random)(out, other, random, maxLength);
  return out.length > maxLength ? out.slice(0, maxLength) : out;
}
