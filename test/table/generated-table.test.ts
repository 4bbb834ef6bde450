/**
 * Generated tables with a realistic shape (so a clone without ../shared still covers big
 * tables): IPv4 mostly /24 with /16-/23 aggregates and some more-specifics up to /32,
 * IPv6 mostly /48 and /32-/44, with /0 and host routes.
 */
import { test } from 'node:test';
import { Prefix } from '../../src/index.js';
import { checkBigTable, lcg } from './tables.js';

function generate(count: number, seed: number): Prefix[] {
  const random = lcg(seed);
  const out: Prefix[] = [new Prefix(4, 0, 0, 0, 0, 0), new Prefix(6, 0, 0, 0, 0, 0)];
  const v4Lengths = [24, 24, 24, 24, 24, 24, 23, 22, 22, 21, 20, 19, 18, 17, 16, 16, 12, 8, 25, 27, 28, 30, 32];
  const v6Lengths = [48, 48, 48, 48, 48, 44, 40, 36, 32, 32, 29, 56, 64, 96, 127, 128];
  // Clustered networks: a few thousand /12 "allocations" so prefixes nest and share nodes.
  const blocks = Array.from({ length: 3000 }, () => random() & 0xfff00000);
  const blocks6 = Array.from({ length: 1000 }, () => [(0x20000000 | (random() & 0x0fffffff)) >>> 0, random()] as const);
  while (out.length < count) {
    if (random() % 5 !== 0) {
      const length = v4Lengths[random() % v4Lengths.length]!;
      out.push(new Prefix(4, (blocks[random() % blocks.length]! | (random() & 0x000fffff)) >>> 0, 0, 0, 0, length));
    } else {
      const length = v6Lengths[random() % v6Lengths.length]!;
      const [w0, w1] = blocks6[random() % blocks6.length]!;
      out.push(new Prefix(6, w0, (w1 & 0xffff0000) | (random() & 0xffff), random(), random(), length));
    }
  }
  return out;
}

test('generated table of 150k prefixes agrees with the golden model and frees all on delete', () => {
  checkBigTable(generate(150_000, 7), 20_000, 11);
});

test('generated dense table of host routes and /31s', () => {
  const random = lcg(99);
  const prefixes: Prefix[] = [];
  for (let i = 0; i < 40_000; i++) {
    const base = 0x0a000000 | (random() & 0xffff);
    prefixes.push(new Prefix(4, base, 0, 0, 0, 32 - (i % 3)));
    prefixes.push(new Prefix(6, 0x20010db8, 0, 0, base, 128 - (i % 5)));
  }
  checkBigTable(prefixes, 10_000, 5);
});
