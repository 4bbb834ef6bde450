/**
 * Throughput of crc32c on a 64 MiB buffer (development aid, not a test): prints MB/s of the
 * exported slicing-by-8 crc32c and of a byte-at-a-time reference, from the CPU time of the best of
 * 10 rounds (the machine is shared: wall time would count time other processes hold the core).
 * Run: npx tsc -p . && node dist/bench/crc32c.js
 */
import { crc32c, makeTable, CRC32C_POLYNOMIAL } from '../src/store/crc32c.js';

const SIZE = 64 * 1024 * 1024;
const ROUNDS = 10;
const buffer = new Uint8Array(SIZE);
let seed = 12345;
for (let i = 0; i < SIZE; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  buffer[i] = seed >>> 24;
}

const TABLE = makeTable(CRC32C_POLYNOMIAL);
function reference(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function measure(name: string, fn: (b: Uint8Array) => number): number {
  let best = Infinity;
  let result = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.cpuUsage();
    result = fn(buffer);
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) * 1000);
  }
  const mbps = SIZE / 1e6 / (best / 1e9);
  console.log(`${name.padEnd(16)} ${mbps.toFixed(0).padStart(6)} MB/s  (best of ${ROUNDS}, crc 0x${result.toString(16).padStart(8, '0')})`);
  return result;
}

const a = measure('crc32c', (b) => crc32c(b));
const b = measure('byte-at-a-time', (b) => reference(b));
if (a !== b) throw new Error('crc32c and the reference disagree');
