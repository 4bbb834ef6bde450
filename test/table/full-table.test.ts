/** The real full table (1,062,046 prefixes from a tier-1 router) against the golden model. */
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parsePrefix } from '../../src/index.js';
import { sharedData, skipUnlessShared } from '../support/shared-data.js';
import { checkBigTable } from './tables.js';

const FILE = ['tables', 'tier1-full-table-prefixes.txt.gz'] as const;

test('full table: every prefix found, sampled lookups agree with the golden model, delete-all frees all', { skip: skipUnlessShared(...FILE) }, () => {
  const prefixes = gunzipSync(readFileSync(sharedData(...FILE)))
    .toString('utf8')
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map(parsePrefix);
  if (prefixes.length !== 1_062_046) throw new Error(`expected 1062046 prefixes, read ${prefixes.length}`);
  checkBigTable(prefixes, 20_000, 2024);
});
